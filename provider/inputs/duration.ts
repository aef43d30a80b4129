/**
 * Durations as users write them for timeouts: Go-style sequences such as "90s", "10m", "1h30m" or
 * "1.5h", the same syntax Pulumi's `customTimeouts` use.
 */
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h)/y;

/** Returns the duration in milliseconds, or undefined when the text is not a positive duration. */
export function parseDuration(text: string): number | undefined {
  const source = text.trim();
  if (source === "") {
    return undefined;
  }
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < source.length) {
    const start = PART.lastIndex;
    const match = PART.exec(source);
    if (match === null || match.index !== start) {
      return undefined;
    }
    total += Number(match[1]) * (UNIT_MS[match[2]] ?? Number.NaN);
  }
  const ms = Math.round(total);
  return Number.isFinite(ms) && ms > 0 && ms <= Number.MAX_SAFE_INTEGER ? ms : undefined;
}

/** Formats milliseconds for messages: "1h2m", "45s", "350ms". */
export function formatDuration(ms: number): string {
  if (Math.round(ms) < 1_000) {
    return `${Math.max(0, Math.round(ms))}ms`;
  }
  let seconds = Math.round(ms / 1_000);
  const hours = Math.floor(seconds / 3_600);
  seconds -= hours * 3_600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  return [hours ? `${hours}h` : "", minutes ? `${minutes}m` : "", seconds || (!hours && !minutes) ? `${seconds}s` : ""].join("");
}
