import { isEcho, resolveOutput, type FieldSpec, type NamedType, type ResourceSpec, type TypeDescriptor } from "../inputs/spec";

/**
 * The package schema of the resource-provider plugin, rendered from the resource specs: what GetSchema
 * answers (provider/faces/plugin) and what schema.json holds (scripts/generate.ts writes it), so that the
 * two cannot disagree. Pulumi's tools (YAML, `pulumi import`, code generators) read it.
 */

/** The plugin's package name: `pulumi-resource-ebs-snapshots`, tokens `ebs-snapshots:index:<Type>`. */
export const PACKAGE = "ebs-snapshots";

/** What the schema takes from package.json. */
export interface PackageManifest {
  name: string;
  version: string;
  license: string;
  /** `@pulumi/pulumi`'s range here is also the range of the Pulumi SDK the Python SDK requires. */
  peerDependencies: Record<string, string>;
}

/**
 * The Go SDK's package (sdk/go/ebssnapshots); its module, sdk/go, is the folder above. tools/sdkgen writes
 * both from this schema.
 */
export const GO_IMPORT_BASE_PATH = "github.com/pulumi-ebs-snapshots/pulumi-ebs-snapshots/sdk/go/ebssnapshots";

/** The Python SDK's package (sdk/python), as `pip install` and `import` name it. */
export const PYTHON_PACKAGE = "pulumi_ebs_snapshots";

/** The type token of a resource or type of this package. */
export function tokenOf(typeName: string): string {
  return `${PACKAGE}:index:${typeName}`;
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

/**
 * The npm range of `@pulumi/pulumi` as a Python requirement on `pulumi`: `^3.248.0` is `>=3.248.0,<4.0.0`.
 * Only a caret range has one meaning in both; any other range is refused here rather than guessed.
 */
export function pythonPulumiRequirement(manifest: PackageManifest): string {
  const range = manifest.peerDependencies["@pulumi/pulumi"] ?? "";
  const caret = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range);
  if (caret === null) {
    throw new Error(
      `package.json's peerDependencies["@pulumi/pulumi"] is ${JSON.stringify(range)}; the Python SDK's requirement derives only from a caret range such as "^3.248.0"`,
    );
  }
  const [, major, minor, patch] = caret;
  return `>=${major}.${minor}.${patch},<${Number(major) + 1}.0.0`;
}

/**
 * What Pulumi's code generators read (tools/sdkgen, `pulumi package gen-sdk`). Each generated SDK takes its
 * version from the schema's, which is package.json's (`respectSchemaVersion`).
 */
function languages(manifest: PackageManifest, description: string): Record<string, Json> {
  return {
    nodejs: { packageName: manifest.name },
    python: {
      packageName: PYTHON_PACKAGE,
      pyproject: { enabled: true },
      respectSchemaVersion: true,
      requires: { pulumi: pythonPulumiRequirement(manifest) },
      readme:
        `# EBS Snapshots for Pulumi (Python)\n\n${description}\n\n` +
        `This package, \`${PYTHON_PACKAGE}\`, is generated from the provider's schema by Pulumi's code generator. ` +
        `Its resources are served by the plugin \`pulumi-resource-${PACKAGE}\`, which the Pulumi CLI must find (see the project's documentation).\n`,
    },
    go: {
      importBasePath: GO_IMPORT_BASE_PATH,
      // SnapshotArray, SnapshotMap and the like, so that resources can be passed as inputs in collections.
      generateResourceContainerTypes: true,
      respectSchemaVersion: true,
    },
  };
}

/** The package's description: what it is, and the two ways to use it. */
const DESCRIPTION =
  "Amazon EBS snapshots: single-volume `Snapshot`, crash-consistent multi-volume `SnapshotSet` and `SnapshotCopy`, with sharing, the archive tier and Snapshot Lock. " +
  `Served by the resource-provider plugin \`pulumi-resource-${PACKAGE}\` (every Pulumi language, YAML included); TypeScript programs can also use the same resources as dynamic resources, whose tokens are \`pulumi-nodejs:dynamic/${PACKAGE}:<Type>\`.`;

/** The package's metadata: what the specs do not describe. */
function packageHeader(manifest: PackageManifest): Record<string, Json> {
  return {
    name: PACKAGE,
    displayName: "EBS Snapshots",
    version: manifest.version,
    description: DESCRIPTION,
    keywords: ["pulumi", "aws", "ebs", "snapshot", "category/cloud"],
    license: manifest.license,
    language: languages(manifest, DESCRIPTION),
  };
}

/** The provider's own configuration: `ebs-snapshots:region`, or an explicit provider resource's inputs. */
const PROVIDER_CONFIG: Readonly<Record<string, Json>> = {
  region: {
    type: "string",
    description:
      "The AWS region of resources that do not set their own `region`. Without it, the AWS SDK's resolution applies (AWS_REGION, then the profile's region). The plugin is never handed the stack's `aws:region`.",
  },
  profile: {
    type: "string",
    description:
      "The AWS profile (in ~/.aws/config and ~/.aws/credentials) to take credentials and, when `region` is not set, the region from. Without it, the AWS SDK's credential chain applies (AWS_PROFILE, the environment's keys, SSO, roles).",
  },
};

/** The package schema, as GetSchema serves it and schema.json holds it. */
export function packageSchema(specs: readonly ResourceSpec[], manifest: PackageManifest): Record<string, Json> {
  return {
    ...packageHeader(manifest),
    config: { variables: PROVIDER_CONFIG },
    provider: { description: `The provider of ${PACKAGE} resources; one per region in a program that works in several.`, inputProperties: PROVIDER_CONFIG },
    resources: Object.fromEntries(specs.map((spec) => [tokenOf(spec.typeName), resourceSchema(spec)])),
    types: Object.fromEntries(namedTypes(specs).map((type) => [tokenOf(type.name), namedTypeSchema(type)])),
  };
}
