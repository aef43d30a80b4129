import assert from "node:assert/strict";
import { closeEc2Connections } from "../../../provider/ec2/client";
import { DeadlineExceededError, type Deadline } from "../../../provider/lifecycle/deadline";
import { hookSpec, runHook, type HookKind } from "../../../provider/lifecycle/hookContext";
import { withCallContext } from "../../../provider/runtime/callContext";

/** The environment the hooks connect with: a region, and an endpoint no request could reach. */
const ENV = { AWS_REGION: "us-east-1", AWS_ENDPOINT_URL_EC2: "http://127.0.0.1:9" };

/** The spec of a Snapshot "db" hook with these `timeouts`. */
function spec(kind: HookKind, timeouts: unknown, atLeastMs?: number) {
  return hookSpec(kind, {
    label: 'Snapshot "db"',
    noun: "snapshot",
    subject: "volume vol-0123456789abcdef0",
    timeouts,
    region: undefined,
    ...(atLeastMs !== undefined ? { atLeastMs } : {}),
  });
}

/** The deadline a hook's work is given: how long and which setting it comes from. */
function deadlineOf(kind: HookKind, timeouts: unknown, atLeastMs?: number): Promise<{ timeoutMs: number; timeoutName: string | undefined }> {
  return runHook(spec(kind, timeouts, atLeastMs), async ({ deadline }) => ({ timeoutMs: deadline.timeoutMs, timeoutName: deadline.timeoutName }));
}

describe("runHook's deadline", () => {
  const saved: Record<string, string | undefined> = {};

  before(() => {
    for (const [name, value] of Object.entries(ENV)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });

  after(() => {
    closeEc2Connections();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
    }
  });

  it("takes the engine's customTimeouts over the resource's timeouts input", async () => {
    // given a call context with the engine's 3 s timeout and a timeouts input of 10 minutes
    // when a create runs inside it
    const deadline = await withCallContext({ timeoutMs: 3_000 }, () => deadlineOf("create", { create: "10m" }));
    // then the engine's timeout bounds it, named as the option to raise
    assert.deepEqual(deadline, { timeoutMs: 3_000, timeoutName: "customTimeouts.create" });
  });

  it("names the customTimeouts entry of the hook's own operation", async () => {
    const deadlines = await withCallContext({ timeoutMs: 5_000 }, async () => [await deadlineOf("update", {}), await deadlineOf("refresh", {}), await deadlineOf("delete", {})]);
    assert.deepEqual(deadlines, [
      { timeoutMs: 5_000, timeoutName: "customTimeouts.update" },
      { timeoutMs: 5_000, timeoutName: "customTimeouts.update" },
      { timeoutMs: 5_000, timeoutName: "customTimeouts.delete" },
    ]);
  });

  it("takes the engine's timeout over a default raised by atLeastMs", async () => {
    const deadline = await withCallContext({ timeoutMs: 3_000 }, () => deadlineOf("create", undefined, 7_200_000));
    assert.deepEqual(deadline, { timeoutMs: 3_000, timeoutName: "customTimeouts.create" });
  });

  it("takes the resource's timeouts input without a call context", async () => {
    assert.deepEqual(await deadlineOf("create", { create: "10m" }), { timeoutMs: 600_000, timeoutName: "timeouts.create" });
  });

  it("takes the resource's timeouts input in a call context without a timeout", async () => {
    const deadline = await withCallContext({ log: () => undefined }, () => deadlineOf("create", { create: "10m" }));
    assert.deepEqual(deadline, { timeoutMs: 600_000, timeoutName: "timeouts.create" });
  });

  it("falls back to the default of the hook's operation with neither", async () => {
    assert.deepEqual(
      [await deadlineOf("create", undefined), await deadlineOf("update", {}), await deadlineOf("delete", { create: "10m" })],
      [
        { timeoutMs: 3_600_000, timeoutName: "timeouts.create" },
        { timeoutMs: 3_600_000, timeoutName: "timeouts.update" },
        { timeoutMs: 600_000, timeoutName: "timeouts.delete" },
      ],
    );
  });

  it("stops the work's deadline when the engine cancels, with or without its timeout", async () => {
    // given a call context with the engine's cancel, once with customTimeouts and once without
    const outcomes = [];
    for (const context of [{ timeoutMs: 3_000 }, {}]) {
      const cancel = new AbortController();
      outcomes.push(
        await withCallContext({ ...context, cancel: cancel.signal }, () =>
          runHook(spec("create", { create: "10m" }), async ({ deadline }: { deadline: Deadline }) => {
            const before = deadline.expired;
            // when the engine cancels during the work
            cancel.abort();
            const reason = deadline.signal.reason as unknown;
            return [before, deadline.expired, reason instanceof DeadlineExceededError && reason.cancelled];
          }),
        ),
      );
    }
    // then the deadline expires at once, as cancelled
    assert.deepEqual(outcomes, [
      [false, true, true],
      [false, true, true],
    ]);
  });

  it("releases the deadline when the work ends", async () => {
    let seen: Deadline | undefined;
    const cancel = new AbortController();
    await withCallContext({ cancel: cancel.signal }, () =>
      runHook(spec("create", undefined), async ({ deadline }) => {
        seen = deadline;
      }),
    );
    cancel.abort();
    assert.equal(seen?.expired, false);
  });
});
