import type { Instance, Snapshot } from "@aws-sdk/client-ec2";
import type { Ec2 } from "../../ec2/ec2";
import { fromEc2Tags, type TagMap } from "../../inputs/tags";
import { isVolumeType, volumeSettingProblems } from "../../inputs/volumeTypes";
import { ExplainedError } from "../../messages/failureMessage";
import type { VolumeSetEntry, VolumeSetInputs } from "../../types";
import { restoreEntries } from "./outputs";

/** One volume the restore will create, decided before anything is sent. */
export interface PlannedVolume {
  entry: VolumeSetEntry;
  snapshot: Snapshot;
  /** The size to ask for: the entry's, else the snapshot's volume size. */
  sizeGiB: number;
  /** The snapshot's own tags, for copyTagsFromSnapshots. */
  snapshotTags: TagMap;
}

export interface RestorePlan {
  volumes: PlannedVolume[];
  instance?: Instance;
}

/** What the snapshot's state says about restoring it, or nothing when it can be restored. */
function snapshotProblem(at: string, entry: VolumeSetEntry, snapshot: Snapshot | undefined, region: string): string | undefined {
  const id = entry.snapshotId;
  if (snapshot === undefined) {
    return `${at}: snapshot ${id} does not exist in ${region}, or is not shared with this account; a snapshot of another region must first be copied here (SnapshotCopy)`;
  }
  if (snapshot.State !== "completed") {
    const detail = snapshot.State === "pending" ? ` (${snapshot.Progress ?? "0%"})` : snapshot.StateMessage ? ` (${snapshot.StateMessage})` : "";
    return `${at}: snapshot ${id} is ${snapshot.State ?? "in an unknown state"}${detail}, and only a completed snapshot can be restored`;
  }
  if (snapshot.StorageTier === "archive") {
    return `${at}: snapshot ${id} is in the archive tier, and EC2 creates no volume from an archived snapshot; restore it to the standard tier first (the \`restore\` input of its Snapshot or SnapshotCopy, or RestoreSnapshotTier), which takes 24 to 72 hours`;
  }
  return undefined;
}

/** Why the instance cannot take the set's volumes, each reason naming what to change. */
function instanceProblems(inputs: VolumeSetInputs, instance: Instance | undefined, entries: readonly VolumeSetEntry[], region: string, own: ReadonlySet<string>): string[] {
  const instanceId = inputs.attach?.instanceId ?? "";
  if (instance === undefined) {
    return [`attach.instanceId: instance ${instanceId} does not exist in ${region}`];
  }
  const state = instance.State?.Name;
  if (state === "terminated" || state === "shutting-down") {
    return [`attach.instanceId: instance ${instanceId} is ${state}`];
  }
  const problems: string[] = [];
  const zone = instance.Placement?.AvailabilityZone;
  if (zone !== undefined && zone !== inputs.availabilityZone) {
    problems.push(`attach.instanceId: instance ${instanceId} is in ${zone}, not in availabilityZone ${inputs.availabilityZone}, and EC2 attaches a volume only in its own zone`);
  }
  // A device held by one of the set's own volumes (an interrupted create's, being resumed) is not taken.
  const taken = new Map((instance.BlockDeviceMappings ?? []).filter((m) => !own.has(m.Ebs?.VolumeId ?? "")).map((m) => [m.DeviceName ?? "", m.Ebs?.VolumeId ?? "another device"]));
  entries.forEach((entry, i) => {
    const holder = entry.deviceName !== undefined ? taken.get(entry.deviceName) : undefined;
    if (holder !== undefined) {
      problems.push(`snapshots[${i}].deviceName: ${entry.deviceName} is already taken on instance ${instanceId} by ${holder}`);
    }
  });
  return problems;
}

/**
 * Decides, before any volume is made, what the restore creates, and refuses what EC2 would refuse or
 * a restore must not do: every problem of every entry at once, so one run shows them all. `own` are
 * volumes of this set already (an interrupted create's), whose devices are the set's own.
 */
export async function planRestore(ec2: Ec2, inputs: VolumeSetInputs, own: ReadonlySet<string> = new Set()): Promise<RestorePlan> {
  const entries = restoreEntries(inputs.snapshots);
  const region = ec2.region;
  const problems: string[] = [];
  if (!inputs.availabilityZone.startsWith(region)) {
    problems.push(`availabilityZone: ${inputs.availabilityZone} is not a zone of ${region}, where the volumes are made`);
  }
  // Shared snapshots are restorable too, so they are looked up by id without an owner filter.
  const [snapshots, instance] = await Promise.all([
    Promise.all(entries.map((entry) => ec2.describeAnySnapshot(entry.snapshotId))),
    inputs.attach !== undefined ? ec2.describeInstance(inputs.attach.instanceId) : Promise.resolve(undefined),
  ]);
  const volumes: PlannedVolume[] = [];
  const volumeType = isVolumeType(inputs.volumeType) ? inputs.volumeType : "gp3";
  entries.forEach((entry, i) => {
    const at = `snapshots[${i}]`;
    const snapshot = snapshots[i];
    const problem = snapshotProblem(at, entry, snapshot, region);
    if (problem !== undefined || snapshot === undefined) {
      problems.push(problem ?? `${at}: snapshot ${entry.snapshotId} was not found`);
      return;
    }
    const snapshotSize = snapshot.VolumeSize ?? 1;
    if (entry.sizeGiB !== undefined && entry.sizeGiB < snapshotSize) {
      problems.push(
        `${at}.sizeGiB: ${entry.sizeGiB} GiB is smaller than snapshot ${entry.snapshotId}'s volume (${snapshotSize} GiB), and a volume is never smaller than its snapshot`,
      );
    }
    if (inputs.encrypted === false && snapshot.Encrypted === true) {
      problems.push(`encrypted: false, but snapshot ${entry.snapshotId} is encrypted, and a volume made from an encrypted snapshot is always encrypted`);
    }
    const sizeGiB = Math.max(entry.sizeGiB ?? snapshotSize, snapshotSize);
    for (const setting of volumeSettingProblems({ volumeType, iops: inputs.iops, throughput: inputs.throughput }, sizeGiB)) {
      problems.push(`${setting.property === "sizeGiB" ? `${at}.sizeGiB` : setting.property}: ${setting.reason} (snapshot ${entry.snapshotId})`);
    }
    volumes.push({ entry, snapshot, sizeGiB, snapshotTags: fromEc2Tags(snapshot.Tags) });
  });
  if (inputs.attach !== undefined) {
    problems.push(...instanceProblems(inputs, instance, entries, region, own));
  }
  if (problems.length > 0) {
    throw new ExplainedError(`the restore was refused before any volume was made: ${problems.join("; ")}`, "correct those inputs or snapshots, then run `pulumi up` again");
  }
  return { volumes, ...(instance !== undefined ? { instance } : {}) };
}
