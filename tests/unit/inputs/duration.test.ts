import assert from "node:assert/strict";
import { formatDuration, parseDuration } from "../../../provider/inputs/duration";

describe("parseDuration", () => {
  const valid: [text: string, ms: number][] = [
    ["90s", 90_000],
    ["10m", 600_000],
    ["2h", 7_200_000],
    ["500ms", 500],
    ["1h30m", 5_400_000],
    ["1m30s500ms", 90_500],
    ["1.5h", 5_400_000],
    [".5s", 500],
    ["0h10m", 600_000],
    [" 90s ", 90_000],
  ];
  for (const [text, ms] of valid) {
    it(`reads ${JSON.stringify(text)} as ${ms} ms`, () => {
      // given a Go-style duration, when it is parsed, then it is that many milliseconds
      assert.equal(parseDuration(text), ms);
    });
  }

  const invalid = ["", "   ", "90", "s", "1d", "1h 30m", "-5s", "+5s", "1.5.5s", "5sec", "10m!", "abc", "1e3s", "90S"];
  for (const text of invalid) {
    it(`rejects the malformed duration ${JSON.stringify(text)}`, () => {
      assert.equal(parseDuration(text), undefined);
    });
  }

  it("rejects durations that are zero once rounded to milliseconds", () => {
    // given durations that add up to nothing, when parsed, then none of them counts as a timeout
    assert.deepEqual(["0s", "0h0m0s", "0.0001ms"].map(parseDuration), [undefined, undefined, undefined]);
  });

  it("rejects a duration beyond the largest safe millisecond count", () => {
    assert.equal(parseDuration("9999999999999h"), undefined);
  });

  it("gives the same answer when called again after a failed parse", () => {
    // given the shared sticky regex was left mid-way by a malformed input
    assert.equal(parseDuration("1h!"), undefined);
    // when a valid duration is parsed next, then the earlier failure does not leak into it
    assert.equal(parseDuration("2m"), 120_000);
  });
});

describe("formatDuration", () => {
  const cases: [ms: number, text: string][] = [
    [0, "0ms"],
    [350, "350ms"],
    [-5, "0ms"],
    [1_000, "1s"],
    [45_000, "45s"],
    [59_500, "1m"],
    [90_000, "1m30s"],
    [3_600_000, "1h"],
    [3_601_000, "1h1s"],
    [3_720_000, "1h2m"],
    [3_661_000, "1h1m1s"],
    [999.4, "999ms"],
    [999.6, "1s"],
  ];
  for (const [ms, text] of cases) {
    it(`formats ${ms} ms as ${JSON.stringify(text)}`, () => {
      assert.equal(formatDuration(ms), text);
    });
  }

  it("formats what parseDuration reads back to the same milliseconds", () => {
    // given durations in whole seconds, when formatted and parsed again, then nothing is lost
    const values = [1_000, 61_000, 3_600_000, 5_400_000, 86_399_000];
    assert.deepEqual(
      values.map((ms) => parseDuration(formatDuration(ms))),
      values,
    );
  });
});
