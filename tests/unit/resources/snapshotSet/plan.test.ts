import assert from "node:assert/strict";
import type { Instance, InstanceBlockDeviceMapping } from "@aws-sdk/client-ec2";
import { MAX_SET_VOLUMES, planSnapshotSet, type PlannedVolume, type SetPlan } from "../../../../provider/resources/snapshotSet/plan";

const INSTANCE_ID = "i-0123456789abcdef0";
const REGION = "eu-west-1";
const ROOT = "vol-00000000000000000";
const DATA_1 = "vol-00000000000000001";
const DATA_2 = "vol-00000000000000002";
const LOOSE = "vol-0000000000000000f";

function mapping(deviceName: string, volumeId: string): InstanceBlockDeviceMapping {
  return { DeviceName: deviceName, Ebs: { VolumeId: volumeId, Status: "attached" } };
}

/** A running instance as DescribeInstances describes it: root volume at /dev/xvda, two data volumes. */
function instance(extra: Partial<Instance> = {}): Instance {
  return {
    InstanceId: INSTANCE_ID,
    State: { Code: 16, Name: "running" },
    RootDeviceName: "/dev/xvda",
    BlockDeviceMappings: [mapping("/dev/xvda", ROOT), mapping("/dev/sdf", DATA_1), mapping("/dev/sdg", DATA_2)],
    ...extra,
  };
}

const ROOT_VOLUME: PlannedVolume = { volumeId: ROOT, deviceName: "/dev/xvda", root: true };
const DATA_VOLUME_1: PlannedVolume = { volumeId: DATA_1, deviceName: "/dev/sdf", root: false };
const DATA_VOLUME_2: PlannedVolume = { volumeId: DATA_2, deviceName: "/dev/sdg", root: false };
const ATTACHED = [ROOT_VOLUME, DATA_VOLUME_1, DATA_VOLUME_2];

function refused(reason: string, next: string): SetPlan {
  return { ok: false, reason, next };
}

describe("planSnapshotSet", () => {
  describe("what the set covers", () => {
    it("covers every EBS volume of the instance, root first, marking the root device", () => {
      assert.deepEqual(planSnapshotSet({ instanceId: INSTANCE_ID }, instance(), REGION), { ok: true, volumes: ATTACHED, attached: ATTACHED });
    });

    it("leaves the root volume out with excludeBootVolume", () => {
      assert.deepEqual(planSnapshotSet({ instanceId: INSTANCE_ID, excludeBootVolume: true }, instance(), REGION), {
        ok: true,
        volumes: [DATA_VOLUME_1, DATA_VOLUME_2],
        attached: ATTACHED,
      });
    });

    it("keeps the root volume when excludeBootVolume is false", () => {
      assert.deepEqual(planSnapshotSet({ instanceId: INSTANCE_ID, excludeBootVolume: false }, instance(), REGION), {
        ok: true,
        volumes: ATTACHED,
        attached: ATTACHED,
      });
    });

    it("leaves out the excluded data volumes", () => {
      assert.deepEqual(planSnapshotSet({ instanceId: INSTANCE_ID, excludeDataVolumeIds: [DATA_2] }, instance(), REGION), {
        ok: true,
        volumes: [ROOT_VOLUME, DATA_VOLUME_1],
        attached: ATTACHED,
      });
    });

    it("ignores mappings without an EBS volume (instance store, NoDevice)", () => {
      // given an instance that also maps an ephemeral device and a suppressed device
      const withoutEbs = instance({
        BlockDeviceMappings: [mapping("/dev/xvda", ROOT), { DeviceName: "/dev/sdb" }, { DeviceName: "/dev/sdc", Ebs: {} }, mapping("/dev/sdf", DATA_1)],
      });
      assert.deepEqual(planSnapshotSet({ instanceId: INSTANCE_ID }, withoutEbs, REGION), {
        ok: true,
        volumes: [ROOT_VOLUME, DATA_VOLUME_1],
        attached: [ROOT_VOLUME, DATA_VOLUME_1],
      });
    });

    it("treats no volume as root when the instance reports no root device name", () => {
      const noRootName = instance({ RootDeviceName: undefined });
      const unmarked = ATTACHED.map((v) => ({ ...v, root: false }));
      assert.deepEqual(planSnapshotSet({ instanceId: INSTANCE_ID, excludeBootVolume: true }, noRootName, REGION), {
        ok: true,
        volumes: unmarked,
        attached: unmarked,
      });
    });

    it("accepts a stopped instance", () => {
      const stopped = instance({ State: { Code: 80, Name: "stopped" } });
      assert.deepEqual(planSnapshotSet({ instanceId: INSTANCE_ID }, stopped, REGION), { ok: true, volumes: ATTACHED, attached: ATTACHED });
    });
  });

  describe("refusals", () => {
    it("refuses an instance that does not exist, naming the region", () => {
      assert.deepEqual(
        planSnapshotSet({ instanceId: INSTANCE_ID }, undefined, REGION),
        refused(`instance ${INSTANCE_ID} does not exist in ${REGION} (EC2 InvalidInstanceID.NotFound)`, "check instanceId and region"),
      );
    });

    for (const state of ["terminated", "shutting-down"] as const) {
      it(`refuses a ${state} instance`, () => {
        assert.deepEqual(
          planSnapshotSet({ instanceId: INSTANCE_ID }, instance({ State: { Name: state } }), REGION),
          refused(`instance ${INSTANCE_ID} is ${state}, so there is nothing to snapshot`, "point instanceId at a running or stopped instance, or remove the resource"),
        );
      });
    }

    it("refuses an instance with hibernation enabled", () => {
      assert.deepEqual(
        planSnapshotSet({ instanceId: INSTANCE_ID }, instance({ HibernationOptions: { Configured: true } }), REGION),
        refused(
          `instance ${INSTANCE_ID} has hibernation enabled, and EC2 takes no multi-volume snapshot sets of such instances`,
          "snapshot its volumes one by one with Snapshot resources instead",
        ),
      );
    });

    it("accepts an instance whose hibernation is explicitly off", () => {
      assert.deepEqual(planSnapshotSet({ instanceId: INSTANCE_ID }, instance({ HibernationOptions: { Configured: false } }), REGION), {
        ok: true,
        volumes: ATTACHED,
        attached: ATTACHED,
      });
    });

    it("refuses a hibernated instance (moto cannot hibernate one, so this rule is covered here only)", () => {
      // EC2 reports a hibernated instance as stopped, with the hibernate state reason
      const hibernated = instance({
        State: { Code: 80, Name: "stopped" },
        StateReason: { Code: "Client.UserInitiatedHibernate", Message: "Client.UserInitiatedHibernate: User initiated hibernate" },
      });
      assert.deepEqual(
        planSnapshotSet({ instanceId: INSTANCE_ID }, hibernated, REGION),
        refused(
          `instance ${INSTANCE_ID} is hibernated, and EC2 takes no multi-volume snapshot sets of hibernated instances`,
          "start the instance, or snapshot its volumes one by one with Snapshot resources",
        ),
      );
    });

    it("refuses the root volume in excludeDataVolumeIds, even with excludeBootVolume", () => {
      for (const excludeBootVolume of [undefined, true]) {
        assert.deepEqual(
          planSnapshotSet({ instanceId: INSTANCE_ID, excludeBootVolume, excludeDataVolumeIds: [DATA_1, ROOT] }, instance(), REGION),
          refused(
            `excludeDataVolumeIds lists ${ROOT}, the root volume (/dev/xvda) of instance ${INSTANCE_ID}, and EC2 rejects that`,
            "use excludeBootVolume: true to leave the root volume out",
          ),
        );
      }
    });

    it("refuses exclusions that are not attached to the instance, naming each", () => {
      const other = "vol-0000000000000000e";
      assert.deepEqual(
        planSnapshotSet({ instanceId: INSTANCE_ID, excludeDataVolumeIds: [LOOSE, DATA_1, other] }, instance(), REGION),
        refused(`excludeDataVolumeIds lists ${LOOSE}, ${other}, not attached to instance ${INSTANCE_ID}`, "remove those ids from excludeDataVolumeIds"),
      );
    });

    it("refuses a set in which every volume is excluded", () => {
      assert.deepEqual(
        planSnapshotSet({ instanceId: INSTANCE_ID, excludeBootVolume: true, excludeDataVolumeIds: [DATA_1, DATA_2] }, instance(), REGION),
        refused(`nothing to snapshot: every EBS volume of instance ${INSTANCE_ID} is excluded`, "exclude fewer volumes (excludeBootVolume, excludeDataVolumeIds)"),
      );
    });

    it("refuses a set for an instance with only a root volume that is excluded", () => {
      const rootOnly = instance({ BlockDeviceMappings: [mapping("/dev/xvda", ROOT)] });
      assert.deepEqual(
        planSnapshotSet({ instanceId: INSTANCE_ID, excludeBootVolume: true }, rootOnly, REGION),
        refused(`nothing to snapshot: every EBS volume of instance ${INSTANCE_ID} is excluded`, "exclude fewer volumes (excludeBootVolume, excludeDataVolumeIds)"),
      );
    });

    it("refuses an instance without any EBS volume", () => {
      assert.deepEqual(
        planSnapshotSet({ instanceId: INSTANCE_ID }, instance({ BlockDeviceMappings: [] }), REGION),
        refused(`nothing to snapshot: every EBS volume of instance ${INSTANCE_ID} is excluded`, "exclude fewer volumes (excludeBootVolume, excludeDataVolumeIds)"),
      );
    });

    it("checks hibernation before the exclusions", () => {
      assert.deepEqual(
        planSnapshotSet({ instanceId: INSTANCE_ID, excludeDataVolumeIds: [LOOSE] }, instance({ HibernationOptions: { Configured: true } }), REGION),
        refused(
          `instance ${INSTANCE_ID} has hibernation enabled, and EC2 takes no multi-volume snapshot sets of such instances`,
          "snapshot its volumes one by one with Snapshot resources instead",
        ),
      );
    });
  });

  describe("the 40-volume limit", () => {
    /** An instance with a root volume and `dataVolumes` data volumes. */
    function withDataVolumes(dataVolumes: number): Instance {
      const data = Array.from({ length: dataVolumes }, (_, i) => mapping(`/dev/xvd${i}`, `vol-${(i + 1).toString(16).padStart(17, "0")}`));
      return instance({ BlockDeviceMappings: [mapping("/dev/xvda", ROOT), ...data] });
    }

    it("allows exactly 40 volumes", () => {
      const plan = planSnapshotSet({ instanceId: INSTANCE_ID }, withDataVolumes(39), REGION);
      assert.equal(plan.ok && plan.volumes.length, MAX_SET_VOLUMES);
    });

    it("refuses 41 volumes, suggesting exclusions", () => {
      assert.deepEqual(
        planSnapshotSet({ instanceId: INSTANCE_ID }, withDataVolumes(40), REGION),
        refused(`instance ${INSTANCE_ID} would need a set of 41 volumes, and EC2 allows at most 40`, "exclude some with excludeDataVolumeIds"),
      );
    });

    it("counts only the volumes left after the exclusions", () => {
      const plan = planSnapshotSet({ instanceId: INSTANCE_ID, excludeBootVolume: true }, withDataVolumes(40), REGION);
      assert.deepEqual([plan.ok, plan.ok && plan.volumes.length, plan.ok && plan.attached.length], [true, 40, 41]);
    });
  });
});
