/** One look at a pending snapshot. */
export interface Observation {
  /** When it was seen (ms since the epoch). */
  at: number;
  /** EC2's progress, 0-100, when it reported one. */
  progress?: number;
}

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
