/**
 * Text that EC2 cannot hand back unchanged. EC2 answers in XML 1.0, whose parsers turn a carriage return
 * into a line feed and which cannot carry most control characters at all; a string with an unpaired
 * UTF-16 surrogate is not Unicode and cannot be sent. A tag or description holding any of these would
 * read back different from the program's value after every refresh: a diff that never goes away. So
 * check refuses them, saying which character, where, and what to write instead.
 */

/** XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]. */
function xmlForbidden(code: number): boolean {
  return (code < 0x20 && code !== 0x9 && code !== 0xa && code !== 0xd) || code === 0xfffe || code === 0xffff;
}

function hex(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Why EC2 could not give `text` back unchanged, or undefined when it can. Positions count Unicode characters from 1. */
export function roundTripProblem(text: string): string | undefined {
  let position = 0;
  for (let i = 0; i < text.length; i += 1) {
    position += 1;
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i += 1;
        continue;
      }
    }
    if (code >= 0xd800 && code <= 0xdfff) {
      return `has an unpaired UTF-16 surrogate (${hex(code)}) at character ${position}, which is not valid Unicode and cannot be sent to EC2`;
    }
    if (code === 0xd) {
      return (
        `has a carriage return (\\r) at character ${position}: EC2's XML answers hand it back as a line feed (\\n), ` +
        "so the value would differ from the program's after every refresh; write line breaks as \\n"
      );
    }
    if (xmlForbidden(code)) {
      return `has the control character ${hex(code)} at character ${position}, which EC2's answers cannot carry (XML 1.0 forbids it); remove it`;
    }
  }
  return undefined;
}
