/**
 * A database server's backup: every EBS volume of the instance in one crash-consistent SnapshotSet
 * (EC2 CreateSnapshots), and a detached archive volume in its own Snapshot. The `environment` tag comes
 * from config, so changing it shows an in-place tag update.
 *
 *   pulumi config set aws:region us-east-1
 *   pulumi config set instanceId i-0123456789abcdef0
 *   pulumi config set archiveVolumeId vol-0123456789abcdef0
 *   pulumi config set environment production   # optional, default staging
 *   pulumi up
 */
import * as pulumi from "@pulumi/pulumi";
import { Snapshot, SnapshotSet } from "pulumi-ebs-snapshots";

const config = new pulumi.Config();
// Ids are checked here, before anything runs: "i-"/"vol-" and 8 or 17 hex digits.
const instanceId = config.require("instanceId", { pattern: /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/ });
const archiveVolumeId = config.require("archiveVolumeId", { pattern: /^vol-(?:[0-9a-f]{8}|[0-9a-f]{17})$/ });
const environment = config.get("environment") ?? "staging";

const tags = { ManagedBy: "pulumi", Environment: environment, Backup: "nightly" };

const server = new SnapshotSet("db-server", {
  instanceId,
  description: `Backup of ${instanceId}`,
  tags,
  timeouts: { create: "2h" },
});

const archive = new Snapshot("archive", {
  volumeId: archiveVolumeId,
  description: `Archive volume ${archiveVolumeId}`,
  tags,
});

export const serverSnapshotIds = server.snapshotIds;
export const serverState = server.state;
export const archiveSnapshotId = archive.snapshotId;
export const archiveEncrypted = archive.encrypted;
export const archiveKmsKeyId = archive.kmsKeyId;
