/**
 * One snapshot of an existing EBS volume.
 *
 *   pulumi config set aws:region us-east-1
 *   pulumi config set volumeId vol-0123456789abcdef0
 *   pulumi up
 */
import * as pulumi from "@pulumi/pulumi";
import { Snapshot } from "pulumi-ebs-snapshots";

const config = new pulumi.Config();
// A volume id is "vol-" and 8 or 17 hex digits; a mistyped id fails here, before anything runs.
const volumeId = config.require("volumeId", { pattern: /^vol-(?:[0-9a-f]{8}|[0-9a-f]{17})$/ });

const snapshot = new Snapshot("volume-snapshot", {
  volumeId,
  description: `Snapshot of ${volumeId} (${pulumi.getProject()}/${pulumi.getStack()})`,
  tags: {
    Name: `${pulumi.getStack()}-${volumeId}`,
    ManagedBy: "pulumi",
    Stack: pulumi.getStack(),
  },
  // Pulumi's customTimeouts do not reach dynamic providers: these are the provider's own deadlines.
  timeouts: { create: "30m", delete: "15m" },
});

export const id = snapshot.id;
export const state = snapshot.state;
export const encrypted = snapshot.encrypted;
export const kmsKeyId = snapshot.kmsKeyId;
