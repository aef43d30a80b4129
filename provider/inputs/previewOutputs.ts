import type { ResourceSpec } from "./spec";
import { UNKNOWN } from "./unknown";

type Props = Record<string, unknown>;

/**
 * The outputs a preview can promise, so that a reviewer sees known values where they are known:
 * - a create: each output named like an input is that input; every other output is not known yet;
 * - an update: the recorded outputs, with the inputs it changes (tags, lock, sharing, …) as the program
 *   gives them, and those the program gave before (`oldInputs`) and no longer gives not known yet
 *   (the update clears them, each in its own way; an input compared only when given, such as
 *   `region`, stays as recorded). Everything else (the snapshot's id, region, encryption) stays as it
 *   is, so a resource that reads them (a copy of this snapshot) is not shown as replaced.
 */
export function previewOutputs(spec: ResourceSpec, news: Props, olds?: Props, oldInputs: Props = {}): Props {
  const base: Props = olds === undefined ? Object.fromEntries(Object.keys(spec.outputs).map((name) => [name, UNKNOWN])) : { ...olds };
  for (const name of Object.keys(spec.outputs)) {
    if (!Object.hasOwn(spec.inputs, name)) {
      continue;
    }
    const given = news[name] !== undefined && news[name] !== null;
    if (given) {
      base[name] = news[name];
    } else if (olds !== undefined && oldInputs[name] !== undefined && oldInputs[name] !== null && spec.inputs[name].onlyWhenGiven !== true) {
      base[name] = UNKNOWN;
    }
  }
  return base;
}
