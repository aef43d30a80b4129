/** One look at a pending snapshot. */
export interface Observation {
  /** When it was seen (ms since the epoch). */
  at: number;
  /** EC2's progress, 0-100, when it reported one. */
  progress?: number;
}

export interface ScheduleInput {
  now: number;
  /** When the snapshot started (EC2's StartTime, or when waiting began if unknown). */
  startedAt: number;
  /** Observations so far, oldest first. */
  observations: readonly Observation[];
  minMs: number;
  maxMs: number;
  /** Uniform random number in [0, 1); tests fix it. */
  random: () => number;
}

/** How far into its run a snapshot is polled when nothing better is known: a quarter of its age. */
const AGE_FRACTION = 0.25;
/** Jitter around the chosen delay, so that many processes polling one account do not align. */
const JITTER = 0.1;

/**
 * When EC2's progress is moving, the time at which it will reach 100% at the rate observed so far.
 * Uses the latest observation against the earliest one with less progress, so a jump since the start
 * still counts. No prediction while progress stands still since the previous look (EBS often sits at
 * 99% for a long stretch): extrapolating an old trend would poll at the shortest delay until it ends.
 */
export function predictCompletion(startedAt: number, observations: readonly Observation[]): number | undefined {
  const latest = observations[observations.length - 1];
  if (latest?.progress === undefined || latest.progress <= 0 || latest.progress >= 100) {
    return undefined;
  }
  const previous = observations[observations.length - 2];
  if (previous?.progress !== undefined && previous.progress >= latest.progress) {
    return undefined;
  }
  const earlier = observations.find((o) => o.progress !== undefined && o.progress < latest.progress! && o.at < latest.at);
  const base = earlier ?? { at: startedAt, progress: 0 };
  const elapsed = latest.at - base.at;
  const gained = latest.progress - (base.progress ?? 0);
  if (elapsed <= 0 || gained <= 0) {
    return undefined;
  }
  return latest.at + ((100 - latest.progress) * elapsed) / gained;
}

/**
 * The delay before the next poll of a pending snapshot. Without a usable progress trend it backs off
 * in proportion to the snapshot's age (young snapshots often finish quickly, old ones rarely change
 * minute to minute); with one, it aims just after the predicted completion. Always within [minMs, maxMs].
 */
export function nextPollDelay(input: ScheduleInput): number {
  const { now, startedAt, observations, minMs, maxMs, random } = input;
  const jitter = random();
  const age = Math.max(0, now - startedAt);
  let delay = age * AGE_FRACTION * (1 - JITTER + 2 * JITTER * jitter);
  const predicted = predictCompletion(startedAt, observations);
  if (predicted !== undefined) {
    // Jitter only later: a poll just before the predicted completion would find it pending and cost a round.
    delay = Math.min(delay, Math.max(0, predicted - now) * (1 + JITTER * jitter));
  }
  return Math.round(Math.min(maxMs, Math.max(minMs, delay)));
}
