/**
 * The API reference (docs/reference.md), rendered from schema.json so that the two cannot disagree.
 * scripts/generate.ts writes the whole page.
 */

interface SchemaProperty {
  type?: string;
  $ref?: string;
  items?: SchemaProperty;
  additionalProperties?: SchemaProperty;
  description?: string;
  default?: unknown;
  replaceOnChanges?: boolean;
}

interface SchemaObject {
  description?: string;
  properties?: Record<string, SchemaProperty>;
  inputProperties?: Record<string, SchemaProperty>;
  requiredInputs?: string[];
  required?: string[];
  enum?: { value: string }[];
}

export interface PackageSchema {
  resources: Record<string, SchemaObject>;
  types: Record<string, SchemaObject>;
}

/** Where scripts/generate.ts writes the reference, relative to the repository root. */
export const REFERENCE_FILE = "docs/reference.md";

/** The page's head: the registry's front matter, then what the page is and that it is generated. */
const HEADER = [
  "---",
  "title: EBS Snapshots API reference",
  "meta_desc: Every input, output and type of the ebs-snapshots resources Snapshot, SnapshotSet, SnapshotCopy and VolumeSet.",
  "layout: package",
  "---",
  "",
  "<!-- Generated from schema.json by scripts/generate.ts (npm run generate): do not edit by hand. tests/unit/generate.test.ts fails while this page is stale. -->",
  "",
  "# API reference",
  "",
  "Generated from each resource's spec (`provider/resources/<name>/spec.ts`) through schema.json, as the SDKs are.",
  "Names are as in TypeScript, Pulumi YAML and schema.json; the Python SDK spells them in snake_case (`volume_id`,",
  "`exclude_boot_volume`) and the Go SDK in PascalCase (`VolumeId`, `ExcludeBootVolume`). The dynamic face",
  "(`pulumi-ebs-snapshots`) and the plugin face (`ebs-snapshots:index:<Type>`) take the same inputs and give the",
  "same outputs. [The overview](_index.md) shows them in use; [installation and configuration](installation-configuration.md)",
  "covers the provider's own settings.",
];

function shortName(token: string): string {
  return token.split(":").pop() ?? token;
}

/** A property's type; a named type links to its section of the page. */
function typeOf(property: SchemaProperty): string {
  if (property.$ref) {
    const name = shortName(property.$ref);
    return `[${name}](#${name.toLowerCase()})`;
  }
  if (property.type === "array" && property.items) {
    return `${typeOf(property.items)}[]`;
  }
  if (property.type === "object" && property.additionalProperties) {
    return `map<${typeOf(property.additionalProperties)}>`;
  }
  return property.type ?? "any";
}

function cell(text: string | undefined): string {
  return (text ?? "").replace(/\|/g, "\\|").replace(/\n+/g, " ");
}

function inputsTable(resource: SchemaObject): string[] {
  const required = new Set(resource.requiredInputs ?? []);
  const rows = Object.entries(resource.inputProperties ?? {}).map(([name, p]) => {
    const change = p.replaceOnChanges ? "replace" : "in place";
    return `| \`${name}\` | ${typeOf(p)} | ${required.has(name) ? "yes" : "no"} | ${change} | ${cell(p.description)} |`;
  });
  return ["| input | type | required | on change | description |", "|---|---|---|---|---|", ...rows];
}

function outputsTable(resource: SchemaObject): string[] {
  const inputs = new Set(Object.keys(resource.inputProperties ?? {}));
  const always = new Set(resource.required ?? []);
  const rows = Object.entries(resource.properties ?? {})
    .filter(([name]) => !inputs.has(name) || name === "tags" || name === "region")
    .map(([name, p]) => `| \`${name}\` | ${typeOf(p)} | ${always.has(name) ? "always" : "when EC2 reports it"} | ${cell(p.description)} |`);
  return ["| output | type | present | description |", "|---|---|---|---|", ...rows];
}

function typeTable(type: SchemaObject): string[] {
  if (type.enum) {
    return [`One of ${type.enum.map((e) => `\`${e.value}\``).join(", ")}.`];
  }
  const rows = Object.entries(type.properties ?? {}).map(([name, p]) => `| \`${name}\` | ${typeOf(p)} | ${cell(p.description)} |`);
  return ["| field | type | description |", "|---|---|---|", ...rows];
}

/** The whole of docs/reference.md: every resource, then every type. */
export function renderReference(schema: PackageSchema): string {
  const lines: string[] = [...HEADER, "", "## Resources"];
  for (const [token, resource] of Object.entries(schema.resources)) {
    lines.push("", `### ${shortName(token)}`, "", `\`${token}\`. ${cell(resource.description)}`, "");
    lines.push(...inputsTable(resource), "");
    lines.push("Every input is also an output of the same name. Besides them:", "");
    lines.push(...outputsTable(resource));
  }
  lines.push("", "## Types");
  for (const [token, type] of Object.entries(schema.types)) {
    lines.push("", `### ${shortName(token)}`, "", cell(type.description), "", ...typeTable(type));
  }
  return `${lines.join("\n")}\n`;
}
