/** The retry schedule's bounds, from the settings (EBS_SNAPSHOTS_RETRY_MIN_MS, _MAX_MS). */
export interface BackoffBounds {
  retryMinMs: number;
  retryMaxMs: number;
}

/**
 * The wait before retry number `attempt` (1 for the first retry): exponential with factor 2 from
 * retryMinMs, jittered by a factor between 1 and 2, and capped at retryMaxMs. One pure function, so
 * that the one line announcing a wait can say how long it is, and tests can pin the exact schedule.
 */
export function backoffDelayMs(attempt: number, bounds: BackoffBounds, random: () => number = Math.random): number {
  const min = Math.max(1, bounds.retryMinMs);
  const max = Math.max(1, bounds.retryMaxMs);
  const base = min * 2 ** Math.max(0, attempt - 1);
  return Math.min(Math.round((1 + random()) * base), max);
}
