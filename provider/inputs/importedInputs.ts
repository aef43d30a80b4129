import type { ResourceSpec } from "./spec";

type Props = Record<string, unknown>;

function given(value: unknown): boolean {
  return value !== undefined && value !== null && !(typeof value === "object" && Object.keys(value).length === 0);
}

/**
 * The inputs of a resource read from EC2 alone, for `pulumi import`: the ones that name what it is
 * (inputs that replace on change) and its tags, as the outputs report them. What only a program says
 * (`region` when it is the provider's, `timeouts`, `waitForCompletion`, `lock`, `sharing`) stays out,
 * so the printed code is what the user would have written, and it previews with no diff.
 */
export function importedInputs(spec: ResourceSpec, outputs: Props): Props {
  return Object.fromEntries(
    Object.entries(spec.inputs)
      .filter(([name, input]) => ((input.change === "replace" && input.onlyWhenGiven !== true) || name === "tags") && given(outputs[name]))
      .map(([name]) => [name, outputs[name]]),
  );
}
