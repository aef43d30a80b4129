/**
 * Time in the bench. With the scaled clock, simulated time runs `scale` times faster than real time from
 * the simulator's start; with the virtual clock (virtualTime.ts), `Date` is faked and the scale is 1.
 * Each worker process reads one time source for everything it records.
 */
let source: () => number = () => performance.timeOrigin + performance.now();

/** The process's time stamps, epoch ms: the real high-resolution clock, or the faked `Date`. */
export function epochMs(): number {
  return source();
}

/** Switches the process to the faked `Date` (virtual time). */
export function useDateAsTimeSource(): void {
  source = () => Date.now();
}

export class SimClock {
  readonly startedAt = epochMs();

  constructor(readonly scale: number) {
    if (!(scale > 0)) {
      throw new RangeError(`time scale must be positive, got ${scale}`);
    }
  }

  /** Simulated milliseconds since the start. */
  now(): number {
    return this.toSim(epochMs());
  }

  /** A time stamp (epoch ms) as simulated ms since the start. */
  toSim(epoch: number): number {
    return (epoch - this.startedAt) * this.scale;
  }

  /** Simulated ms since the start as a time stamp (epoch ms) of the process's clock. */
  toEpoch(simMs: number): number {
    return this.startedAt + simMs / this.scale;
  }
}
