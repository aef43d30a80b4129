import { formatDuration } from "../inputs/duration";
import { classifyError, type ClassifiedError } from "../ec2/errors";
import type { Explained } from "../messages/failureMessage";
import { sleep } from "../scheduling/sleep";

/** setTimeout fires at once for delays above this (about 24.8 days), so longer deadlines are armed in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The failure behind an error: for a deadline, the last attempt it cut off (when there was one). */
export function lastFailureOf(error: unknown): ClassifiedError {
  return classifyError(error instanceof DeadlineExceededError ? (error.lastError ?? error) : error);
}

/** What the last failed attempt before a deadline got: EC2's code when EC2 answered, else the network's. */
function lastAnswer(lastError: unknown): string {
  if (!(lastError instanceof Error)) {
    return "";
  }
  const { code, httpStatus } = classifyError(lastError);
  return httpStatus !== undefined ? ` (last EC2 answer: ${code})` : ` (the last attempt failed before EC2 answered: ${code})`;
}

/**
 * What to do after a deadline. A longer timeout helps only while EC2 answers and the wait is EC2's:
 * `pending` (no failure at all), throttling, snapshot limits, a busy volume, transient server faults.
 * When the last attempts never reached EC2, or had no usable credentials, more time changes nothing,
 * so the advice names what to check instead.
 */
function adviceAfterDeadline(lastError: unknown, timeoutName: string | undefined): string | undefined {
  const failure = lastError instanceof Error ? classifyError(lastError) : undefined;
  const never = (cause: string, check: string): string => `${cause} (${failure?.code}), and a longer timeout will not change that: ${check}, then run again`;
  switch (failure?.kind) {
    case "unreachable":
    case "notEc2":
    case "endpoint":
      return never(
        "no attempt reached EC2",
        "check this machine's network, DNS and any proxy, and where requests go (AWS_ENDPOINT_URL_EC2 or AWS_ENDPOINT_URL, or the region, which names EC2's endpoint)",
      );
    case "credentials":
      return never("EC2 was not given usable credentials", "check the AWS credentials in use");
    default:
      return timeoutName === undefined ? undefined : `raise ${timeoutName} to give it longer, then run again`;
  }
}

/** What to do after the engine's cancel stopped a hook: nothing is wrong, the work resumes on request. */
export const AFTER_CANCEL = "run `pulumi up` again when you want it to go on";

/** Raised when a hook's own deadline (the resource's `timeouts`) passes. */
export class DeadlineExceededError extends Error implements Explained {
  override readonly name = "DeadlineExceededError";
  readonly what: string;
  readonly next?: string;

  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
    readonly lastError?: unknown,
    /** The input that sets this deadline ("timeouts.create"), for the advice. */
    readonly timeoutName?: string,
    /** The engine cancelled the deployment (the first Ctrl-C) before the deadline: the work stopped the same way. */
    readonly cancelled = false,
  ) {
    const what = cancelled
      ? `${operation} was cancelled by the Pulumi engine${lastAnswer(lastError)}`
      : `${operation} did not finish within its ${formatDuration(timeoutMs)} timeout${lastAnswer(lastError)}`;
    const next = cancelled ? AFTER_CANCEL : adviceAfterDeadline(lastError, timeoutName);
    super(next === undefined ? what : `${what}; ${next}`);
    this.what = what;
    if (next !== undefined) {
      this.next = next;
    }
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
    readonly timeoutName?: string,
    private readonly cancel?: AbortSignal,
  ) {
    this.arm(timeoutMs);
    cancel?.addEventListener("abort", this.onCancel, { once: true });
    if (cancel?.aborted === true) {
      this.onCancel();
    }
  }

  /**
   * `timeoutName` is the input a user raises to allow longer ("timeouts.create"), when there is one;
   * `cancel` ends the deadline early, as the engine's cancel does, with the same partial-state handling.
   */
  static after(timeoutMs: number, operation: string, timeoutName?: string, cancel?: AbortSignal): Deadline {
    return new Deadline(operation, timeoutMs, Date.now(), timeoutName, cancel);
  }

  /** Aborts when the deadline passes; its reason is a DeadlineExceededError. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get expired(): boolean {
    return this.controller.signal.aborted;
  }

  /** Whether it ended by the engine's cancel rather than by its time. */
  get cancelled(): boolean {
    const reason: unknown = this.controller.signal.reason;
    return reason instanceof DeadlineExceededError && reason.cancelled;
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
    this.cancel?.removeEventListener("abort", this.onCancel);
  }

  private readonly onCancel = (): void => {
    if (!this.expired) {
      this.dispose();
      this.controller.abort(new DeadlineExceededError(this.operation, this.timeoutMs, this.lastError, this.timeoutName, true));
    }
  };

  private arm(ms: number): void {
    const step = Math.min(ms, MAX_TIMER_MS);
    this.timer = setTimeout(() => (ms > step ? this.arm(ms - step) : this.expire()), step);
    // A pending deadline must not keep the provider process alive once the hook is done.
    this.timer.unref?.();
  }

  private expire(): void {
    this.timer = undefined;
    this.controller.abort(new DeadlineExceededError(this.operation, this.timeoutMs, this.lastError, this.timeoutName));
  }
}
