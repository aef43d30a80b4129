/** How generated TypeScript is laid out: comments wrapped to a width, and named imports and exports as prettier prints them. */
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "./schema";

/** Comment lines are wrapped at this width, a comment that fits on one line of CODE_WIDTH is kept there. */
const TEXT_WIDTH = 100;
const CODE_WIDTH = 150;
/** Prettier's line width (.prettierrc.json), which `npm run lint` checks the generated files against. */
const PRINT_WIDTH = (JSON.parse(fs.readFileSync(path.join(ROOT, ".prettierrc.json"), "utf8")) as { printWidth: number }).printWidth;

export function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function wrap(text: string): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split(/\n{2,}/)) {
    if (lines.length > 0) {
      lines.push("");
    }
    let line = "";
    for (const word of paragraph.split(/\s+/)) {
      if (line !== "" && line.length + 1 + word.length > TEXT_WIDTH) {
        lines.push(line);
        line = word;
      } else {
        line = line === "" ? word : `${line} ${word}`;
      }
    }
    lines.push(line);
  }
  return lines;
}

export function jsDoc(text: string, indent: string): string[] {
  const single = `${indent}/** ${text} */`;
  if (!text.includes("\n") && single.length <= CODE_WIDTH) {
    return [single];
  }
  return [`${indent}/**`, ...wrap(text).map((line) => (line === "" ? `${indent} *` : `${indent} * ${line}`)), `${indent} */`];
}

/**
 * An import or export of named bindings as prettier lays it out: on one line if it fits in PRINT_WIDTH,
 * else one name a line, each with a trailing comma (.prettierrc.json: "trailingComma": "all").
 */
export function namedList(head: string, names: readonly string[], tail: string): string[] {
  const single = `${head} { ${names.join(", ")} }${tail}`;
  return single.length <= PRINT_WIDTH ? [single] : [`${head} {`, ...names.map((name) => `  ${name},`), `}${tail}`];
}
