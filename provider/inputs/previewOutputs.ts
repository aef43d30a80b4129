import type { ResourceSpec } from "./spec";
import { UNKNOWN } from "./unknown";

type Props = Record<string, unknown>;

/**
 * The outputs a preview can promise, so that a reviewer sees known values where they are known:
 * - a create: each output named like an input is that input; every other output is not known yet;
 * - an update: the recorded outputs, with the inputs it changes (tags, lock, sharing, …) as the program
 *   gives them. Everything else (the snapshot's id, region, encryption) stays as it is, so a resource
 *   that reads them (a copy of this snapshot) is not shown as replaced.
 */
export function previewOutputs(spec: ResourceSpec, news: Props, olds?: Props): Props {
  const base: Props = olds === undefined ? Object.fromEntries(Object.keys(spec.outputs).map((name) => [name, UNKNOWN])) : { ...olds };
  for (const name of Object.keys(spec.outputs)) {
    if (Object.hasOwn(spec.inputs, name) && news[name] !== undefined && news[name] !== null) {
      base[name] = news[name];
    }
  }
  return base;
}
