import type { Instance, Volume } from "@aws-sdk/client-ec2";

/**
 * The EC2 user guide: a snapshot captures only what has reached the volume, so for a consistent snapshot
 * of an attached volume pause writes or stop the instance, above all for a root volume. Returns that
 * advice as one line when the volume is attached to a running instance, undefined otherwise.
 */
export function consistencyAdvice(volume: Volume, instance: Instance | undefined): string | undefined {
  const attachment = (volume.Attachments ?? []).find((a) => a.InstanceId === instance?.InstanceId && a.State !== "detached");
  if (instance === undefined || attachment === undefined || instance.State?.Name !== "running") {
    return undefined;
  }
  const device = attachment.Device ?? "an unknown device";
  if (device === instance.RootDeviceName) {
    return (
      `volume ${volume.VolumeId} is the root device (${device}) of running instance ${instance.InstanceId}; ` +
      "the snapshot will be crash-consistent only. Stop the instance first for a consistent snapshot of a root volume."
    );
  }
  return (
    `volume ${volume.VolumeId} is attached to running instance ${instance.InstanceId} at ${device}; ` +
    "the snapshot captures only data already written to the volume. Pause writes (for example fsfreeze) or stop the instance for a consistent snapshot."
  );
}

/** The instance a volume is attached to, if any. */
export function attachedInstanceId(volume: Volume): string | undefined {
  return (volume.Attachments ?? []).find((a) => a.State !== "detached" && a.InstanceId !== undefined)?.InstanceId;
}

/** EC2 allows 5 pending snapshots per volume, and 1 for throughput-optimized and cold HDD volumes. */
export function pendingSnapshotLimit(volume: Volume | undefined): number {
  return volume?.VolumeType === "st1" || volume?.VolumeType === "sc1" ? 1 : 5;
}
