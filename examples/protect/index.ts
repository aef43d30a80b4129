/**
 * A backup kept for a retention period: a snapshot of a volume, locked against deletion (EBS Snapshot
 * Lock, governance mode) and moved to the archive tier, where it costs less per GiB while nobody needs it.
 *
 *   pulumi config set aws:region us-east-1
 *   pulumi config set volumeId vol-0123456789abcdef0
 *   pulumi config set lockDuration 30d       # optional: whole days, 7d by default
 *   pulumi config set storageTier standard   # optional: archive by default; standard restores it
 *   pulumi up
 */
import * as pulumi from "@pulumi/pulumi";
import { Snapshot, type StorageTier } from "pulumi-ebs-snapshots";

const config = new pulumi.Config();
const volumeId = config.require("volumeId", { pattern: /^vol-(?:[0-9a-f]{8}|[0-9a-f]{17})$/ });
// EC2 locks for whole days; a typo such as "7" or "1w" fails here, before anything runs.
const lockDuration = config.get("lockDuration", { pattern: /^[1-9]\d*d$/ }) ?? "7d";
const tiers: StorageTier[] = ["standard", "archive"];
const tier = config.get("storageTier", { allowedValues: tiers }) ?? "archive";

// Governance mode: nobody can delete the snapshot until the lock expires, but someone with
// ec2:UnlockSnapshot can still remove the lock (here: by removing `lock` and running `pulumi up`).
// Compliance mode would let nobody, not even the account's root user, so it is no default for an example.
const retained = new Snapshot("retained", {
  volumeId,
  description: `Retained backup of ${volumeId} (${pulumi.getStack()})`,
  tags: { ManagedBy: "pulumi", Retention: lockDuration },
  lock: { mode: "governance", duration: lockDuration },
  // An archived snapshot is billed for at least 90 days and must be restored (24 to 72 hours) before it
  // can create a volume; setting storageTier back to "standard" starts that restore without waiting.
  storageTier: tier,
});

export const snapshotId = retained.snapshotId;
export const lockState = retained.lockState;
export const lockExpiresOn = retained.lockExpiresOn;
// EC2's tier, which stays "archive" while a restore is in progress.
export const storageTier = retained.storageTier;
