import { randomUUID } from "node:crypto";
import { serializeXml, xmlElement, type XmlElement } from "../xmlTree";

// EC2's own namespace, with the trailing slash EC2 sends (moto leaves it out; the SDK accepts both).
const EC2_NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";

export type FieldValue = string | number | boolean | undefined;

/** The body of a successful EC2 Query answer: `<ActionResponse xmlns=…><requestId>…</requestId>…</ActionResponse>`. */
export function ec2AnswerBody(action: string, children: readonly XmlElement[]): string {
  const root: XmlElement = {
    name: `${action}Response`,
    attributes: [["xmlns", EC2_NAMESPACE]],
    selfClosing: false,
    children: [xmlElement("requestId", randomUUID()), ...children],
  };
  return serializeXml({ prolog: '<?xml version="1.0" encoding="UTF-8"?>\n', root, epilog: "" });
}

/** One element per field that has a value, in the order given: EC2 leaves absent fields out rather than sending them empty. */
export function presentFields(fields: ReadonlyArray<readonly [string, FieldValue]>): XmlElement[] {
  return fields.flatMap(([name, value]) => (value === undefined ? [] : [xmlElement(name, String(value))]));
}

/** A list as EC2 wraps it, `<name><item>…</item>…</name>`; an empty list is `<name/>`. */
export function itemSet(name: string, items: ReadonlyArray<readonly XmlElement[]>): XmlElement {
  const children = items.map((fields): XmlElement => ({ name: "item", attributes: [], selfClosing: false, children: [...fields] }));
  return { name, attributes: [], selfClosing: children.length === 0, children };
}

/** EC2's timestamp form, `YYYY-MM-DDThh:mm:ss.sssZ`. */
export function isoTime(epochMs: number | undefined): string | undefined {
  return epochMs === undefined ? undefined : new Date(epochMs).toISOString();
}
