/** schema.json, the published contract, rendered from the resource specs. */
import * as fs from "node:fs";
import * as path from "node:path";
import { isEcho, resolveOutput, type FieldSpec, type NamedType, type ResourceSpec, type TypeDescriptor } from "../../provider/inputs/spec";
import { MODULE } from "../../sdk/types";

export const ROOT = path.join(__dirname, "..", "..", "..");

/** The token pulumi.dynamic.Resource registers for a type of this package (node_modules/@pulumi/pulumi/dynamic/index.js). */
export function tokenOf(typeName: string): string {
  return `pulumi-nodejs:dynamic/${MODULE}:${typeName}`;
}

type Json = string | number | boolean | Json[] | { [key: string]: Json };

function typeSchema(type: TypeDescriptor): Record<string, Json> {
  switch (type.kind) {
    case "scalar":
      return { type: type.scalar };
    case "list":
      return { type: "array", items: typeSchema(type.item) };
    case "map":
      return { type: "object", additionalProperties: typeSchema(type.item) };
    case "ref":
      return { $ref: `#/types/${tokenOf(type.target.name)}` };
  }
}

function withDefault(value: string | number | boolean | undefined): Record<string, Json> {
  return value === undefined ? {} : { default: value };
}

function requiredList(names: string[]): Record<string, Json> {
  return names.length === 0 ? {} : { required: names.sort() };
}

function resourceSchema(spec: ResourceSpec): Record<string, Json> {
  const inputProperties = Object.fromEntries(
    Object.entries(spec.inputs).map(([name, input]) => [
      name,
      {
        ...typeSchema(input.type),
        description: input.doc,
        ...withDefault(input.default),
        ...(input.change === "replace" ? { replaceOnChanges: true, willReplaceOnChanges: true } : {}),
      },
    ]),
  );
  const outputs = Object.keys(spec.outputs).map((name) => ({ name, ...resolveOutput(spec, name) }));
  return {
    description: spec.description,
    inputProperties,
    requiredInputs: Object.entries(spec.inputs)
      .filter(([, input]) => input.required === true)
      .map(([name]) => name),
    properties: Object.fromEntries(outputs.map(({ name, type, doc }) => [name, { ...typeSchema(type), description: doc }])),
    ...requiredList(outputs.filter((output) => output.required).map((output) => output.name)),
  };
}

function namedTypeSchema(type: NamedType): Record<string, Json> {
  if (type.kind === "enum") {
    return { type: "string", description: type.description, enum: type.values.map(({ value, doc }) => ({ value, description: doc })) };
  }
  const fields: [string, FieldSpec][] = Object.entries(type.properties);
  return {
    type: "object",
    description: type.description,
    properties: Object.fromEntries(fields.map(([name, field]) => [name, { ...typeSchema(field.type), description: field.doc, ...withDefault(field.default) }])),
    ...requiredList(fields.filter(([, field]) => field.required === true).map(([name]) => name)),
  };
}

function referencedTypes(type: TypeDescriptor): NamedType[] {
  if (type.kind === "list" || type.kind === "map") {
    return referencedTypes(type.item);
  }
  if (type.kind !== "ref") {
    return [];
  }
  const target = type.target;
  return [target, ...(target.kind === "object" ? Object.values(target.properties).flatMap((field) => referencedTypes(field.type)) : [])];
}

/**
 * The object types the resources use, each once: object types in order of first use, then enums, the
 * order schema.json has always had.
 */
function namedTypes(specs: readonly ResourceSpec[]): NamedType[] {
  const used = new Map<string, NamedType>();
  for (const spec of specs) {
    const types = [...Object.values(spec.inputs).map((input) => input.type), ...Object.values(spec.outputs).flatMap((output) => (isEcho(output) ? [] : [output.type]))];
    for (const type of types.flatMap(referencedTypes)) {
      used.set(type.name, type);
    }
  }
  const all = [...used.values()];
  return [...all.filter((type) => type.kind === "object"), ...all.filter((type) => type.kind === "enum")];
}

/** The package's metadata: what the specs do not describe. Name and version are package.json's. */
function packageHeader(): Record<string, Json> {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { name: string; version: string; license: string };
  return {
    name: manifest.name,
    displayName: "EBS Snapshots",
    version: manifest.version,
    description:
      "Pulumi dynamic provider for Amazon EBS snapshots: single-volume `Snapshot` and crash-consistent multi-volume `SnapshotSet`. The resources are Pulumi dynamic resources (Node.js only); their type tokens are the ones `pulumi.dynamic.Resource` registers, `pulumi-nodejs:dynamic/ebs-snapshots:<Type>`.",
    keywords: ["pulumi", "aws", "ebs", "snapshot", "category/cloud"],
    license: manifest.license,
    allowedPackageNames: ["pulumi-nodejs"],
    language: { nodejs: { packageName: manifest.name } },
  };
}

export function renderSchema(specs: readonly ResourceSpec[]): string {
  const schema = {
    ...packageHeader(),
    resources: Object.fromEntries(specs.map((spec) => [tokenOf(spec.typeName), resourceSchema(spec)])),
    types: Object.fromEntries(namedTypes(specs).map((type) => [tokenOf(type.name), namedTypeSchema(type)])),
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}
