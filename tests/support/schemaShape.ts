/**
 * schema.json as tests read it, and `assertMatchesSchema`: does an outputs object that the provider really
 * returned fit the schema's declaration of that resource?
 *
 * Used by tests/unit/examples.test.ts on the outputs the example programs' mocks return, and by
 * tests/unit/support/schemaShape.test.ts on hand-made objects.
 */
import { AssertionError } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { diffRulesOf } from "../../provider/inputs/diff";
import { SNAPSHOT_SPEC } from "../../provider/resources/snapshot/spec";
import { SNAPSHOT_SET_SPEC } from "../../provider/resources/snapshotSet/spec";
import { pluginTypeOf } from "../../harness/program";

/** The repository root, from the compiled location of this file (dist/tests/support). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
const SCHEMA_PATH = path.join(REPO_ROOT, "schema.json");

/** The subset of the Pulumi package schema (pkg/codegen/schema/pulumi.json) this package uses. */
interface PropertySpec {
  type?: "string" | "boolean" | "integer" | "number" | "array" | "object";
  $ref?: string;
  items?: PropertySpec;
  additionalProperties?: PropertySpec;
  description?: string;
  default?: string | number | boolean;
  replaceOnChanges?: boolean;
  willReplaceOnChanges?: boolean;
  secret?: boolean;
}

interface EnumValueSpec {
  value: string | number | boolean;
  name?: string;
  description?: string;
}

interface ComplexTypeSpec {
  type: "object" | "string" | "integer" | "number" | "boolean";
  description?: string;
  properties?: Record<string, PropertySpec>;
  required?: string[];
  enum?: EnumValueSpec[];
}

interface ResourceSpec {
  description?: string;
  inputProperties: Record<string, PropertySpec>;
  requiredInputs?: string[];
  properties: Record<string, PropertySpec>;
  required?: string[];
}

export interface PackageSchema {
  name: string;
  version?: string;
  description?: string;
  allowedPackageNames?: string[];
  resources: Record<string, ResourceSpec>;
  types?: Record<string, ComplexTypeSpec>;
  [key: string]: unknown;
}

export function loadSchema(file: string = SCHEMA_PATH): PackageSchema {
  return JSON.parse(fs.readFileSync(file, "utf8")) as PackageSchema;
}

const LOCAL_TYPE_REF = "#/types/";

/** The token a local `$ref` names, or undefined when it is not a reference into this schema's `types`. */
function refToken(ref: string): string | undefined {
  return ref.startsWith(LOCAL_TYPE_REF) ? ref.slice(LOCAL_TYPE_REF.length) : undefined;
}

/**
 * Keys a dynamic resource's state carries that are not part of its declared outputs:
 * - `__provider`: the serialized provider, added to every output set by the dynamic-provider host;
 * - the SDK's bookkeeping inputs (the resource's name, passed so that messages can name it), which the
 *   provider echoes with the other inputs. They are the `ignore`-kind entries of the diff rules.
 */
export const HOUSEKEEPING_OUTPUT_KEYS: readonly string[] = [
  "__provider",
  ...new Set(
    [SNAPSHOT_SPEC, SNAPSHOT_SET_SPEC].map(diffRulesOf).flatMap((rules) =>
      Object.entries(rules)
        .filter(([, rule]) => rule.kind === "ignore")
        .map(([name]) => name),
    ),
  ),
];

function describe(value: unknown): string {
  if (value === null) {
    return "null";
  }
  if (Array.isArray(value)) {
    return "an array";
  }
  if (value instanceof Date) {
    return "a Date";
  }
  if (typeof value === "object") {
    const proto = Object.getPrototypeOf(value) as object | null;
    return proto === Object.prototype || proto === null ? "an object" : `an instance of ${proto.constructor?.name ?? "a class"}`;
  }
  return `a ${typeof value} (${JSON.stringify(value)})`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return false;
  }
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === Object.prototype || proto === null;
}

/** Checks one value against a property spec; appends a message per mismatch, naming the path. */
function checkValue(schema: PackageSchema, spec: PropertySpec, value: unknown, at: string, problems: string[]): void {
  if (value === undefined) {
    problems.push(`${at} is undefined (the host cannot encode undefined; leave the key out instead)`);
    return;
  }
  if (value === null) {
    problems.push(`${at} is null; the schema declares ${spec.$ref ?? spec.type}`);
    return;
  }
  if (spec.$ref !== undefined) {
    const token = refToken(spec.$ref);
    const type = token === undefined ? undefined : schema.types?.[token];
    if (type === undefined) {
      problems.push(`${at}: the schema's $ref ${spec.$ref} names no type`);
      return;
    }
    checkComplex(schema, type, value, at, problems);
    return;
  }
  switch (spec.type) {
    case "string":
    case "boolean":
      if (typeof value !== spec.type) {
        problems.push(`${at} should be a ${spec.type}, got ${describe(value)}`);
      }
      return;
    case "number":
      if (typeof value !== "number" || !Number.isFinite(value)) {
        problems.push(`${at} should be a number, got ${describe(value)}`);
      }
      return;
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value)) {
        problems.push(`${at} should be an integer, got ${describe(value)}`);
      }
      return;
    case "array":
      if (!Array.isArray(value)) {
        problems.push(`${at} should be an array, got ${describe(value)}`);
        return;
      }
      value.forEach((item, index) => checkValue(schema, spec.items ?? {}, item, `${at}[${index}]`, problems));
      return;
    case "object":
      if (!isPlainObject(value)) {
        problems.push(`${at} should be a map, got ${describe(value)}`);
        return;
      }
      for (const [key, item] of Object.entries(value)) {
        checkValue(schema, spec.additionalProperties ?? { type: "string" }, item, `${at}[${JSON.stringify(key)}]`, problems);
      }
      return;
    default:
      problems.push(`${at}: the schema gives no type (${JSON.stringify(spec)})`);
  }
}

function checkComplex(schema: PackageSchema, type: ComplexTypeSpec, value: unknown, at: string, problems: string[]): void {
  if (type.enum !== undefined) {
    const allowed = type.enum.map((e) => e.value);
    if (!allowed.includes(value as string | number | boolean)) {
      problems.push(`${at} should be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}, got ${describe(value)}`);
    }
    return;
  }
  if (!isPlainObject(value)) {
    problems.push(`${at} should be an object, got ${describe(value)}`);
    return;
  }
  checkObject(schema, type.properties ?? {}, type.required ?? [], value, at, [], problems);
}

function checkObject(
  schema: PackageSchema,
  properties: Record<string, PropertySpec>,
  required: readonly string[],
  value: Record<string, unknown>,
  at: string,
  allowedExtra: readonly string[],
  problems: string[],
): void {
  const prefix = at === "" ? "" : `${at}.`;
  for (const [key, item] of Object.entries(value)) {
    const spec = properties[key];
    if (spec === undefined) {
      if (!allowedExtra.includes(key)) {
        problems.push(`${prefix}${key} is not declared in the schema`);
      }
      continue;
    }
    checkValue(schema, spec, item, `${prefix}${key}`, problems);
  }
  for (const key of required) {
    if (!(key in value)) {
      problems.push(`${prefix}${key} is required by the schema but missing`);
    }
  }
}

/**
 * Every mismatch between a real outputs object and the schema's declaration of the resource `token`:
 * undeclared keys (besides HOUSEKEEPING_OUTPUT_KEYS), values of the wrong JSON type (recursively, through
 * arrays, maps, object types and enums), and required outputs that are missing. Empty when it fits.
 */
export function schemaProblems(token: string, outputs: Record<string, unknown>, schema: PackageSchema = loadSchema()): string[] {
  // The dynamic face's type names, with the same shape, what the package schema (the plugin's) declares.
  const resource = schema.resources[pluginTypeOf(token)];
  if (resource === undefined) {
    return [`schema.json declares no resource ${token}; it declares ${Object.keys(schema.resources).join(", ")}`];
  }
  if (!isPlainObject(outputs)) {
    return [`the outputs of ${token} should be a plain object, got ${describe(outputs)}`];
  }
  const problems: string[] = [];
  checkObject(schema, resource.properties, resource.required ?? [], outputs, "", HOUSEKEEPING_OUTPUT_KEYS, problems);
  return problems;
}

/** Throws an AssertionError listing every mismatch (see schemaProblems) between `outputs` and the schema of `token`. */
export function assertMatchesSchema(token: string, outputs: Record<string, unknown>, schema?: PackageSchema): void {
  const problems = schemaProblems(token, outputs, schema);
  if (problems.length > 0) {
    throw new AssertionError({
      message: `outputs of ${token} do not match schema.json:\n  - ${problems.join("\n  - ")}`,
      actual: outputs,
      expected: token,
      operator: "assertMatchesSchema",
    });
  }
}
