import assert from "node:assert/strict";
import { UNKNOWN } from "../../../../provider/inputs/unknown";
import { volumeSetLifecycle } from "../../../../provider/resources/volumeSet/hooks";

const A = "snap-0123456789abcdef0";
const B = "snap-0fedcba9876543210";
const INSTANCE = "i-0123456789abcdef0";

/** A recorded state of a restore of A and B, attached at /dev/sdf and /dev/sdg. */
function recorded(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    snapshots: [
      { snapshotId: A, deviceName: "/dev/sdf" },
      { snapshotId: B, deviceName: "/dev/sdg" },
    ],
    availabilityZone: "us-east-1a",
    attach: { instanceId: INSTANCE },
    volumeIds: ["vol-0000000000000000a", "vol-0000000000000000b"],
    volumes: [
      { volumeId: "vol-0000000000000000a", snapshotId: A, deviceName: "/dev/sdf", state: "in-use", attachmentState: "attached" },
      { volumeId: "vol-0000000000000000b", snapshotId: B, deviceName: "/dev/sdg", state: "in-use", attachmentState: "attached" },
    ],
    state: "in-use",
    tags: {},
    region: "us-east-1",
    ...extra,
  };
}

function program(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { snapshots, availabilityZone, attach } = recorded();
  return { snapshots, availabilityZone, attach, ...extra };
}

describe("VolumeSet check and diff", () => {
  it("keeps only the fields a restore reads of a SnapshotSet's members, so their progress or tags never look like a change", async () => {
    const member = { snapshotId: A, volumeId: "vol-0123456789abcdef0", deviceName: "/dev/sdf", state: "completed", progress: 100, tags: { a: "b" }, productCodes: [] };
    const checked = await volumeSetLifecycle.check({}, { snapshots: [member], availabilityZone: "us-east-1a" });
    assert.deepEqual(checked.failures, []);
    assert.deepEqual(checked.inputs.snapshots, [{ snapshotId: A, deviceName: "/dev/sdf" }]);
  });

  it("relates inputs in check: the type's limits, devices for an attach, encryption with a key", async () => {
    const checked = await volumeSetLifecycle.check(
      {},
      {
        snapshots: [{ snapshotId: A }],
        availabilityZone: "us-east-1a",
        volumeType: "gp2",
        iops: 3000,
        attach: { instanceId: INSTANCE },
        encrypted: false,
        kmsKeyId: "alias/backup",
      },
    );
    assert.deepEqual(
      checked.failures.map((f) => f.property),
      ["iops", "snapshots[0].deviceName", "encrypted"],
    );
  });

  it("finds no change when the program says what the state records", async () => {
    const result = await volumeSetLifecycle.diff("volset-1", recorded(), program());
    assert.deepEqual({ changes: result.changes, replaces: result.replaces }, { changes: false, replaces: [] });
  });

  it("grows a volume in place, and replaces the set, old volumes first, for other changes of the snapshots", async () => {
    const grown = await volumeSetLifecycle.diff(
      "volset-1",
      recorded(),
      program({
        snapshots: [
          { snapshotId: A, deviceName: "/dev/sdf", sizeGiB: 500 },
          { snapshotId: B, deviceName: "/dev/sdg" },
        ],
      }),
    );
    assert.deepEqual({ changes: grown.changes, replaces: grown.replaces }, { changes: true, replaces: [] });
    const other = await volumeSetLifecycle.diff("volset-1", recorded(), program({ snapshots: [{ snapshotId: A, deviceName: "/dev/sdf" }] }));
    assert.deepEqual({ replaces: other.replaces, deleteBeforeReplace: other.deleteBeforeReplace }, { replaces: ["snapshots"], deleteBeforeReplace: true });
  });

  it("replaces a set that lost a volume outside Pulumi", async () => {
    const result = await volumeSetLifecycle.diff("volset-1", recorded({ missingVolumeIds: ["vol-0000000000000000b"] }), program());
    assert.deepEqual(result.replaces, ["volumeIds"]);
    assert.equal(result.deleteBeforeReplace, true);
  });

  it("attaches again in place a volume detached outside Pulumi", async () => {
    const volumes = (recorded().volumes as Record<string, unknown>[]).map((v, i) => (i === 1 ? { ...v, state: "available", attachmentState: "detached" } : v));
    const result = await volumeSetLifecycle.diff("volset-1", recorded({ volumes }), program());
    assert.deepEqual({ changes: result.changes, replaces: result.replaces }, { changes: true, replaces: [] });
    assert.ok(result.properties.some((p) => p.path === "attach" && !p.replace));
  });

  it("changes type, IOPS and tags in place, and replaces nothing for a new initialization", async () => {
    const result = await volumeSetLifecycle.diff("volset-1", recorded(), program({ volumeType: "io2", iops: 4000, tags: { team: "db" }, initialization: { rateMiBps: 200 } }));
    assert.deepEqual(result.replaces, []);
    assert.deepEqual(result.properties.map((p) => p.path).sort(), ["initialization", "iops", "tags.team", "volumeType"]);
  });

  it("replaces when the snapshots are not known yet in preview", async () => {
    const result = await volumeSetLifecycle.diff("volset-1", recorded(), program({ snapshots: UNKNOWN }));
    assert.deepEqual(result.replaces, ["snapshots"]);
  });
});
