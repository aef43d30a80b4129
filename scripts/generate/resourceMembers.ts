/**
 * What the SDK classes of a resource declare, rendered from its spec: the args interface (its inputs as
 * a program gives them; the dynamic class (sdkClass.ts) declares it and the plugin class (pluginClass.ts)
 * imports it) and the outputs (as `pulumi.Output`s of the types state holds), which each class declares.
 */
import { resolveOutput, type ResourceSpec, type TypeDescriptor } from "../../provider/inputs/spec";
import { jsDoc } from "./tsText";

/** The TypeScript type of a value as state holds it; `names` collects the object types it uses. */
function plainType(type: TypeDescriptor, names: Set<string>): string {
  switch (type.kind) {
    case "scalar":
      return type.scalar === "integer" ? "number" : type.scalar;
    case "list":
      return `${plainType(type.item, names)}[]`;
    case "map":
      return `Record<string, ${plainType(type.item, names)}>`;
    case "ref":
      names.add(type.target.name);
      return type.target.name;
  }
}

/** The TypeScript type of an input as a program gives it: any part may be an Output. */
function argType(type: TypeDescriptor, names: Set<string>): string {
  switch (type.kind) {
    case "scalar":
      return `pulumi.Input<${plainType(type, names)}>`;
    case "list":
      return `pulumi.Input<${argType(type.item, names)}[]>`;
    case "map":
      return `pulumi.Input<Record<string, ${argType(type.item, names)}>>`;
    case "ref": {
      // Enums are given as their values; an object type has an args twin whose fields may be Outputs.
      const name = type.target.kind === "object" ? `${type.target.name}Args` : type.target.name;
      names.add(name);
      return `pulumi.Input<${name}>`;
    }
  }
}

/** `export interface <Type>Args { … }`, one documented member per input; `names` collects the types it uses. */
export function argsInterface(spec: ResourceSpec, names: Set<string>): string[] {
  const name = spec.typeName;
  return [
    `/** Inputs of a {@link ${name}}. */`,
    `export interface ${name}Args {`,
    ...Object.entries(spec.inputs).flatMap(([input, { type, required, doc }]) => [...jsDoc(doc, "  "), `  ${input}${required ? "" : "?"}: ${argType(type, names)};`]),
    `}`,
  ];
}

/** One documented `declare public readonly <output>: pulumi.Output<…>` per output; `names` collects the types they use. */
export function outputDeclarations(spec: ResourceSpec, names: Set<string>): string[] {
  return Object.keys(spec.outputs).flatMap((output) => {
    const { type, required, doc } = resolveOutput(spec, output);
    const plain = plainType(type, names);
    return [...jsDoc(doc, "  "), `  declare public readonly ${output}: pulumi.Output<${required ? plain : `${plain} | undefined`}>;`];
  });
}
