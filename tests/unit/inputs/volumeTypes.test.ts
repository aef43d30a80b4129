import assert from "node:assert/strict";
import { VOLUME_TYPE_LIMITS, VOLUME_TYPES, volumeSettingProblems, type VolumeType } from "../../../provider/inputs/volumeTypes";

/** The properties named by the problems of some settings. */
function problemsAt(volumeType: VolumeType, iops?: number, throughput?: number, sizeGiB?: number): string[] {
  return volumeSettingProblems({ volumeType, ...(iops !== undefined ? { iops } : {}), ...(throughput !== undefined ? { throughput } : {}) }, sizeGiB).map((p) => p.property);
}

describe("volume type limits", () => {
  it("accepts each type's defaults at its smallest size", () => {
    for (const type of VOLUME_TYPES) {
      const limits = VOLUME_TYPE_LIMITS[type];
      const iops = limits.iops?.required ? limits.iops.min : undefined;
      assert.deepEqual(problemsAt(type, iops, undefined, limits.sizeGiB.min), [], type);
    }
  });

  it("takes provisioned IOPS only on gp3, io1 and io2, and requires them on io1 and io2", () => {
    assert.deepEqual(problemsAt("gp2", 3000), ["iops"]);
    assert.deepEqual(problemsAt("st1", 500), ["iops"]);
    assert.deepEqual(problemsAt("io1"), ["iops"]);
    assert.deepEqual(problemsAt("io2"), ["iops"]);
    assert.deepEqual(problemsAt("gp3"), []);
  });

  it("enforces each type's IOPS range at its edges", () => {
    for (const type of ["gp3", "io1", "io2"] as const) {
      const range = VOLUME_TYPE_LIMITS[type].iops;
      assert.ok(range);
      assert.deepEqual(problemsAt(type, range.min), [], `${type} ${range.min}`);
      assert.deepEqual(problemsAt(type, range.max), [], `${type} ${range.max}`);
      assert.deepEqual(problemsAt(type, range.min - 1), ["iops"], `${type} ${range.min - 1}`);
      assert.deepEqual(problemsAt(type, range.max + 1), ["iops"], `${type} ${range.max + 1}`);
    }
  });

  it("takes throughput on gp3 only, 125 to 2000 MiB/s and no more than 0.25 MiB/s per IOPS", () => {
    assert.deepEqual(problemsAt("io2", 1000, 500), ["throughput"]);
    assert.deepEqual(problemsAt("gp3", undefined, 125), []);
    assert.deepEqual(problemsAt("gp3", undefined, 124), ["throughput"]);
    assert.deepEqual(problemsAt("gp3", 8000, 2000), []);
    assert.deepEqual(problemsAt("gp3", 80000, 2001), ["throughput"]);
    // 3000 IOPS carry 750 MiB/s at most.
    assert.deepEqual(problemsAt("gp3", undefined, 750), []);
    assert.deepEqual(problemsAt("gp3", undefined, 751), ["throughput"]);
    assert.match(volumeSettingProblems({ volumeType: "gp3", throughput: 1000 })[0].reason, /needs at least 4000 IOPS/);
  });

  it("ties IOPS to the size once it is known: gp3's 3000 come with any size, more need 500 per GiB", () => {
    assert.deepEqual(problemsAt("gp3", 3000, undefined, 1), []);
    assert.deepEqual(problemsAt("gp3", 5000, undefined, 10), []);
    assert.deepEqual(problemsAt("gp3", 5001, undefined, 10), ["iops"]);
    assert.deepEqual(problemsAt("io1", 500, undefined, 10), []);
    assert.deepEqual(problemsAt("io1", 501, undefined, 10), ["iops"]);
    assert.deepEqual(problemsAt("io2", 10000, undefined, 10), []);
    assert.deepEqual(problemsAt("io2", 10001, undefined, 10), ["iops"]);
  });

  it("refuses a size outside the type's range", () => {
    assert.deepEqual(problemsAt("st1", undefined, undefined, 124), ["sizeGiB"]);
    assert.deepEqual(problemsAt("standard", undefined, undefined, 1025), ["sizeGiB"]);
    assert.deepEqual(problemsAt("io2", 100, undefined, 3), ["sizeGiB"]);
  });
});
