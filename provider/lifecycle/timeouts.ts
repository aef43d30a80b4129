import { parseDuration } from "../inputs/duration";
import type { Timeouts } from "../types";

/** Defaults of the provider's own deadlines; the host ignores Pulumi's customTimeouts. */
export const DEFAULT_TIMEOUTS_MS: Readonly<Record<keyof Timeouts, number>> = Object.freeze({
  create: 60 * 60_000,
  update: 60 * 60_000,
  delete: 10 * 60_000,
});

/**
 * The deadline of one operation, from the resource's `timeouts` (already validated by check), or the
 * default; `atLeastMs` raises the default (a time-based copy's promised duration), never a given value.
 */
export function timeoutMs(timeouts: unknown, operation: keyof Timeouts, atLeastMs = 0): number {
  const given = timeouts !== null && typeof timeouts === "object" ? (timeouts as Record<string, unknown>)[operation] : undefined;
  const parsed = typeof given === "string" ? parseDuration(given) : undefined;
  return parsed ?? Math.max(DEFAULT_TIMEOUTS_MS[operation], atLeastMs);
}
