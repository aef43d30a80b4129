/**
 * EC2 Query API answers, in the XML shapes EC2 sends (lists as `<xxxSet><item>…</item></xxxSet>`,
 * the 2016-11-15 namespace on successful answers, none on errors).
 */
import { randomUUID } from "node:crypto";

export const EC2_NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";

/** A node of an answer: text, a list of `item`s, nested fields, or absent. */
export type XmlValue = string | number | boolean | undefined | XmlFields | XmlValue[];
export interface XmlFields {
  [name: string]: XmlValue;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c] ?? c);
}

function render(name: string, value: XmlValue): string {
  if (value === undefined) {
    return "";
  }
  if (Array.isArray(value)) {
    return value.length === 0 ? `<${name}/>` : `<${name}>${value.map((item) => render("item", item)).join("")}</${name}>`;
  }
  if (typeof value === "object") {
    return `<${name}>${Object.entries(value)
      .map(([child, v]) => render(child, v))
      .join("")}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** `<ActionResponse xmlns=…><requestId/>…fields…</ActionResponse>`. */
export function successBody(action: string, fields: XmlFields): string {
  const inner =
    render("requestId", randomUUID()) +
    Object.entries(fields)
      .map(([name, value]) => render(name, value))
      .join("");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_NAMESPACE}">${inner}</${action}Response>`;
}

/** EC2's error envelope: `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`. */
export function errorBody(code: string, message: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${randomUUID()}</RequestID></Response>`
  );
}

/** `Prefix.1`, `Prefix.2`, … from a form body, in index order. */
export function listParam(params: Readonly<Record<string, string>>, prefix: string): string[] {
  const pattern = new RegExp(`^${prefix.replace(/\./g, "\\.")}\\.(\\d+)$`);
  return Object.entries(params)
    .map(([key, value]) => [pattern.exec(key), value] as const)
    .filter((entry): entry is [RegExpExecArray, string] => entry[0] !== null)
    .sort((a, b) => Number(a[0][1]) - Number(b[0][1]))
    .map(([, value]) => value);
}

/** `Filter.N.Name` / `Filter.N.Value.M`. */
export function filterParams(params: Readonly<Record<string, string>>): { name: string; values: string[] }[] {
  const indexes = new Set<number>();
  for (const key of Object.keys(params)) {
    const match = /^Filter\.(\d+)\.Name$/.exec(key);
    if (match) {
      indexes.add(Number(match[1]));
    }
  }
  return [...indexes].sort((a, b) => a - b).map((i) => ({ name: params[`Filter.${i}.Name`], values: listParam(params, `Filter.${i}.Value`) }));
}

/** `Tag.N.Key` / `Tag.N.Value` under a prefix (`Tag` or `TagSpecification.1.Tag`). */
export function tagParams(params: Readonly<Record<string, string>>, prefix: string): { key: string; value?: string }[] {
  const indexes = new Set<number>();
  const pattern = new RegExp(`^${prefix.replace(/\./g, "\\.")}\\.(\\d+)\\.Key$`);
  for (const key of Object.keys(params)) {
    const match = pattern.exec(key);
    if (match) {
      indexes.add(Number(match[1]));
    }
  }
  return [...indexes]
    .sort((a, b) => a - b)
    .map((i) => {
      const value = params[`${prefix}.${i}.Value`];
      return { key: params[`${prefix}.${i}.Key`], ...(value !== undefined ? { value } : {}) };
    });
}
