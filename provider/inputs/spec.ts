/**
 * The language in which each resource is described once: every input with its type, what a change to it
 * does, how it is validated and its documentation; every output with its type and documentation. The
 * validation and diff tables, the plain shapes of provider/types.ts, schema.json, the README reference
 * and the SDK classes are all derived from these descriptions (scripts/generate.ts writes the files).
 *
 * The words a spec is written in (ChangeKind, RuleName) are declared here; diff.ts and validate.ts,
 * which carry them out, import them, and this module imports nothing.
 */

/** How a change to one input is carried out. */
export type ChangeKind =
  /** A new snapshot replaces the old one (EC2 cannot change it in place). */
  | "replace"
  /** Applied to the existing snapshot by `update`. */
  | "update"
  /** Bookkeeping that never causes work. */
  | "ignore";

/** The checks an input may name (InputSpec.rule); validate.ts holds one rule for each, no more. */
export type RuleName =
  | "volumeId"
  | "instanceId"
  | "snapshotId"
  | "region"
  | "outpostArn"
  | "kmsKeyId"
  | "completionMinutes"
  | "boolean"
  | "description"
  | "tags"
  | "timeouts"
  | "sharing"
  | "lock"
  | "storageTier"
  | "restore"
  | "excludedVolumes"
  | "restoreEntries"
  | "availabilityZone"
  | "volumeType"
  | "wholeNumber"
  | "attach"
  | "initialization";

type Shape =
  | { readonly kind: "scalar"; readonly scalar: "string" | "integer" | "number" | "boolean" }
  | { readonly kind: "list"; readonly item: TypeDescriptor }
  | { readonly kind: "map"; readonly item: TypeDescriptor }
  | { readonly kind: "ref"; readonly target: NamedType };

/**
 * A value type. `phantom` is never set: it carries the TypeScript type the descriptor stands for, so that
 * the plain shapes can be inferred from a spec (InputsOf, OutputsOf).
 */
export type TypeDescriptor<T = unknown> = Shape & { readonly phantom: T };

/** The TypeScript type a descriptor stands for. */
export type TypeOf<D> = D extends TypeDescriptor<infer T> ? T : never;

function descriptor<T>(shape: Shape): TypeDescriptor<T> {
  return shape as TypeDescriptor<T>;
}

/** A property of an object type, such as `ProductCode.productCodeId`. */
export interface FieldSpec {
  readonly type: TypeDescriptor;
  readonly required?: boolean;
  /** The default the documentation names (schema.json's `default`). */
  readonly default?: string | number | boolean;
  readonly doc: string;
}

export interface ObjectTypeSpec<P extends Readonly<Record<string, FieldSpec>> = Readonly<Record<string, FieldSpec>>> {
  readonly kind: "object";
  readonly name: string;
  readonly description: string;
  readonly properties: P;
}

export interface EnumTypeSpec<V extends string = string> {
  readonly kind: "enum";
  readonly name: string;
  readonly description: string;
  readonly values: readonly { readonly value: V; readonly doc: string }[];
}

export type NamedType = ObjectTypeSpec | EnumTypeSpec;

type RequiredKeys<P> = { [K in keyof P]: P[K] extends { readonly required: true } ? K : never }[keyof P];

/** Flattens an intersection, so that editors and declaration files show one object. */
type Flat<T> = { -readonly [K in keyof T]: T[K] };

/** The plain shape of an object type: required properties as declared, the others optional. */
export type ObjectOf<P> = Flat<
  { [K in RequiredKeys<P>]: TypeOf<P[K] extends FieldSpec ? P[K]["type"] : never> } & {
    [K in Exclude<keyof P, RequiredKeys<P>>]?: TypeOf<P[K] extends FieldSpec ? P[K]["type"] : never>;
  }
>;

/** The value types a spec is written in. */
export const t = {
  string: descriptor<string>({ kind: "scalar", scalar: "string" }),
  integer: descriptor<number>({ kind: "scalar", scalar: "integer" }),
  number: descriptor<number>({ kind: "scalar", scalar: "number" }),
  boolean: descriptor<boolean>({ kind: "scalar", scalar: "boolean" }),
  list: <T>(item: TypeDescriptor<T>): TypeDescriptor<T[]> => descriptor({ kind: "list", item }),
  /** A map from string keys, such as tags. */
  map: <T>(item: TypeDescriptor<T>): TypeDescriptor<Record<string, T>> => descriptor({ kind: "map", item }),
  object: <P extends Readonly<Record<string, FieldSpec>>>(target: ObjectTypeSpec<P>): TypeDescriptor<ObjectOf<P>> => descriptor({ kind: "ref", target }),
  enum: <V extends string>(target: EnumTypeSpec<V>): TypeDescriptor<V> => descriptor({ kind: "ref", target }),
};

export function objectType<const P extends Readonly<Record<string, FieldSpec>>>(spec: Omit<ObjectTypeSpec<P>, "kind">): ObjectTypeSpec<P> {
  return { kind: "object", ...spec };
}

export function enumType<const V extends string>(spec: Omit<EnumTypeSpec<V>, "kind">): EnumTypeSpec<V> {
  return { kind: "enum", ...spec };
}

/** One input of a resource. */
export interface InputSpec {
  readonly type: TypeDescriptor;
  readonly required?: boolean;
  /** What a change to it does (diff.ts). */
  readonly change: Exclude<ChangeKind, "ignore">;
  /** The default the documentation names (schema.json's `default`); an absent input stands for it. */
  readonly default?: string | boolean;
  /** The value an absent input stands for when the documentation names no default; see DiffRule.absent. */
  readonly absent?: unknown;
  /** See DiffRule.onlyWhenGiven. */
  readonly onlyWhenGiven?: boolean;
  /** See DiffRule.unordered. */
  readonly unordered?: boolean;
  /** The check applied to a given value (validate.ts); absence is checked through `required`. */
  readonly rule: RuleName;
  readonly doc: string;
}

/** An output that is the input of the same name, as given: its type and presence are the input's. */
export interface EchoSpec {
  readonly echo: true;
  readonly doc: string;
}

export interface OwnOutputSpec {
  readonly type: TypeDescriptor;
  /** Present in every state the provider returns. */
  readonly required?: boolean;
  readonly doc: string;
}

export type OutputSpec = EchoSpec | OwnOutputSpec;

export interface ResourceSpec {
  /** The last part of the type token, `pulumi-nodejs:dynamic/ebs-snapshots:<typeName>`, and the SDK class's name. */
  readonly typeName: string;
  readonly description: string;
  /** In the order of schema.json and of the diff table. */
  readonly inputs: Readonly<Record<string, InputSpec>>;
  /** In the order of schema.json; every input is among them. */
  readonly outputs: Readonly<Record<string, OutputSpec>>;
}

export function resourceSpec<const S extends ResourceSpec>(spec: S): S {
  return spec;
}

type InputTypes<I> = { [K in keyof I]: TypeOf<I[K] extends InputSpec ? I[K]["type"] : never> };

/** The plain inputs of a resource, as check and the hooks see them. */
export type InputsOf<S extends ResourceSpec> = Flat<
  { [K in RequiredKeys<S["inputs"]>]: InputTypes<S["inputs"]>[K] } & { [K in Exclude<keyof S["inputs"], RequiredKeys<S["inputs"]>>]?: InputTypes<S["inputs"]>[K] }
>;

type OutputType<S extends ResourceSpec, K extends keyof S["outputs"]> = S["outputs"][K] extends OwnOutputSpec
  ? TypeOf<S["outputs"][K]["type"]>
  : K extends keyof InputTypes<S["inputs"]>
    ? InputTypes<S["inputs"]>[K]
    : never;

type RequiredOutputKeys<S extends ResourceSpec> = {
  [K in keyof S["outputs"]]: S["outputs"][K] extends { readonly required: true } ? K : S["outputs"][K] extends EchoSpec ? (K extends RequiredKeys<S["inputs"]> ? K : never) : never;
}[keyof S["outputs"]];

/** The plain state of a resource, as the hooks return it. */
export type OutputsOf<S extends ResourceSpec> = Flat<
  { [K in RequiredOutputKeys<S>]: OutputType<S, K> } & { [K in Exclude<keyof S["outputs"], RequiredOutputKeys<S>>]?: OutputType<S, K> }
>;

export function isEcho(output: OutputSpec): output is EchoSpec {
  return "echo" in output;
}

/** An output's type and whether it is always present, following an echo to its input. */
export function resolveOutput(spec: ResourceSpec, name: string): { type: TypeDescriptor; required: boolean; doc: string } {
  const output = spec.outputs[name];
  if (!isEcho(output)) {
    return { type: output.type, required: output.required === true, doc: output.doc };
  }
  const input = spec.inputs[name];
  if (input === undefined) {
    throw new Error(`${spec.typeName}.${name} echoes an input that ${spec.typeName} does not have`);
  }
  return { type: input.type, required: input.required === true, doc: output.doc };
}
