/**
 * A crash-consistent snapshot of every EBS volume of an instance, root volume included, taken in one
 * EC2 CreateSnapshots call.
 *
 *   pulumi config set aws:region us-east-1
 *   pulumi config set instanceId i-0123456789abcdef0
 *   pulumi up
 */
import * as pulumi from "@pulumi/pulumi";
import { SnapshotSet } from "pulumi-ebs-snapshots";

const config = new pulumi.Config();
// An instance id is "i-" and 8 or 17 hex digits; a mistyped id fails here, before anything runs.
const instanceId = config.require("instanceId", { pattern: /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/ });

const set = new SnapshotSet("instance-snapshots", {
  instanceId,
  excludeBootVolume: false,
  // Each snapshot gets its volume's tags, plus the tags below.
  copyTagsFromSource: true,
  description: `Snapshot set of ${instanceId} (${pulumi.getProject()}/${pulumi.getStack()})`,
  tags: {
    ManagedBy: "pulumi",
    Stack: pulumi.getStack(),
    SnapshotSet: instanceId,
  },
});

export const snapshotIds = set.snapshotIds;
export const state = set.state;
export const encrypted = set.encrypted;

/** One row per volume, keyed by volume id. */
export const volumes = set.snapshots.apply((members) =>
  Object.fromEntries(
    members.map((member) => [
      member.volumeId,
      {
        deviceName: member.deviceName ?? "",
        snapshotId: member.snapshotId,
        sizeGiB: member.volumeSize ?? 0,
        encrypted: member.encrypted ?? false,
        state: member.state,
      },
    ]),
  ),
);
