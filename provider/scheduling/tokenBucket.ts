/**
 * A token bucket shaped like EC2's request throttling: `capacity` requests at once, refilled at
 * `refillPerSecond`. `reserve` never refuses; it books a token and says how long to wait for it, so
 * callers queue in arrival order instead of racing.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly capacity: number,
    readonly refillPerSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(capacity >= 1) || !(refillPerSecond > 0)) {
      throw new RangeError(`a token bucket needs capacity >= 1 and a positive refill rate, got ${capacity} and ${refillPerSecond}`);
    }
    this.tokens = capacity;
    this.last = now();
  }

  /** Books one token; returns the milliseconds to wait before using it (0 when one is available now). */
  reserve(): number {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.refillPerSecond) / 1_000);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1_000) / this.refillPerSecond);
  }
}
