import assert from "node:assert/strict";
import sinon from "sinon";
import { Deadline, DeadlineExceededError } from "../../../provider/lifecycle/deadline";

const T0 = 1_700_000_000_000;

describe("Deadline", () => {
  let clock: sinon.SinonFakeTimers;
  let deadline: Deadline;

  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: T0, toFake: ["setTimeout", "clearTimeout", "Date"] });
    deadline = Deadline.after(10_000, 'create Snapshot "db"');
  });

  afterEach(() => {
    deadline.dispose();
    clock.restore();
  });

  it("expires exactly after its timeout, aborting its signal with a DeadlineExceededError", async () => {
    await clock.tickAsync(9_999);
    const before = deadline.expired;
    await clock.tickAsync(1);
    assert.deepEqual([before, deadline.expired, deadline.signal.aborted], [false, true, true]);
    const reason: unknown = deadline.signal.reason;
    assert.ok(reason instanceof DeadlineExceededError);
    assert.deepEqual(
      { name: reason.name, message: reason.message, operation: reason.operation, timeoutMs: reason.timeoutMs, lastError: reason.lastError },
      {
        name: "DeadlineExceededError",
        message: 'create Snapshot "db" did not finish within its 10s timeout',
        operation: 'create Snapshot "db"',
        timeoutMs: 10_000,
        lastError: undefined,
      },
    );
  });

  it("says in the timeout message which code EC2 last answered", async () => {
    const cause = Object.assign(new Error("Request limit exceeded."), { name: "RequestLimitExceeded", $metadata: { httpStatusCode: 503 } });
    deadline.noteError(new Error("an earlier failure"));
    deadline.noteError(cause);
    await clock.tickAsync(10_000);
    const reason = deadline.signal.reason as DeadlineExceededError;
    assert.deepEqual([reason.message, reason.lastError], ['create Snapshot "db" did not finish within its 10s timeout (last EC2 answer: RequestLimitExceeded)', cause]);
  });

  it("says when the last attempt failed before EC2 answered, with the network's code", async () => {
    deadline.noteError(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }));
    await clock.tickAsync(10_000);
    const reason = deadline.signal.reason as DeadlineExceededError;
    assert.equal(reason.message, 'create Snapshot "db" did not finish within its 10s timeout (the last attempt failed before EC2 answered: ECONNRESET)');
  });

  it("names the input to raise when it knows it, as the next step", async () => {
    const named = Deadline.after(10_000, "update (snap-1)", "timeouts.update");
    await clock.tickAsync(10_000);
    const reason = named.signal.reason as DeadlineExceededError;
    assert.deepEqual(
      { what: reason.what, next: reason.next },
      { what: "update (snap-1) did not finish within its 10s timeout", next: "raise timeouts.update to give it longer, then run again" },
    );
  });

  it("advises a longer timeout only where more time could help, and names what to check where it could not", () => {
    // given the last failure before a create's deadline, one of each kind a user meets
    const lastFailures: [string, unknown][] = [
      ["pending (no failure)", undefined],
      ["throttled", Object.assign(new Error("Request limit exceeded."), { name: "RequestLimitExceeded", $metadata: { httpStatusCode: 503 } })],
      ["snapshot limit", Object.assign(new Error("Too many pending snapshots"), { name: "PendingSnapshotLimitExceeded", $metadata: { httpStatusCode: 400 } })],
      ["server fault", Object.assign(new Error("An internal error has occurred"), { name: "InternalError", $metadata: { httpStatusCode: 500 } })],
      ["refused", Object.assign(new Error("connect ECONNREFUSED 54.239.28.85:443"), { code: "ECONNREFUSED" })],
      ["no DNS", Object.assign(new Error("getaddrinfo EAI_AGAIN ec2.us-east-1.amazonaws.com"), { code: "EAI_AGAIN" })],
      ["no credentials", Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" })],
    ];
    // when the deadline passes after each
    const advice = lastFailures.map(([, error]) => [new DeadlineExceededError("create (volume vol-1)", 60_000, error, "timeouts.create").next]);
    // then only EC2's own waits get "raise timeouts.create"
    const raise = "raise timeouts.create to give it longer, then run again";
    const network =
      "no attempt reached EC2 (%s), and a longer timeout will not change that: check this machine's network, DNS and any proxy, " +
      "and where requests go (AWS_ENDPOINT_URL_EC2 or AWS_ENDPOINT_URL, or the region, which names EC2's endpoint), then run again";
    assert.deepEqual(advice, [
      [raise],
      [raise],
      [raise],
      [raise],
      [network.replace("%s", "ECONNREFUSED")],
      [network.replace("%s", "EAI_AGAIN")],
      ["EC2 was not given usable credentials (CredentialsProviderError), and a longer timeout will not change that: check the AWS credentials in use, then run again"],
    ]);
  });

  it("keeps a thrown non-error as the last error without quoting it", async () => {
    deadline.noteError("text");
    await clock.tickAsync(10_000);
    const reason = deadline.signal.reason as DeadlineExceededError;
    assert.deepEqual([reason.message, reason.lastError], ['create Snapshot "db" did not finish within its 10s timeout', "text"]);
  });

  it("reports when it ends and how long remains", async () => {
    await clock.tickAsync(4_000);
    assert.deepEqual([deadline.startedAt, deadline.at, deadline.remainingMs(), deadline.remainingMs(T0 + 20_000)], [T0, T0 + 10_000, 6_000, 0]);
  });

  it("throws its DeadlineExceededError from throwIfExpired once expired, and not before", async () => {
    deadline.throwIfExpired();
    await clock.tickAsync(10_000);
    assert.throws(() => deadline.throwIfExpired(), { name: "DeadlineExceededError", message: 'create Snapshot "db" did not finish within its 10s timeout' });
  });

  it("sleeps the full time when the deadline is further away", async () => {
    let woke: number | undefined;
    const sleeping = deadline.sleep(3_000).then(() => (woke = Date.now() - T0));
    await clock.tickAsync(3_000);
    await sleeping;
    assert.equal(woke, 3_000);
  });

  it("cuts a sleep short at the deadline with the DeadlineExceededError", async () => {
    const outcome = deadline.sleep(60_000).then(
      () => "woke",
      (error: unknown) => `${(error as Error).name} at ${Date.now() - T0}`,
    );
    await clock.tickAsync(60_000);
    assert.equal(await outcome, "DeadlineExceededError at 10000");
  });

  it("holds a deadline longer than the largest timer delay until it really passes", async () => {
    // given a 720h timeout, beyond setTimeout's 2^31-1 ms, which would otherwise fire at once
    const long = Deadline.after(2_592_000_000, "create Snapshot");
    try {
      await clock.tickAsync(1_000);
      const early = long.expired;
      await clock.tickAsync(2_592_000_000 - 1_000 - 1);
      const justBefore = long.expired;
      await clock.tickAsync(1);
      assert.deepEqual([early, justBefore, long.expired, (long.signal.reason as Error).message], [false, false, true, "create Snapshot did not finish within its 720h timeout"]);
    } finally {
      long.dispose();
    }
  });

  it("stays disposed across the steps of a long deadline", async () => {
    const long = Deadline.after(3_000_000_000, "create Snapshot");
    await clock.tickAsync(2_500_000_000);
    long.dispose();
    await clock.tickAsync(1_000_000_000);
    // the 10 s deadline of beforeEach has fired already, so no timer at all is left
    assert.deepEqual([long.expired, clock.countTimers()], [false, 0]);
  });

  it("never expires once disposed", async () => {
    deadline.dispose();
    await clock.tickAsync(60_000);
    assert.equal(deadline.expired, false);
  });
});

describe("DeadlineExceededError", () => {
  it("formats the timeout in the message as a duration", () => {
    assert.equal(new DeadlineExceededError("delete Snapshot", 5_400_000).message, "delete Snapshot did not finish within its 1h30m timeout");
  });
});

describe("Deadline cancelled by the engine", () => {
  let clock: sinon.SinonFakeTimers;
  let cancel: AbortController;

  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: T0, toFake: ["setTimeout", "clearTimeout", "Date"] });
    cancel = new AbortController();
  });

  afterEach(() => {
    clock.restore();
  });

  it("expires at once when the cancel signal aborts, with a cancelled DeadlineExceededError", async () => {
    // given a 10-minute create deadline tied to the engine's cancel
    const deadline = Deadline.after(600_000, "create (volume vol-1)", "timeouts.create", cancel.signal);
    try {
      await clock.tickAsync(1_000);
      const before = deadline.expired;
      // when the engine cancels
      cancel.abort();
      // then the deadline has expired without waiting for its timeout
      const reason: unknown = deadline.signal.reason;
      assert.ok(reason instanceof DeadlineExceededError);
      assert.deepEqual(
        { before, expired: deadline.expired, cancelled: reason.cancelled, message: reason.message, what: reason.what, next: reason.next, timeoutMs: reason.timeoutMs },
        {
          before: false,
          expired: true,
          cancelled: true,
          message: "create (volume vol-1) was cancelled by the Pulumi engine; run `pulumi up` again when you want it to go on",
          what: "create (volume vol-1) was cancelled by the Pulumi engine",
          next: "run `pulumi up` again when you want it to go on",
          timeoutMs: 600_000,
        },
      );
    } finally {
      deadline.dispose();
    }
  });

  it("says which code EC2 last answered before the cancel, and still advises running again rather than a longer timeout", () => {
    const deadline = Deadline.after(600_000, "create (volume vol-1)", "timeouts.create", cancel.signal);
    try {
      deadline.noteError(Object.assign(new Error("Request limit exceeded."), { name: "RequestLimitExceeded", $metadata: { httpStatusCode: 503 } }));
      cancel.abort();
      assert.equal(
        (deadline.signal.reason as DeadlineExceededError).message,
        "create (volume vol-1) was cancelled by the Pulumi engine (last EC2 answer: RequestLimitExceeded); run `pulumi up` again when you want it to go on",
      );
    } finally {
      deadline.dispose();
    }
  });

  it("cuts a sleep short with the cancel", async () => {
    const deadline = Deadline.after(600_000, "update (snap-1)", "timeouts.update", cancel.signal);
    try {
      const outcome = deadline.sleep(60_000).then(
        () => "woke",
        (error: unknown) => `${(error as DeadlineExceededError).cancelled ? "cancelled" : "timed out"} at ${Date.now() - T0}`,
      );
      await clock.tickAsync(2_000);
      cancel.abort();
      assert.equal(await outcome, "cancelled at 2000");
    } finally {
      deadline.dispose();
    }
  });

  it("releases its timer when cancelled, so its timeout never fires afterwards", async () => {
    const deadline = Deadline.after(10_000, "create (volume vol-1)", "timeouts.create", cancel.signal);
    cancel.abort();
    const timersAfterCancel = clock.countTimers();
    await clock.tickAsync(60_000);
    assert.deepEqual([timersAfterCancel, (deadline.signal.reason as DeadlineExceededError).cancelled], [0, true]);
  });

  it("is expired from the start when the signal was aborted before it was made", () => {
    // given an engine that cancelled before the hook began
    cancel.abort();
    // when the hook's deadline is made
    const deadline = Deadline.after(600_000, "delete (snap-1)", "timeouts.delete", cancel.signal);
    // then it is already expired, as cancelled, with no timer left
    assert.deepEqual([deadline.expired, (deadline.signal.reason as DeadlineExceededError).cancelled, clock.countTimers()], [true, true, 0]);
    assert.throws(() => deadline.throwIfExpired(), {
      name: "DeadlineExceededError",
      message: "delete (snap-1) was cancelled by the Pulumi engine; run `pulumi up` again when you want it to go on",
    });
  });

  it("ignores a cancel after it was disposed", () => {
    // given a deadline whose hook has finished
    const deadline = Deadline.after(600_000, "create (volume vol-1)", "timeouts.create", cancel.signal);
    deadline.dispose();
    // when the engine cancels afterwards
    cancel.abort();
    // then the deadline stays unexpired
    assert.deepEqual([deadline.expired, deadline.signal.aborted], [false, false]);
  });

  it("keeps its timeout as the reason when the cancel comes after the deadline passed", async () => {
    const deadline = Deadline.after(10_000, "create (volume vol-1)", "timeouts.create", cancel.signal);
    try {
      await clock.tickAsync(10_000);
      cancel.abort();
      const reason = deadline.signal.reason as DeadlineExceededError;
      assert.deepEqual(
        [reason.cancelled, reason.message],
        [false, "create (volume vol-1) did not finish within its 10s timeout; raise timeouts.create to give it longer, then run again"],
      );
    } finally {
      deadline.dispose();
    }
  });

  it("is not cancelled by a timeout of its own", async () => {
    const deadline = Deadline.after(10_000, "create (volume vol-1)", undefined, cancel.signal);
    try {
      await clock.tickAsync(10_000);
      assert.equal((deadline.signal.reason as DeadlineExceededError).cancelled, false);
    } finally {
      deadline.dispose();
    }
  });
});
