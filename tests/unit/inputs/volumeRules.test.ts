import assert from "node:assert/strict";
import { UNKNOWN } from "../../../provider/inputs/unknown";
import { fieldsOf, validateInputs, type CheckFailure } from "../../../provider/inputs/validate";
import { VOLUME_SET_SPEC } from "../../../provider/resources/volumeSet/spec";

const SNAPSHOT = "snap-0123456789abcdef0";
const BASE = { snapshots: [{ snapshotId: SNAPSHOT }], availabilityZone: "us-east-1a" };
const validate = (extra: Record<string, unknown>): CheckFailure[] => validateInputs(fieldsOf(VOLUME_SET_SPEC), { ...BASE, ...extra });

function snapshotIds(n: number): { snapshotId: string }[] {
  return Array.from({ length: n }, (_, i) => ({ snapshotId: `snap-${i.toString(16).padStart(17, "0")}` }));
}

describe("VolumeSet input rules", () => {
  it("accepts a SnapshotSet's members as they are", () => {
    const member = {
      snapshotId: SNAPSHOT,
      volumeId: "vol-0123456789abcdef0",
      deviceName: "/dev/sdf",
      volumeSize: 10,
      encrypted: true,
      state: "completed",
      tags: {},
      productCodes: [],
    };
    assert.deepEqual(validate({ snapshots: [member] }), []);
  });

  it("takes 1 to 40 entries", () => {
    assert.deepEqual(validate({ snapshots: snapshotIds(40) }), []);
    assert.deepEqual(validate({ snapshots: snapshotIds(41) }), [{ property: "snapshots", reason: "snapshots may list at most 40 snapshots, got 41" }]);
    assert.deepEqual(validate({ snapshots: [] }), [{ property: "snapshots", reason: "snapshots must list at least one snapshot" }]);
  });

  it("names the entry and field of each problem", () => {
    assert.deepEqual(validate({ snapshots: [{ snapshotId: "snap-1" }, { deviceName: "/dev/sdf" }, { snapshotId: SNAPSHOT, sizeGiB: 0, colour: "red" }] }), [
      { property: "snapshots[0].snapshotId", reason: 'snapshots[0].snapshotId must be an EBS snapshot id such as snap-0123456789abcdef0, got "snap-1"' },
      { property: "snapshots[1].snapshotId", reason: "snapshots[1].snapshotId is required" },
      { property: "snapshots[2].sizeGiB", reason: "snapshots[2].sizeGiB must be a whole number of GiB from 1 to 65536, got 0" },
      {
        property: "snapshots[2].colour",
        reason:
          'unknown snapshots entry setting "colour"; expected snapshotId, deviceName, sizeGiB, volumeId, volumeSize, encrypted, kmsKeyId, state, stateMessage, progress, startTime, tags, productCodes, lockState or lockExpiresOn',
      },
    ]);
  });

  it("refuses a snapshot or a device named twice, naming the later entry and the earlier one", () => {
    const failures = validate({
      snapshots: [
        { snapshotId: SNAPSHOT, deviceName: "/dev/sdf" },
        { snapshotId: SNAPSHOT, deviceName: "/dev/sdf" },
      ],
    });
    assert.deepEqual(
      failures.map((f) => f.property),
      ["snapshots[1].snapshotId", "snapshots[1].deviceName"],
    );
    assert.match(failures[0].reason, /is also snapshots\[0\]\.snapshotId; each snapshot is restored once/);
  });

  it("checks device names, zones and volume types by their shape", () => {
    assert.deepEqual(validate({ snapshots: [{ snapshotId: SNAPSHOT, deviceName: "xvdf" }] }), []);
    assert.equal(validate({ snapshots: [{ snapshotId: SNAPSHOT, deviceName: "sdf" }] })[0].property, "snapshots[0].deviceName");
    assert.deepEqual(validate({ availabilityZone: "us-west-2-lax-1a" }), []);
    assert.equal(validate({ availabilityZone: "us-east-1" })[0].property, "availabilityZone");
    assert.equal(validate({ volumeType: "gp4" })[0].reason, 'volumeType must be one of "gp3", "gp2", "io1", "io2", "st1", "sc1" or "standard", got "gp4"');
    assert.equal(validate({ iops: 3000.5 })[0].property, "iops");
  });

  it("requires the instance of an attach, and one kind of initialization", () => {
    assert.deepEqual(validate({ attach: { instanceId: "i-0123456789abcdef0", forceDetachOnDelete: true } }), []);
    assert.deepEqual(validate({ attach: {} }), [{ property: "attach.instanceId", reason: "attach.instanceId is required: the instance to attach the volumes to" }]);
    assert.deepEqual(validate({ initialization: { rateMiBps: 300 } }), []);
    assert.deepEqual(validate({ initialization: { fastSnapshotRestore: true } }), []);
    assert.equal(validate({ initialization: { rateMiBps: 301 } })[0].property, "initialization.rateMiBps");
    assert.equal(validate({ initialization: { rateMiBps: 200, fastSnapshotRestore: true } })[0].property, "initialization.fastSnapshotRestore");
    assert.equal(validate({ initialization: {} })[0].property, "initialization");
  });

  it("leaves values still unknown in preview to the create", () => {
    assert.deepEqual(validate({ snapshots: UNKNOWN, availabilityZone: UNKNOWN, attach: { instanceId: UNKNOWN } }), []);
    assert.deepEqual(validate({ snapshots: [UNKNOWN, { snapshotId: SNAPSHOT }] }), []);
  });
});
