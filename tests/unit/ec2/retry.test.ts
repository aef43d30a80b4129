import assert from "node:assert/strict";
import { EC2ServiceException } from "@aws-sdk/client-ec2";
import sinon from "sinon";
import { Deadline, DeadlineExceededError } from "../../../provider/lifecycle/deadline";
import { withRetry, type RetryOptions } from "../../../provider/ec2/retry";
import { EndpointError } from "../../../provider/ec2/errors";

const T0 = 1_700_000_000_000;
const SETTINGS = { retryMinMs: 1_000, retryMaxMs: 8_000, volumeSpacingMs: 15_000 };

function ec2Error(code: string, httpStatusCode: number, message: string): EC2ServiceException {
  return new EC2ServiceException({
    name: code,
    $fault: httpStatusCode >= 500 ? "server" : "client",
    $metadata: { httpStatusCode, attempts: 1, totalRetryDelay: 0 },
    message,
  });
}

function networkError(code: string): Error {
  return Object.assign(new Error(`read ${code}`), { code, $metadata: { attempts: 3, totalRetryDelay: 0 } });
}

type Outcome<T> = { value: T } | { error: unknown };

function settle<T>(promise: Promise<T>): Promise<Outcome<T>> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

describe("withRetry", () => {
  let clock: sinon.SinonFakeTimers;
  let deadline: Deadline;
  /** Milliseconds since T0 at which each attempt started. */
  let attempts: number[];
  let retries: [code: string, delayMs: number][];

  before(async () => {
    // Loads the ESM-only p-retry once with real timers, so the fake clock never waits on module loading.
    const warmUp = Deadline.after(1_000, "warm-up");
    await withRetry(async () => "ok", { deadline: warmUp, settings: SETTINGS });
    warmUp.dispose();
  });

  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: T0, toFake: ["setTimeout", "clearTimeout", "Date", "performance"] });
    // p-retry's jitter is (1 + Math.random()); 0.5 makes every delay 1.5 times the base.
    sinon.stub(Math, "random").returns(0.5);
    deadline = Deadline.after(600_000, "create Snapshot");
    attempts = [];
    retries = [];
  });

  afterEach(() => {
    deadline.dispose();
    clock.restore();
    sinon.restore();
  });

  /** An attempt that fails with each of `errors` in turn, then returns `result`. */
  function failing<T>(errors: unknown[], result: T): (signal: AbortSignal) => Promise<T> {
    return async () => {
      attempts.push(Date.now() - T0);
      const error = errors.shift();
      if (error !== undefined) {
        throw error;
      }
      return result;
    };
  }

  function options(extra: Partial<RetryOptions<string>> = {}): RetryOptions<string> {
    return {
      deadline,
      settings: SETTINGS,
      onRetry: (failure, delayMs) => retries.push([failure.code, delayMs]),
      ...extra,
    };
  }

  it("retries throttling with jittered exponential backoff capped at retryMaxMs", async () => {
    // given five throttling errors before success
    const errors = Array.from({ length: 5 }, () => ec2Error("RequestLimitExceeded", 503, "Request limit exceeded."));
    const outcome = settle(withRetry(failing(errors, "snap-1"), options()));
    // when time passes
    await clock.tickAsync(60_000);
    // then the attempts are 1.5 s, 3 s, 6 s, 8 s and 8 s apart, and the call succeeds
    assert.deepEqual(await outcome, { value: "snap-1" });
    assert.deepEqual(attempts, [0, 1_500, 4_500, 10_500, 18_500, 26_500]);
    assert.deepEqual(retries, [
      ["RequestLimitExceeded", 1_500],
      ["RequestLimitExceeded", 3_000],
      ["RequestLimitExceeded", 6_000],
      ["RequestLimitExceeded", 8_000],
      ["RequestLimitExceeded", 8_000],
    ]);
  });

  it("always retries an unreachable endpoint", async () => {
    const outcome = settle(withRetry(failing([networkError("ECONNREFUSED")], "done"), options()));
    await clock.tickAsync(10_000);
    assert.deepEqual(await outcome, { value: "done" });
    assert.deepEqual(attempts, [0, 1_500]);
    assert.deepEqual(retries, [["ECONNREFUSED", 1_500]]);
  });

  it("stops at once on the provider's own verdict that the endpoint is wrong, even where ambiguous faults are retried", async () => {
    // given an attempt that fails with an EndpointError (its advice mentions the network, which a message-based guess once took for a transient fault)
    const wrong = new EndpointError(
      { url: "https://ec2.us-west-9.amazonaws.com", region: "us-west-9", regionSource: { kind: "stack" } },
      "DescribeVolumes vol-1",
      networkError("ENOTFOUND"),
      3,
    );
    const outcome = settle(withRetry(failing([wrong], "never"), options({ retryOn: ["ambiguous"] })));
    await clock.tickAsync(60_000);
    // then that one attempt is all: the error comes back as it was, with no retry
    assert.deepEqual(await outcome, { error: wrong });
    assert.deepEqual([attempts, retries], [[0], []]);
  });

  it("waits at least volumeSpacingMs after SnapshotCreationPerVolumeRateExceeded", async () => {
    // given EC2 twice refusing a second snapshot of the volume within 15 s
    const errors = [
      ec2Error("SnapshotCreationPerVolumeRateExceeded", 400, "The maximum per volume CreateSnapshot request rate has been exceeded."),
      ec2Error("SnapshotCreationPerVolumeRateExceeded", 400, "The maximum per volume CreateSnapshot request rate has been exceeded."),
    ];
    const outcome = settle(withRetry(failing(errors, "snap-2"), options({ retryOn: ["volumeRate"] })));
    await clock.tickAsync(60_000);
    // then each retry comes 15 s after the failure instead of the 1.5 s and 3 s backoff
    assert.deepEqual(await outcome, { value: "snap-2" });
    assert.deepEqual(attempts, [0, 15_000, 30_000]);
    assert.deepEqual(retries, [
      ["SnapshotCreationPerVolumeRateExceeded", 15_000],
      ["SnapshotCreationPerVolumeRateExceeded", 15_000],
    ]);
  });

  it("keeps the backoff when it is already longer than the volume spacing", async () => {
    const errors = [ec2Error("SnapshotCreationPerVolumeRateExceeded", 400, "rate")];
    const outcome = settle(withRetry(failing(errors, "snap-3"), options({ retryOn: ["volumeRate"], settings: { ...SETTINGS, volumeSpacingMs: 1_000 } })));
    await clock.tickAsync(10_000);
    assert.deepEqual(await outcome, { value: "snap-3" });
    assert.deepEqual(attempts, [0, 1_500]);
    assert.deepEqual(retries, [["SnapshotCreationPerVolumeRateExceeded", 1_500]]);
  });

  it("does not retry a fatal error and rejects with it unchanged", async () => {
    const fatal = ec2Error("InvalidParameterValue", 400, "Value for parameter volumeId is invalid.");
    const outcome = settle(withRetry(failing([fatal], "never"), options({ retryOn: ["snapshotLimit", "volumeRate", "incorrectState"] })));
    await clock.tickAsync(60_000);
    assert.deepEqual(await outcome, { error: fatal });
    assert.deepEqual(attempts, [0]);
    assert.deepEqual(retries, []);
  });

  it("does not retry a retryable kind the caller did not ask for", async () => {
    const limit = ec2Error("PendingSnapshotLimitExceeded", 400, "too many pending");
    const outcome = settle(withRetry(failing([limit], "never"), options()));
    await clock.tickAsync(60_000);
    assert.deepEqual(await outcome, { error: limit });
    assert.deepEqual(attempts, [0]);
  });

  it("does not retry an ambiguous fault of a call that cannot recover one", async () => {
    const internal = ec2Error("InternalError", 500, "An internal error has occurred");
    const outcome = settle(withRetry(failing([internal], "never"), options()));
    await clock.tickAsync(60_000);
    assert.deepEqual(await outcome, { error: internal });
    assert.deepEqual(attempts, [0]);
  });

  it("retries an ambiguous fault when asked to, for idempotent calls", async () => {
    const outcome = settle(withRetry(failing([ec2Error("InternalError", 500, "oops")], "described"), options({ retryOn: ["ambiguous"] })));
    await clock.tickAsync(10_000);
    assert.deepEqual(await outcome, { value: "described" });
    assert.deepEqual(attempts, [0, 1_500]);
  });

  it("stops retrying at the deadline and rejects with DeadlineExceededError carrying the last error", async () => {
    // given a 10 s deadline and EC2 throttling every attempt
    deadline.dispose();
    deadline = Deadline.after(10_000, "create Snapshot");
    const errors = Array.from({ length: 10 }, (_, i) => ec2Error("RequestLimitExceeded", 503, `throttled #${i + 1}`));
    const thrown = [...errors];
    const outcome = settle(withRetry(failing(errors, "never"), options()));
    // when time passes beyond the deadline
    await clock.tickAsync(60_000);
    const result = await outcome;
    // then the attempts at 0, 1.5 s and 4.5 s were all; the wait for the 10.5 s one was cut off at 10 s
    assert.deepEqual(attempts, [0, 1_500, 4_500]);
    assert.ok("error" in result && result.error instanceof DeadlineExceededError);
    assert.deepEqual(
      { message: result.error.message, operation: result.error.operation, timeoutMs: result.error.timeoutMs, lastError: result.error.lastError },
      {
        message: "create Snapshot did not finish within its 10s timeout (last EC2 answer: RequestLimitExceeded)",
        operation: "create Snapshot",
        timeoutMs: 10_000,
        lastError: thrown[2],
      },
    );
  });

  it("cancels an in-flight attempt at the deadline", async () => {
    // given an attempt that hangs until its signal aborts
    deadline.dispose();
    deadline = Deadline.after(5_000, "delete Snapshot");
    let seen: AbortSignal | undefined;
    const hanging = (signal: AbortSignal): Promise<string> => {
      seen = signal;
      attempts.push(Date.now() - T0);
      return new Promise((_, reject) => signal.addEventListener("abort", () => reject(Object.assign(new Error("Request aborted"), { name: "AbortError" }))));
    };
    const outcome = settle(withRetry(hanging, options()));
    await clock.tickAsync(5_000);
    const result = await outcome;
    // then the call was aborted at 5 s and the hook sees the deadline, not the SDK's abort
    assert.deepEqual(attempts, [0]);
    assert.equal(seen?.aborted, true);
    assert.ok("error" in result && result.error instanceof DeadlineExceededError);
    assert.equal(result.error.message, "delete Snapshot did not finish within its 5s timeout");
  });

  it("rejects at once without an attempt when the deadline has already passed", async () => {
    deadline.dispose();
    deadline = Deadline.after(1, "create Snapshot");
    await clock.tickAsync(1);
    const outcome = settle(withRetry(failing([], "never"), options()));
    await clock.tickAsync(0);
    const result = await outcome;
    assert.deepEqual(attempts, []);
    assert.ok("error" in result && result.error instanceof DeadlineExceededError);
  });

  describe("recoverAmbiguous", () => {
    it("adopts what the lost attempt created instead of attempting again", async () => {
      // given a create whose response was lost to a 500, and a snapshot that the lookup finds
      const recovered: number[] = [];
      const outcome = settle(
        withRetry(failing([ec2Error("InternalError", 500, "We encountered an internal error.")], "second snapshot"), {
          ...options(),
          recoverAmbiguous: async () => {
            recovered.push(Date.now() - T0);
            return "snap-found";
          },
        }),
      );
      await clock.tickAsync(10_000);
      // then the found snapshot is the result, looked up after the backoff, and no second create was sent
      assert.deepEqual(await outcome, { value: "snap-found" });
      assert.deepEqual(attempts, [0]);
      assert.deepEqual(recovered, [1_500]);
      assert.deepEqual(retries, [["InternalError", 1_500]]);
    });

    it("attempts again when the lookup finds nothing, and looks only once", async () => {
      const recovered: number[] = [];
      const outcome = settle(
        withRetry(failing([networkError("ECONNRESET"), ec2Error("RequestLimitExceeded", 503, "slow down")], "snap-new"), {
          ...options(),
          recoverAmbiguous: async () => {
            recovered.push(Date.now() - T0);
            return undefined;
          },
        }),
      );
      await clock.tickAsync(20_000);
      // the reset is ambiguous (look, then try); the throttle that follows is not (just try)
      assert.deepEqual(await outcome, { value: "snap-new" });
      assert.deepEqual(attempts, [0, 1_500, 4_500]);
      assert.deepEqual(recovered, [1_500]);
    });

    it("looks again after a lookup that itself failed", async () => {
      const lookups: Outcome<string | undefined>[] = [{ error: ec2Error("RequestLimitExceeded", 503, "slow down") }, { value: "snap-late" }];
      const recovered: number[] = [];
      const outcome = settle(
        withRetry(failing([ec2Error("InternalError", 500, "oops")], "never"), {
          ...options(),
          recoverAmbiguous: async () => {
            recovered.push(Date.now() - T0);
            const next = lookups.shift();
            if (next === undefined || "error" in next) {
              throw next?.error;
            }
            return next.value;
          },
        }),
      );
      await clock.tickAsync(20_000);
      assert.deepEqual(await outcome, { value: "snap-late" });
      assert.deepEqual(attempts, [0]);
      assert.deepEqual(recovered, [1_500, 4_500]);
    });
  });
});
