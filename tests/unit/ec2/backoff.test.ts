import assert from "node:assert/strict";
import { backoffDelayMs } from "../../../provider/ec2/backoff";

describe("backoffDelayMs", () => {
  const bounds = { retryMinMs: 1_000, retryMaxMs: 30_000 };

  it("doubles from retryMinMs, jittered by a factor of 1 to 2, up to retryMaxMs", () => {
    const schedule = (random: number): number[] => [1, 2, 3, 4, 5, 6].map((attempt) => backoffDelayMs(attempt, bounds, () => random));
    assert.deepEqual(
      { lowest: schedule(0), middle: schedule(0.5), highest: schedule(0.999999) },
      {
        lowest: [1_000, 2_000, 4_000, 8_000, 16_000, 30_000],
        middle: [1_500, 3_000, 6_000, 12_000, 24_000, 30_000],
        highest: [2_000, 4_000, 8_000, 16_000, 30_000, 30_000],
      },
    );
  });

  it("never waits less than a millisecond, even with zero bounds", () => {
    assert.equal(
      backoffDelayMs(1, { retryMinMs: 0, retryMaxMs: 0 }, () => 0),
      1,
    );
  });
});
