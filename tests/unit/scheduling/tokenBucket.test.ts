import assert from "node:assert/strict";
import { TokenBucket } from "../../../provider/scheduling/tokenBucket";

describe("TokenBucket", () => {
  /** A clock the test moves by hand. */
  function manualClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
    let t = start;
    return { now: () => t, advance: (ms) => (t += ms) };
  }

  it("serves a full bucket at once, then queues each request one refill interval later", () => {
    // given a bucket of 3 refilled at 2 per second
    const clock = manualClock();
    const bucket = new TokenBucket(3, 2, clock.now);
    // when six requests arrive together, then the first three go now and the rest every 500 ms
    assert.deepEqual(
      Array.from({ length: 6 }, () => bucket.reserve()),
      [0, 0, 0, 500, 1_000, 1_500],
    );
  });

  it("counts the time that passed toward the booked tokens", () => {
    const clock = manualClock();
    const bucket = new TokenBucket(2, 1, clock.now);
    const first = [bucket.reserve(), bucket.reserve(), bucket.reserve(), bucket.reserve()];
    clock.advance(500);
    // the next token after the two booked at 1 s and 2 s is due at 3 s, 2.5 s from now
    assert.deepEqual([...first, bucket.reserve()], [0, 0, 1_000, 2_000, 2_500]);
  });

  it("refills up to capacity and no further", () => {
    const clock = manualClock();
    const bucket = new TokenBucket(2, 10, clock.now);
    bucket.reserve();
    bucket.reserve();
    clock.advance(60_000);
    assert.deepEqual([bucket.reserve(), bucket.reserve(), bucket.reserve()], [0, 0, 100]);
  });

  it("rounds a fractional wait up to the next millisecond", () => {
    const clock = manualClock();
    const bucket = new TokenBucket(1, 3, clock.now);
    assert.deepEqual([bucket.reserve(), bucket.reserve()], [0, 334]);
  });

  it("rejects a capacity below 1 and a refill rate that is not positive", () => {
    assert.throws(() => new TokenBucket(0, 1), {
      name: "RangeError",
      message: "a token bucket needs capacity >= 1 and a positive refill rate, got 0 and 1",
    });
    assert.throws(() => new TokenBucket(5, 0), {
      name: "RangeError",
      message: "a token bucket needs capacity >= 1 and a positive refill rate, got 5 and 0",
    });
    assert.throws(() => new TokenBucket(Number.NaN, 1), {
      name: "RangeError",
      message: "a token bucket needs capacity >= 1 and a positive refill rate, got NaN and 1",
    });
  });
});
