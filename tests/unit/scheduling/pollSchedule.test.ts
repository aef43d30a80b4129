import assert from "node:assert/strict";
import { predictCompletion } from "../../../provider/scheduling/pollSchedule";

describe("predictCompletion", () => {
  it("extrapolates the rate between the earliest lower observation and the latest", () => {
    // given 10% at 1 min and 30% at 2 min: 20 points a minute
    const predicted = predictCompletion(0, [
      { at: 60_000, progress: 10 },
      { at: 120_000, progress: 30 },
    ]);
    // then 100% comes 3.5 min after the latest look
    assert.equal(predicted, 330_000);
  });

  it("predicts nothing while progress stands still since the previous look", () => {
    // EBS often sits at one figure (99% above all) for a long stretch: the old trend says nothing of its end
    const stalled = predictCompletion(0, [
      { at: 60_000, progress: 10 },
      { at: 120_000, progress: 40 },
      { at: 180_000, progress: 40 },
    ]);
    assert.equal(stalled, undefined);
  });

  it("predicts again once progress moves after a stall, from the earliest lower figure", () => {
    const predicted = predictCompletion(0, [
      { at: 60_000, progress: 10 },
      { at: 120_000, progress: 40 },
      { at: 180_000, progress: 40 },
      { at: 240_000, progress: 70 },
    ]);
    // 60 points over 3 min since the 10% at 1 min: 30 points to go from 4 min take 1.5 min
    assert.equal(predicted, 330_000);
  });

  it("measures from the start when the only observation already shows progress", () => {
    assert.equal(predictCompletion(0, [{ at: 60_000, progress: 50 }]), 120_000);
  });

  it("skips observations without progress when looking for the earlier point", () => {
    const predicted = predictCompletion(0, [{ at: 30_000 }, { at: 60_000, progress: 20 }, { at: 120_000, progress: 60 }]);
    assert.equal(predicted, 180_000);
  });

  it("has no prediction without a usable trend", () => {
    assert.deepEqual(
      [
        predictCompletion(0, []),
        predictCompletion(0, [{ at: 60_000 }]),
        predictCompletion(0, [{ at: 60_000, progress: 0 }]),
        predictCompletion(0, [{ at: 60_000, progress: 100 }]),
        // EC2's start time ahead of the local clock: no elapsed time to measure
        predictCompletion(90_000, [{ at: 60_000, progress: 50 }]),
      ],
      [undefined, undefined, undefined, undefined, undefined],
    );
  });
});
