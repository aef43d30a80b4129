import { formatDuration } from "./duration";
import { sleep } from "./sleep";

/** setTimeout fires at once for delays above this (about 24.8 days), so longer deadlines are armed in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Raised when a hook's own deadline (the resource's `timeouts`) passes. */
export class DeadlineExceededError extends Error {
  override readonly name = "DeadlineExceededError";
  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
    readonly lastError?: unknown,
  ) {
    super(
      `${operation} did not finish within its ${formatDuration(timeoutMs)} timeout` +
        (lastError instanceof Error ? ` (last error: ${lastError.message})` : ""),
    );
  }
}

/**
 * The point in time at which a hook must stop working. The Pulumi host ignores `customTimeouts`,
 * so every loop, sleep and in-flight request of a hook is bounded by one of these.
 */
export class Deadline {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastError: unknown;

  private constructor(
    readonly operation: string,
    readonly timeoutMs: number,
    readonly startedAt: number,
  ) {
    this.arm(timeoutMs);
  }

  static after(timeoutMs: number, operation: string): Deadline {
    return new Deadline(operation, timeoutMs, Date.now());
  }

  /** Aborts when the deadline passes; its reason is a DeadlineExceededError. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get expired(): boolean {
    return this.controller.signal.aborted;
  }

  get at(): number {
    return this.startedAt + this.timeoutMs;
  }

  remainingMs(now: number = Date.now()): number {
    return Math.max(0, this.at - now);
  }

  /** Remembers the most recent failure so that the timeout message can say what was going wrong. */
  noteError(error: unknown): void {
    this.lastError = error;
  }

  /** Sleeps at most until the deadline; rejects with DeadlineExceededError if it passes first. */
  sleep(ms: number): Promise<void> {
    return sleep(ms, this.signal);
  }

  /** Throws the DeadlineExceededError if the deadline has passed. */
  throwIfExpired(): void {
    if (this.expired) {
      throw this.signal.reason;
    }
  }

  /** Releases the timer once the hook no longer needs the deadline. */
  dispose(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private arm(ms: number): void {
    const step = Math.min(ms, MAX_TIMER_MS);
    this.timer = setTimeout(() => (ms > step ? this.arm(ms - step) : this.expire()), step);
    // A pending deadline must not keep the provider process alive once the hook is done.
    this.timer.unref?.();
  }

  private expire(): void {
    this.timer = undefined;
    this.controller.abort(new DeadlineExceededError(this.operation, this.timeoutMs, this.lastError));
  }
}
