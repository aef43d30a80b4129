/**
 * The README's resource reference, rendered from schema.json so that the two cannot disagree.
 * scripts/generate.ts writes it between the reference markers.
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

export const START_MARKER = "<!-- reference:start (generated from schema.json by scripts/generate.ts) -->";
export const END_MARKER = "<!-- reference:end -->";

function shortName(token: string): string {
  return token.split(":").pop() ?? token;
}

function typeOf(property: SchemaProperty): string {
  if (property.$ref) {
    return shortName(property.$ref);
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

export function renderReference(schema: PackageSchema): string {
  const lines: string[] = [START_MARKER];
  for (const [token, resource] of Object.entries(schema.resources)) {
    lines.push("", `### ${shortName(token)}`, "", `\`${token}\`. ${cell(resource.description)}`, "");
    lines.push(...inputsTable(resource), "");
    lines.push("Every input is also an output of the same name. Besides them:", "");
    lines.push(...outputsTable(resource));
  }
  for (const [token, type] of Object.entries(schema.types)) {
    lines.push("", `#### ${shortName(token)}`, "", cell(type.description), "", ...typeTable(type));
  }
  lines.push("", END_MARKER);
  return lines.join("\n");
}

/** The README with its reference section replaced by the one generated now. */
export function withReference(readme: string, reference: string): string {
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (start < 0 || end < start) {
    throw new Error("README.md has no reference markers");
  }
  return readme.slice(0, start) + reference + readme.slice(end + END_MARKER.length);
}
