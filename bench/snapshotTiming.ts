/**
 * How long each simulated snapshot takes and how its Progress rises. Durations are log-normal
 * (median and spread below); Progress is deliberately *not* linear in time, because EBS's is not: it
 * sits at 0% for a while (queueing), then rises along a curve that may be concave or convex, and
 * lingers at 99% before `completed`. A linear Progress would let a progress-extrapolating poller hit
 * every completion exactly, which no real account offers.
 */
import { mulberry32, normal, seedOf, uniform } from "./random";

export type ProgressShape = "realistic" | "linear";

export interface TimingModel {
  seed: number;
  /** "linear": Progress proportional to elapsed time (the best case for a progress-extrapolating poller). Default "realistic". */
  progress?: ProgressShape;
  /** Median duration, simulated ms. */
  medianMs: number;
  /** Sigma of ln(duration). */
  sigma: number;
}

/** The bench's default model: median 5 simulated minutes, sigma 0.7 (p95 ≈ 16 min, max of 500 ≈ 40 min). */
export const DEFAULT_TIMING: Readonly<Omit<TimingModel, "seed">> = Object.freeze({ medianMs: 5 * 60_000, sigma: 0.7 });

export interface SnapshotTiming {
  durationMs: number;
  /** Fraction of the duration spent at 0%. */
  stall: number;
  /** Fraction of the duration at which Progress reaches 99% and stays there. */
  plateau: number;
  /** Shape of the rise between the two (below 1: fast then slow; above 1: slow then fast). */
  exponent: number;
}

/** The timing of the k-th snapshot (0-based) taken of a volume: the same whichever mode takes it. */
export function timingOf(model: TimingModel, volumeId: string, k: number): SnapshotTiming {
  const random = mulberry32(seedOf(model.seed, volumeId, k));
  const durationMs = model.medianMs * Math.exp(model.sigma * normal(random));
  const shape = { stall: uniform(random, 0, 0.25), plateau: uniform(random, 0.8, 1), exponent: Math.exp(uniform(random, -0.7, 0.7)) };
  return model.progress === "linear" ? { durationMs, stall: 0, plateau: 1, exponent: 1 } : { durationMs, ...shape };
}

/** Whole-percent Progress at `elapsedMs` into a snapshot that is still pending (0-99). */
export function progressAt(timing: SnapshotTiming, elapsedMs: number): number {
  const f = Math.max(0, elapsedMs) / timing.durationMs;
  if (f <= timing.stall) {
    return 0;
  }
  if (f >= timing.plateau) {
    return 99;
  }
  const x = (f - timing.stall) / (timing.plateau - timing.stall);
  return Math.min(99, Math.floor(99 * x ** timing.exponent));
}
