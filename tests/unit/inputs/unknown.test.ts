import assert from "node:assert/strict";
import { containsUnknown, isUnknown, UNKNOWN } from "../../../provider/inputs/unknown";

describe("unknown", () => {
  it("is the sentinel string the dynamic-provider host sends during preview", () => {
    assert.equal(UNKNOWN, "04da6b54-80e4-46f7-96ec-b56ff0331ba9");
  });

  it("recognises only the exact sentinel as unknown", () => {
    // given the sentinel and near misses, when tested, then only the sentinel itself is unknown
    assert.deepEqual([UNKNOWN, UNKNOWN.toUpperCase(), ` ${UNKNOWN}`, "", undefined, null, [UNKNOWN]].map(isUnknown), [true, false, false, false, false, false, false]);
  });

  it("finds the sentinel nested in lists and maps", () => {
    assert.deepEqual(
      [{ tags: { team: UNKNOWN } }, ["vol-1", ["vol-2", UNKNOWN]], { timeouts: { create: "10m" }, excludeDataVolumeIds: ["vol-1"] }, null, 42, {}].map(containsUnknown),
      [true, true, false, false, false, false],
    );
  });
});
