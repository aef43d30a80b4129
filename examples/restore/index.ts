/**
 * A disaster-recovery drill: the data volumes of an instance, snapshotted together (SnapshotSet, one
 * crash-consistent CreateSnapshots call), then restored together (VolumeSet) onto a standby instance,
 * each volume at the device it had on the source, so the standby's fstab and mounts work unchanged.
 *
 *   pulumi config set aws:region us-east-1
 *   pulumi config set instanceId i-0123456789abcdef0
 *   pulumi config set drInstanceId i-0fedcba9876543210
 *   pulumi config set availabilityZone us-east-1a
 *   pulumi up        # the drill: check the data on the standby
 *   pulumi destroy   # detaches and deletes the restored volumes, then the snapshots
 */
import * as pulumi from "@pulumi/pulumi";
import { SnapshotSet, VolumeSet } from "pulumi-ebs-snapshots";

const config = new pulumi.Config();
// An instance id is "i-" and 8 or 17 hex digits; a mistyped id fails here, before anything runs.
const instancePattern = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const instanceId = config.require("instanceId", { pattern: instancePattern });
const drInstanceId = config.require("drInstanceId", { pattern: instancePattern });
// EC2 attaches a volume only to an instance of its own zone; the provider checks the standby is in it
// before making any volume.
const availabilityZone = config.require("availabilityZone");

const tags = { ManagedBy: "pulumi", Drill: pulumi.getStack(), Source: instanceId };

// The boot volume stays out: the standby boots from its own, whose device is taken anyway.
const set = new SnapshotSet("source", {
  instanceId,
  excludeBootVolume: true,
  description: `DR drill of ${instanceId} (${pulumi.getStack()})`,
  tags,
});

// All or nothing: if one volume fails, the others are deleted too, since data and log volumes restored
// apart are not crash-consistent. Each member of the set names its device, which becomes the attach point.
const restored = new VolumeSet("standby", {
  snapshots: set.snapshots,
  availabilityZone,
  attach: { instanceId: drInstanceId },
  tags: { ...tags, RestoredTo: drInstanceId },
});

export const snapshotIds = set.snapshotIds;
export const volumeIds = restored.volumeIds;
/** Device name to restored volume id, as attached to the standby. */
export const devices = restored.volumes.apply((volumes) => Object.fromEntries(volumes.map((volume) => [volume.deviceName ?? "", volume.volumeId])));
