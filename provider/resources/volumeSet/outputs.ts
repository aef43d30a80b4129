import type { Volume, VolumeStatusItem } from "@aws-sdk/client-ec2";
import { compact, echoInputs } from "../../lifecycle/outputs";
import type { VolumeSetEntry, VolumeSetInputs, VolumeSetOutputs, VolumeSetVolume } from "../../types";

/** The entries of a restore with only the fields it reads: a SnapshotSet's members carry many more, which must never look like a change. */
export function restoreEntries(value: unknown): VolumeSetEntry[] {
  if (!Array.isArray(value)) {
    return [];
  }
  return value.flatMap((item): VolumeSetEntry[] => {
    if (item === null || typeof item !== "object") {
      return [];
    }
    const { snapshotId, deviceName, sizeGiB } = item as Record<string, unknown>;
    if (typeof snapshotId !== "string") {
      return [];
    }
    return [compact({ snapshotId, deviceName: typeof deviceName === "string" ? deviceName : undefined, sizeGiB: typeof sizeGiB === "number" ? sizeGiB : undefined })];
  });
}

/** The attachment of a volume to the instance the set attaches to. */
function attachmentState(volume: Volume, instanceId: string | undefined): string | undefined {
  if (instanceId === undefined) {
    return undefined;
  }
  return (volume.Attachments ?? []).find((a) => a.InstanceId === instanceId)?.State ?? "detached";
}

function volumeOutput(entry: VolumeSetEntry, volume: Volume, status: VolumeStatusItem | undefined, instanceId: string | undefined): VolumeSetVolume {
  const initialization = status?.InitializationStatusDetails;
  const initializationState = status?.VolumeStatus?.Details?.find((d) => d.Name === "initialization-state")?.Status;
  return compact({
    volumeId: volume.VolumeId ?? "",
    snapshotId: entry.snapshotId,
    deviceName: entry.deviceName,
    state: volume.State ?? "creating",
    attachmentState: attachmentState(volume, instanceId),
    sizeGiB: volume.Size,
    volumeType: volume.VolumeType,
    iops: volume.Iops,
    throughput: volume.Throughput,
    encrypted: volume.Encrypted,
    kmsKeyId: volume.KmsKeyId,
    initializationType: initialization?.InitializationType,
    initializationProgress: initialization?.Progress,
    initializationState,
  });
}

/** The set's state from its volumes': any moving or failed volume decides it. */
function aggregate(volumes: readonly VolumeSetVolume[], attaching: boolean): string {
  if (volumes.some((v) => v.state === "error")) {
    return "error";
  }
  if (volumes.some((v) => v.state === "creating")) {
    return "creating";
  }
  return attaching && volumes.length > 0 && volumes.every((v) => v.attachmentState === "attached") ? "in-use" : "available";
}

/**
 * The state of a VolumeSet from its volumes as EC2 describes them, by snapshot id, in the order of the
 * entries; an entry without a volume (not made yet) has no output. `missing` lists volumes recorded
 * earlier that EC2 no longer has.
 */
export function volumeSetOutputs(
  inputs: VolumeSetInputs,
  volumes: ReadonlyMap<string, Volume>,
  statuses: ReadonlyMap<string, VolumeStatusItem>,
  region: string,
  missing: readonly string[] = [],
): VolumeSetOutputs {
  const instanceId = inputs.attach?.instanceId;
  const entries = restoreEntries(inputs.snapshots);
  const outputs = entries.flatMap((entry) => {
    const volume = volumes.get(entry.snapshotId);
    return volume === undefined ? [] : [volumeOutput(entry, volume, statuses.get(volume.VolumeId ?? ""), instanceId)];
  });
  return compact({
    ...echoInputs(inputs),
    snapshots: entries,
    availabilityZone: inputs.availabilityZone,
    volumeIds: outputs.map((v) => v.volumeId),
    volumes: outputs,
    state: aggregate(outputs, instanceId !== undefined),
    tags: inputs.tags ?? {},
    region,
    missingVolumeIds: missing.length > 0 ? [...missing] : undefined,
  });
}
