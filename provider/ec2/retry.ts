import { backoffDelayMs } from "./backoff";
import type { Deadline } from "../lifecycle/deadline";
import { classifyError, type ClassifiedError, type ErrorKind } from "./errors";
import type { Settings } from "../runtime/settings";

/** Kinds that every call retries: EC2 did not act on the request, so trying again is always safe. */
const ALWAYS_RETRIED: ReadonlySet<ErrorKind> = new Set(["throttled", "unreachable"]);

export interface RetryOptions<T> {
  deadline: Deadline;
  settings: Pick<Settings, "retryMinMs" | "retryMaxMs" | "volumeSpacingMs">;
  /** Further kinds to retry, besides throttling and unreachable endpoints. */
  retryOn?: readonly ErrorKind[];
  /**
   * For calls that are not idempotent (CreateSnapshot, CreateSnapshots): after a fault that leaves it
   * unknown whether EC2 acted, this runs before the next attempt and returns what the lost attempt
   * created, if anything, so that a retry never makes a second snapshot.
   */
  recoverAmbiguous?: (signal: AbortSignal) => Promise<T | undefined>;
  /** Told about each failure that will be retried, with the delay before the next attempt. */
  onRetry?: (failure: ClassifiedError, delayMs: number) => void;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- typescript-eslint cannot resolve an import type with resolution-mode; tsc checks it
type PRetry = typeof import("p-retry", { with: { "resolution-mode": "import" } });
let pRetryModule: Promise<PRetry> | undefined;

function loadPRetry(): Promise<PRetry> {
  // p-retry is ESM-only; a dynamic import keeps this package loadable with require() on every Node 20.
  pRetryModule ??= import("p-retry");
  return pRetryModule;
}

/**
 * Runs one EC2 request with jittered exponential backoff until it succeeds, fails for good, or the
 * deadline passes. The request receives the deadline's signal, so an in-flight call is cancelled at the
 * deadline instead of outliving the hook.
 */
export async function withRetry<T>(attempt: (signal: AbortSignal) => Promise<T>, options: RetryOptions<T>): Promise<T> {
  const { default: pRetry } = await loadPRetry();
  const { deadline, settings } = options;
  const retryOn = new Set<ErrorKind>([...ALWAYS_RETRIED, ...(options.retryOn ?? [])]);
  if (options.recoverAmbiguous) {
    retryOn.add("ambiguous");
  }
  let mustRecover = false;
  deadline.throwIfExpired();

  return pRetry(
    async () => {
      if (mustRecover && options.recoverAmbiguous) {
        const recovered = await options.recoverAmbiguous(deadline.signal);
        if (recovered !== undefined) {
          return recovered;
        }
        mustRecover = false;
      }
      try {
        return await attempt(deadline.signal);
      } catch (error) {
        if (deadline.expired) {
          throw deadline.signal.reason;
        }
        if (classifyError(error).kind === "ambiguous") {
          mustRecover = true;
        }
        throw error;
      }
    },
    {
      retries: Number.POSITIVE_INFINITY,
      // The wait is ours (backoffDelayMs), slept in onFailedAttempt, so it is known before it begins.
      minTimeout: 0,
      maxTimeout: 0,
      signal: deadline.signal,
      shouldRetry: ({ error }) => retryOn.has(classifyError(error).kind),
      onFailedAttempt: async ({ error, attemptNumber }) => {
        deadline.noteError(error);
        const failure = classifyError(error);
        if (!retryOn.has(failure.kind)) {
          return;
        }
        const backoff = backoffDelayMs(attemptNumber, settings);
        // EC2 asks for 15 s between two snapshots of one volume; a shorter backoff would only fail again.
        const delay = failure.kind === "volumeRate" ? Math.max(backoff, settings.volumeSpacingMs) : backoff;
        options.onRetry?.(failure, delay);
        await deadline.sleep(delay);
      },
    },
  );
}
