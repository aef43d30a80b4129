/**
 * An encrypted EBS volume made with @pulumi/aws, and a snapshot of it made with this package.
 *
 *   pulumi config set aws:region us-east-1
 *   pulumi config set availabilityZone us-east-1a   # optional: default the region's first zone
 *   pulumi config set sizeGiB 2                     # optional: default 1
 *   pulumi up
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Snapshot } from "pulumi-ebs-snapshots";

const config = new pulumi.Config();
const availabilityZone =
  config.get("availabilityZone") ??
  aws.getAvailabilityZonesOutput({ state: "available" }).names.apply((names) => {
    if (names.length === 0) {
      throw new Error("the region has no available zone; set one with `pulumi config set availabilityZone <zone>`");
    }
    return names[0];
  });
const sizeGiB = config.getNumber("sizeGiB", { min: 1, max: 16384 }) ?? 1;

const tags = { ManagedBy: "pulumi", Stack: pulumi.getStack() };

const volume = new aws.ebs.Volume("data", {
  availabilityZone,
  size: sizeGiB,
  type: "gp3",
  // With the account's default EBS key; set kmsKeyId for a key of your own.
  encrypted: true,
  tags: { ...tags, Name: `${pulumi.getStack()}-data` },
});

const snapshot = new Snapshot("data-snapshot", {
  volumeId: volume.id,
  // The snapshot lives where the volume does, even if the program's default region changes.
  region: volume.region,
  description: pulumi.interpolate`Snapshot of ${volume.id} (${pulumi.getProject()}/${pulumi.getStack()})`,
  tags: { ...tags, Name: `${pulumi.getStack()}-data-snapshot` },
  timeouts: { create: "30m" },
});

export const volumeId = volume.id;
export const snapshotId = snapshot.id;
export const state = snapshot.state;
// A snapshot of an encrypted volume is encrypted, with the volume's key.
export const encrypted = snapshot.encrypted;
export const kmsKeyId = snapshot.kmsKeyId;
