import assert from "node:assert/strict";
import { RecordedState } from "../../../provider/lifecycle/recordedState";

describe("RecordedState", () => {
  it("reads the fields a current state records", () => {
    const state = new RecordedState({
      region: "eu-west-1",
      snapshotId: "snap-0123456789abcdef0",
      snapshotIds: ["snap-a", "snap-b"],
      snapshots: [{ snapshotId: "snap-a", volumeId: "vol-a", deviceName: "/dev/xvda", state: "completed", tags: {}, productCodes: [] }],
      productCodes: [{ productCodeId: "abc", productCodeType: "marketplace" }],
      missingSnapshotIds: ["snap-c"],
      __logicalName: "db",
    });
    assert.equal(state.region, "eu-west-1");
    assert.equal(state.string("snapshotId"), "snap-0123456789abcdef0");
    assert.deepEqual(state.strings("snapshotIds"), ["snap-a", "snap-b"]);
    assert.deepEqual(
      state.members.map((m) => m.snapshotId),
      ["snap-a"],
    );
    assert.deepEqual(state.productCodes, [{ productCodeId: "abc", productCodeType: "marketplace" }]);
    assert.deepEqual(state.missingSnapshotIds, ["snap-c"]);
    assert.equal(state.logicalName, "db");
  });

  it("gives nothing, rather than a wrong value, for fields an earlier version left out or wrote differently", () => {
    const state = new RecordedState({
      region: 42,
      snapshotIds: "snap-a",
      snapshots: [null, "snap-a", { volumeId: "vol-a" }],
      productCodes: {},
      missingSnapshotIds: [7, "", "snap-d"],
    });
    assert.equal(state.region, undefined);
    assert.deepEqual(state.strings("snapshotIds"), []);
    assert.deepEqual(state.members, []);
    assert.equal(state.productCodes, undefined);
    assert.deepEqual(state.missingSnapshotIds, ["snap-d"]);
    assert.equal(state.string("absent"), undefined);
  });
});
