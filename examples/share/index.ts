/**
 * A snapshot shared with another account, which can then copy it or create volumes from it.
 *
 *   pulumi config set aws:region us-east-1
 *   pulumi config set volumeId vol-0123456789abcdef0
 *   pulumi config set shareWith 111122223333
 *   pulumi up
 */
import * as pulumi from "@pulumi/pulumi";
import { Snapshot } from "pulumi-ebs-snapshots";

const config = new pulumi.Config();
const volumeId = config.require("volumeId", { pattern: /^vol-(?:[0-9a-f]{8}|[0-9a-f]{17})$/ });
const shareWith = config.require("shareWith", { pattern: /^\d{12}$/ });

// Of an encrypted volume the snapshot is encrypted: the provider then says which KMS key the account
// also needs a grant on, and refuses `public: true`, which EC2 never allows for an encrypted snapshot.
const shared = new Snapshot("shared", {
  volumeId,
  description: `Shared with ${shareWith}`,
  sharing: { accountIds: [shareWith] },
});

export const snapshotId = shared.snapshotId;
export const sharedWithAccounts = shared.sharedWithAccounts;
export const kmsKeyId = shared.kmsKeyId;
