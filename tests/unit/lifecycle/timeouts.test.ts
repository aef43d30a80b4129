import assert from "node:assert/strict";
import { DEFAULT_TIMEOUTS_MS, timeoutMs } from "../../../provider/lifecycle/timeouts";
import { UNKNOWN } from "../../../provider/inputs/unknown";

describe("timeoutMs", () => {
  it("defaults to 1 h for create and update and 10 min for delete", () => {
    assert.deepEqual(DEFAULT_TIMEOUTS_MS, { create: 3_600_000, update: 3_600_000, delete: 600_000 });
    assert.deepEqual([timeoutMs(undefined, "create"), timeoutMs(undefined, "update"), timeoutMs(undefined, "delete")], [3_600_000, 3_600_000, 600_000]);
  });

  it("uses the resource's duration for the operation asked about", () => {
    const timeouts = { create: "2h", update: "90s", delete: "1m30s" };
    assert.deepEqual([timeoutMs(timeouts, "create"), timeoutMs(timeouts, "update"), timeoutMs(timeouts, "delete")], [7_200_000, 90_000, 90_000]);
  });

  it("falls back to the default for an operation the resource leaves out", () => {
    assert.equal(timeoutMs({ create: "5m" }, "delete"), 600_000);
  });

  it("falls back to the default for values that are not durations, such as state from preview", () => {
    assert.deepEqual(
      [timeoutMs({ create: UNKNOWN }, "create"), timeoutMs({ create: 5 }, "create"), timeoutMs(null, "create"), timeoutMs("10m", "create"), timeoutMs({ create: "0s" }, "create")],
      [3_600_000, 3_600_000, 3_600_000, 3_600_000, 3_600_000],
    );
  });

  it("keeps the defaults frozen", () => {
    assert.equal(Object.isFrozen(DEFAULT_TIMEOUTS_MS), true);
  });
});
