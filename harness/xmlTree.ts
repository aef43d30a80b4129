/**
 * A minimal XML tree for rewriting EC2 Query-protocol answers in tests.
 *
 * EC2 (and moto) answers are plain element trees: an optional `<?xml ...?>` declaration, one root with
 * an `xmlns` attribute, nested elements, text with the five predefined entities and numeric character
 * references. There is no CDATA, no comment, no DOCTYPE and no processing instruction after the
 * declaration; the parser rejects those instead of guessing, so a surprising answer fails a test loudly.
 *
 * serialize(parse(text)) reproduces `text` byte for byte as long as the text escapes only `&`, `<` and
 * `>` in character data (moto does), which the round-trip test pins.
 */

export interface XmlElement {
  name: string;
  /** In document order; EC2 uses only `xmlns` on the root. */
  attributes: Array<[string, string]>;
  /** Elements and decoded text, in document order (whitespace text is kept for the round trip). */
  children: XmlNode[];
  /** Written as `<name/>`; only meaningful while `children` is empty. */
  selfClosing: boolean;
}

export type XmlNode = XmlElement | string;

export interface XmlDocument {
  /** Everything before the root element, verbatim (the declaration and the line break after it). */
  prolog: string;
  root: XmlElement;
  /** Whitespace after the root element, verbatim. */
  epilog: string;
}

export class XmlParseError extends Error {
  override readonly name = "XmlParseError";
  constructor(message: string, offset: number) {
    super(`${message} at offset ${offset}`);
  }
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
const NAME = /[A-Za-z_][A-Za-z0-9_.:-]*/y;
const ATTRIBUTE = /\s+([A-Za-z_][A-Za-z0-9_.:-]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;

function decodeEntities(raw: string, offset: number): string {
  return raw.replace(/&([^;&\s]*);?/g, (whole: string, body: string) => {
    if (!whole.endsWith(";")) {
      throw new XmlParseError(`unterminated entity "${whole}"`, offset);
    }
    if (body.startsWith("#x") || body.startsWith("#X")) {
      return String.fromCodePoint(Number.parseInt(body.slice(2), 16));
    }
    if (body.startsWith("#")) {
      return String.fromCodePoint(Number.parseInt(body.slice(1), 10));
    }
    const named = NAMED_ENTITIES[body];
    if (named === undefined) {
      throw new XmlParseError(`unknown entity "&${body};"`, offset);
    }
    return named;
  });
}

class Parser {
  private position = 0;

  constructor(private readonly text: string) {}

  document(): XmlDocument {
    const rootStart = this.skipProlog();
    const prolog = this.text.slice(0, rootStart);
    this.position = rootStart;
    const root = this.element();
    const epilog = this.text.slice(this.position);
    if (epilog.trim() !== "") {
      throw new XmlParseError("content after the root element", this.position);
    }
    return { prolog, root, epilog };
  }

  private skipProlog(): number {
    let at = 0;
    if (this.text.startsWith("\uFEFF")) {
      at = 1;
    }
    if (this.text.startsWith("<?xml", at)) {
      const end = this.text.indexOf("?>", at);
      if (end < 0) {
        throw new XmlParseError("unterminated XML declaration", at);
      }
      at = end + 2;
    }
    while (at < this.text.length && /\s/.test(this.text[at] ?? "")) {
      at++;
    }
    if (this.text[at] !== "<") {
      throw new XmlParseError("no root element", at);
    }
    return at;
  }

  private name(): string {
    NAME.lastIndex = this.position;
    const match = NAME.exec(this.text);
    if (match === null) {
      throw new XmlParseError("expected a name", this.position);
    }
    this.position = NAME.lastIndex;
    return match[0];
  }

  private element(): XmlElement {
    this.expect("<");
    this.rejectUnsupported();
    const name = this.name();
    const attributes: Array<[string, string]> = [];
    for (;;) {
      ATTRIBUTE.lastIndex = this.position;
      const match = ATTRIBUTE.exec(this.text);
      if (match === null) {
        break;
      }
      attributes.push([match[1] ?? "", decodeEntities(match[2] ?? match[3] ?? "", this.position)]);
      this.position = ATTRIBUTE.lastIndex;
    }
    this.skipWhitespace();
    if (this.text.startsWith("/>", this.position)) {
      this.position += 2;
      return { name, attributes, children: [], selfClosing: true };
    }
    this.expect(">");
    const children: XmlNode[] = [];
    for (;;) {
      const next = this.text.indexOf("<", this.position);
      if (next < 0) {
        throw new XmlParseError(`unterminated element <${name}>`, this.position);
      }
      if (next > this.position) {
        children.push(decodeEntities(this.text.slice(this.position, next), this.position));
        this.position = next;
      }
      if (this.text.startsWith("</", this.position)) {
        this.position += 2;
        const closing = this.name();
        if (closing !== name) {
          throw new XmlParseError(`</${closing}> closes <${name}>`, this.position);
        }
        this.skipWhitespace();
        this.expect(">");
        return { name, attributes, children, selfClosing: false };
      }
      children.push(this.element());
    }
  }

  private rejectUnsupported(): void {
    const next = this.text[this.position];
    if (next === "!" || next === "?") {
      throw new XmlParseError("comments, CDATA, DOCTYPE and processing instructions are not supported", this.position);
    }
  }

  private skipWhitespace(): void {
    while (/\s/.test(this.text[this.position] ?? "")) {
      this.position++;
    }
  }

  private expect(literal: string): void {
    if (!this.text.startsWith(literal, this.position)) {
      throw new XmlParseError(`expected "${literal}"`, this.position);
    }
    this.position += literal.length;
  }
}

export function parseXml(text: string): XmlDocument {
  return new Parser(text).document();
}

function escapeText(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function escapeAttribute(value: string): string {
  return escapeText(value).replace(/"/g, "&quot;");
}

function serializeElement(element: XmlElement, out: string[]): void {
  out.push("<", element.name);
  for (const [name, value] of element.attributes) {
    out.push(" ", name, '="', escapeAttribute(value), '"');
  }
  if (element.children.length === 0 && element.selfClosing) {
    out.push("/>");
    return;
  }
  out.push(">");
  for (const child of element.children) {
    if (typeof child === "string") {
      out.push(escapeText(child));
    } else {
      serializeElement(child, out);
    }
  }
  out.push("</", element.name, ">");
}

export function serializeXml(document: XmlDocument): string {
  const out: string[] = [document.prolog];
  serializeElement(document.root, out);
  out.push(document.epilog);
  return out.join("");
}

/** A new element holding `text` (or nothing, written `<name/>`). */
export function xmlElement(name: string, text?: string): XmlElement {
  return { name, attributes: [], children: text === undefined ? [] : [text], selfClosing: text === undefined };
}

export function childElements(parent: XmlElement, name?: string): XmlElement[] {
  return parent.children.filter((child): child is XmlElement => typeof child !== "string" && (name === undefined || child.name === name));
}

export function childElement(parent: XmlElement, name: string): XmlElement | undefined {
  return childElements(parent, name)[0];
}

/** The concatenated text directly inside `element`. */
export function textOf(element: XmlElement): string {
  return element.children.filter((child): child is string => typeof child === "string").join("");
}

/** The text of the first child named `name`, or undefined when there is no such child. */
export function childText(parent: XmlElement, name: string): string | undefined {
  const child = childElement(parent, name);
  return child === undefined ? undefined : textOf(child);
}

/** Replaces the first child named `name` in place, or appends one when there is none. */
export function setChild(parent: XmlElement, replacement: XmlElement): void {
  const index = parent.children.findIndex((child) => typeof child !== "string" && child.name === replacement.name);
  if (index < 0) {
    parent.children.push(replacement);
    parent.selfClosing = false;
  } else {
    parent.children[index] = replacement;
  }
}

export function setChildText(parent: XmlElement, name: string, text: string): void {
  setChild(parent, xmlElement(name, text));
}

export function removeChildren(parent: XmlElement, name: string): void {
  parent.children = parent.children.filter((child) => typeof child === "string" || child.name !== name);
}
