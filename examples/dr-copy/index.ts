/**
 * A nightly snapshot of a volume and a disaster-recovery copy of it in another region, re-encrypted
 * with a key of that region.
 *
 *   pulumi config set aws:region us-east-1
 *   pulumi config set volumeId vol-0123456789abcdef0
 *   pulumi config set copyRegion us-west-2
 *   pulumi config set copyKmsKeyId arn:aws:kms:us-west-2:123456789012:key/...   # optional
 *   pulumi up
 */
import * as pulumi from "@pulumi/pulumi";
import { Snapshot, SnapshotCopy } from "pulumi-ebs-snapshots";

const config = new pulumi.Config();
// A volume id is "vol-" and 8 or 17 hex digits; a mistyped id fails here, before anything runs.
const volumeId = config.require("volumeId", { pattern: /^vol-(?:[0-9a-f]{8}|[0-9a-f]{17})$/ });
const copyRegion = config.require("copyRegion");
// A KMS key lives in one region: the copy needs one of its own region, and this account must be granted its use.
const copyKmsKeyId = config.get("copyKmsKeyId");

const nightly = new Snapshot("nightly", {
  volumeId,
  description: `Nightly snapshot of ${volumeId} (${pulumi.getStack()})`,
  tags: { Name: `${pulumi.getStack()}-${volumeId}`, ManagedBy: "pulumi" },
});

// The copy depends on the snapshot through its outputs, so it starts once the snapshot is completed.
const offsite = new SnapshotCopy("offsite", {
  sourceSnapshotId: nightly.snapshotId,
  sourceRegion: nightly.region,
  region: copyRegion,
  ...(copyKmsKeyId !== undefined ? { encrypted: true, kmsKeyId: copyKmsKeyId } : {}),
  // EC2 copies no tags: the provider copies the snapshot's, and these win on the same key.
  copyTagsFromSource: true,
  tags: { Copy: "offsite" },
});

export const snapshotId = nightly.snapshotId;
export const copyId = offsite.snapshotId;
export const copyRegionUsed = offsite.region;
export const copyEncrypted = offsite.encrypted;
export const copyState = offsite.state;
