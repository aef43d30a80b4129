import assert from "node:assert/strict";
import { nextPollDelay, predictCompletion, type ScheduleInput } from "../../../provider/scheduling/pollSchedule";

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

describe("nextPollDelay", () => {
  const base: ScheduleInput = { now: 600_000, startedAt: 0, observations: [], minMs: 5_000, maxMs: 300_000, random: () => 0.5 };

  it("waits a quarter of the snapshot's age when nothing better is known", () => {
    // given a 10-minute-old snapshot and the middle of the jitter range
    assert.equal(nextPollDelay(base), 150_000);
  });

  it("jitters the delay by 10% either way", () => {
    assert.deepEqual(
      [0, 0.25, 0.75, 0.999].map((r) => nextPollDelay({ ...base, random: () => r })),
      [135_000, 142_500, 157_500, 164_970],
    );
  });

  it("backs off in proportion to age", () => {
    assert.deepEqual(
      [40_000, 120_000, 240_000, 480_000].map((age) => nextPollDelay({ ...base, now: age })),
      [10_000, 30_000, 60_000, 120_000],
    );
  });

  it("aims just after the predicted completion when it comes sooner than the age backoff", () => {
    // given 10% at 1 min and 95% at 400 s: 100% is due 20 s from now, plus half of the 10% upward jitter
    const delay = nextPollDelay({
      ...base,
      now: 400_000,
      observations: [
        { at: 60_000, progress: 10 },
        { at: 400_000, progress: 95 },
      ],
    });
    assert.equal(delay, 21_000);
  });

  it("never aims before the predicted completion, whatever the jitter", () => {
    const observations = [
      { at: 60_000, progress: 10 },
      { at: 400_000, progress: 95 },
    ];
    assert.deepEqual(
      [0, 0.999].map((r) => nextPollDelay({ ...base, now: 400_000, observations, random: () => r })),
      [20_000, 21_998],
    );
  });

  it("keeps the age backoff when the predicted completion is further away", () => {
    const delay = nextPollDelay({
      ...base,
      now: 120_000,
      observations: [
        { at: 60_000, progress: 10 },
        { at: 120_000, progress: 30 },
      ],
    });
    // prediction 210 s away, a quarter of the age 30 s
    assert.equal(delay, 30_000);
  });

  it("polls after the shortest delay when the predicted completion has passed", () => {
    const delay = nextPollDelay({ ...base, now: 700_000, observations: [{ at: 60_000, progress: 50 }] });
    assert.equal(delay, 5_000);
  });

  it("clamps to the shortest and the longest delay", () => {
    assert.deepEqual([nextPollDelay({ ...base, now: 4_000 }), nextPollDelay({ ...base, maxMs: 60_000 }), nextPollDelay({ ...base, now: -50_000 })], [5_000, 60_000, 5_000]);
  });

  it("rounds to whole milliseconds", () => {
    assert.equal(nextPollDelay({ ...base, minMs: 1_000, now: 10_001 }), 2_500);
  });
});
