import type { Snapshot } from "@aws-sdk/client-ec2";
import { fromEc2Tags } from "../inputs/tags";
import type { ProductCode, SnapshotSetMember, SnapshotState } from "../types";

/** Drops undefined fields: the host cannot encode them, and a field EC2 did not return is absent, not invented. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** "80%" → 80; anything unparsable → undefined. */
export function parseProgress(progress: string | undefined): number | undefined {
  if (progress === undefined) {
    return undefined;
  }
  const value = Number.parseFloat(progress);
  return Number.isFinite(value) ? Math.min(100, Math.max(0, value)) : undefined;
}

const PARTITIONS: readonly [prefix: string, partition: string][] = [
  ["us-gov-", "aws-us-gov"],
  ["cn-", "aws-cn"],
  ["us-isob-", "aws-iso-b"],
  ["us-iso-", "aws-iso"],
  ["eu-isoe-", "aws-iso-e"],
  ["us-isof-", "aws-iso-f"],
  ["eusc-", "aws-eusc"],
];

/** Snapshot ARNs have no account: arn:<partition>:ec2:<region>::snapshot/<id>. */
export function snapshotArn(region: string, snapshotId: string): string {
  const partition = PARTITIONS.find(([prefix]) => region.startsWith(prefix))?.[1] ?? "aws";
  return `arn:${partition}:ec2:${region}::snapshot/${snapshotId}`;
}

export function snapshotState(snapshot: Snapshot): SnapshotState {
  // EC2's CreateSnapshots answer (and emulators) may omit State; a snapshot just made is pending.
  return snapshot.State ?? "pending";
}

/** The one snapshot of a resource of one snapshot (an empty one when a failure left none). */
export function onlyMember(members: readonly Snapshot[]): Snapshot {
  return members[0] ?? {};
}

/** The inputs as given, without undefined fields. */
export function echoInputs<T extends object>(inputs: T): T {
  const { __provider: _ignored, ...rest } = inputs as T & { __provider?: unknown };
  return compact(rest as T);
}

/** One member of a SnapshotSet's state. */
export function memberOutputs(snapshot: Snapshot, deviceName: string | undefined, productCodes: ProductCode[]): SnapshotSetMember {
  return compact({
    snapshotId: snapshot.SnapshotId ?? "",
    volumeId: snapshot.VolumeId ?? "",
    deviceName,
    volumeSize: snapshot.VolumeSize,
    encrypted: snapshot.Encrypted,
    kmsKeyId: snapshot.KmsKeyId,
    state: snapshotState(snapshot),
    stateMessage: snapshot.StateMessage || undefined,
    progress: parseProgress(snapshot.Progress),
    startTime: snapshot.StartTime?.toISOString(),
    tags: fromEc2Tags(snapshot.Tags),
    productCodes,
  });
}

/** A set is in error if any member is, pending while any is pending, completed when all are. */
export function aggregateState(states: readonly SnapshotState[]): SnapshotState {
  if (states.length === 0 || states.includes("pending")) {
    return states.includes("error") ? "error" : "pending";
  }
  if (states.includes("error")) {
    return "error";
  }
  return states.find((s) => s !== "completed") ?? "completed";
}

/** What EC2 reports of a snapshot, as every snapshot-like resource records it. */
export function snapshotFacts(snapshot: Snapshot, region: string, productCodes: ProductCode[]) {
  const snapshotId = snapshot.SnapshotId ?? "";
  return {
    snapshotId,
    arn: snapshotArn(region, snapshotId),
    state: snapshotState(snapshot),
    stateMessage: snapshot.StateMessage || undefined,
    progress: parseProgress(snapshot.Progress),
    encrypted: snapshot.Encrypted,
    kmsKeyId: snapshot.KmsKeyId,
    dataEncryptionKeyId: snapshot.DataEncryptionKeyId,
    ownerId: snapshot.OwnerId,
    ownerAlias: snapshot.OwnerAlias,
    volumeSize: snapshot.VolumeSize,
    startTime: snapshot.StartTime?.toISOString(),
    completionTime: snapshot.CompletionTime?.toISOString(),
    storageTier: snapshot.StorageTier,
    productCodes,
    tags: fromEc2Tags(snapshot.Tags),
    region,
  };
}
