/**
 * Just enough Markdown for the docs tests: fenced code blocks, headings as GitHub anchors them, and
 * inline links outside code. Not a Markdown parser: the docs here use fences, ATX headings and inline
 * links only.
 */

export interface CodeBlock {
  /** The fence's info string, such as `ts` or `python` (empty when none). */
  lang: string;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
}

export interface Link {
  target: string;
  line: number;
}

const FENCE = /^\s*(`{3,}|~{3,})\s*([\w+-]*)/;

/** The fenced code blocks, in order. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (open === null) {
      continue;
    }
    const marker = open[1];
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j].trimStart().startsWith(marker)) {
      body.push(lines[j]);
      j++;
    }
    blocks.push({ lang: open[2].toLowerCase(), code: body.join("\n"), line: i + 1 });
    i = j;
  }
  return blocks;
}

/** The Markdown with every fenced block's lines emptied, so that line numbers stay as they were. */
export function withoutCode(markdown: string): string {
  const lines = markdown.split("\n");
  let fence: string | undefined;
  return lines
    .map((line) => {
      const open = FENCE.exec(line);
      if (fence === undefined && open !== null) {
        fence = open[1];
        return "";
      }
      if (fence !== undefined) {
        if (line.trimStart().startsWith(fence)) {
          fence = undefined;
        }
        return "";
      }
      return line;
    })
    .join("\n");
}

/** A heading's anchor as GitHub makes it: the rendered text, lower-cased, punctuation dropped, each space a hyphen. */
export function slugOf(heading: string): string {
  const text = heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/`/g, "")
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-");
}

/** Every anchor the headings of a document define (a repeated heading gets `-1`, `-2`, ...). */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutCode(markdown).split("\n")) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading === null) {
      continue;
    }
    const slug = slugOf(heading[1]);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** The targets of the inline links `[text](target)` outside code blocks and code spans. */
export function linksOf(markdown: string): Link[] {
  const links: Link[] = [];
  withoutCode(markdown)
    .split("\n")
    .forEach((line, index) => {
      const prose = line.replace(/`[^`]*`/g, (span) => " ".repeat(span.length));
      for (const match of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        links.push({ target: match[1], line: index + 1 });
      }
    });
  return links;
}

/** The paragraphs (runs of non-blank lines) of a document, code blocks included as their own runs. */
export function paragraphsOf(markdown: string): string[] {
  return markdown
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== "");
}
