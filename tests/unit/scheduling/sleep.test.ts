import assert from "node:assert/strict";
import sinon from "sinon";
import { sleep } from "../../../provider/scheduling/sleep";

describe("sleep", () => {
  let clock: sinon.SinonFakeTimers;

  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 0, toFake: ["setTimeout", "clearTimeout", "Date"] });
  });

  afterEach(() => {
    clock.restore();
  });

  function settleTime(promise: Promise<void>): Promise<string> {
    return promise.then(
      () => `resolved at ${Date.now()}`,
      (error: unknown) => `rejected at ${Date.now()}: ${(error as Error).message}`,
    );
  }

  it("resolves after the given time and not before", async () => {
    let done = false;
    const outcome = settleTime(sleep(1_500)).finally(() => (done = true));
    await clock.tickAsync(1_499);
    const early = done;
    await clock.tickAsync(1);
    assert.deepEqual([early, await outcome], [false, "resolved at 1500"]);
  });

  it("treats a negative time as no wait", async () => {
    const outcome = settleTime(sleep(-100));
    await clock.tickAsync(0);
    assert.equal(await outcome, "resolved at 0");
  });

  it("rejects with the signal's reason as soon as it aborts, and clears its timer", async () => {
    const controller = new AbortController();
    const outcome = settleTime(sleep(60_000, controller.signal));
    await clock.tickAsync(2_000);
    controller.abort(new Error("deadline passed"));
    assert.deepEqual([await outcome, clock.countTimers()], ["rejected at 2000: deadline passed", 0]);
  });

  it("rejects at once for a signal that is already aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("too late"));
    const outcome = settleTime(sleep(60_000, controller.signal));
    await clock.tickAsync(0);
    assert.deepEqual([await outcome, clock.countTimers()], ["rejected at 0: too late", 0]);
  });

  it("stops listening to the signal once it has resolved", async () => {
    const controller = new AbortController();
    const removed = sinon.spy(controller.signal, "removeEventListener");
    const outcome = settleTime(sleep(100, controller.signal));
    await clock.tickAsync(100);
    controller.abort(new Error("after the fact"));
    assert.deepEqual([await outcome, removed.callCount], ["resolved at 100", 1]);
  });
});
