import assert from "node:assert/strict";
import sinon from "sinon";
import { acquireRequestBudget } from "../../../provider/scheduling/requestBudget";

describe("acquireRequestBudget", () => {
  let clock: sinon.SinonFakeTimers;

  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_700_000_000_000, toFake: ["setTimeout", "clearTimeout", "Date"] });
  });

  afterEach(() => {
    clock.restore();
  });

  it("sends a burst within the budget at once, then says, once per waiting request, how long and why", async () => {
    // given a region of its own and CreateSnapshot's bucket (100, refilling 5/s; the provider keeps 90% of it)
    const region = "test-budget-1";
    const lines: string[] = [];
    const onWait = (line: string, waitMs: number): void => void lines.push(`${Math.round(waitMs)}ms ${line}`);
    // when 90 requests go out, then one more
    for (let i = 0; i < 90; i += 1) {
      await acquireRequestBudget(region, "CreateSnapshot", undefined, onWait);
    }
    assert.deepEqual(lines, []);
    const waiting = acquireRequestBudget(region, "CreateSnapshot", undefined, onWait);
    await clock.tickAsync(1_000);
    await waiting;
    // then only the 91st waited, for one token at 4.5 per second, and said so
    assert.deepEqual(lines, [
      "223ms waiting 223ms to send CreateSnapshot: the provider keeps within EC2's request budget for it (bursts of 100, then 5 per second, per account and region)",
    ]);
  });
});
