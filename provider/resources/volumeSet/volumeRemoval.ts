import type { Volume } from "@aws-sdk/client-ec2";
import type { Ec2 } from "../../ec2/ec2";
import type { Deadline } from "../../lifecycle/deadline";
import { whatOf } from "../../messages/failureMessage";
import { warn } from "../../messages/log";
import { VolumeVanishedError, waitForVolumes } from "../../scheduling/poller";

export interface RemovalFailure {
  volumeId: string;
  reason: string;
  error: unknown;
}

/** What a removal left: the volumes that remain, each with its reason. */
export interface Removal {
  remaining: string[];
  failures: RemovalFailure[];
}

export interface RemovalOptions {
  label: string;
  deadline: Deadline;
  /** EC2's `Force` on detach, which can lose data the instance has not flushed: only when the program says so. */
  force: boolean;
}

/**
 * Detaches each volume (waiting for `detached`), then deletes it. A volume already gone counts as
 * deleted. Before a volume is taken from a running instance, one line says that a file system on it
 * should have been unmounted first: the detach itself cannot tell.
 */
export async function removeVolumes(ec2: Ec2, volumeIds: readonly string[], options: RemovalOptions): Promise<Removal> {
  // As EC2 has them now: what a failed step knew may predate an attach it sent.
  const volumes = [...(await ec2.volumesById(volumeIds)).values()];
  const attached = volumes.filter((v) => (v.Attachments ?? []).some((a) => a.State === "attached" || a.State === "attaching"));
  const instances = [...new Set(attached.flatMap((v) => (v.Attachments ?? []).map((a) => a.InstanceId ?? "")))].filter((id) => id !== "");
  for (const instanceId of instances) {
    const instance = await ec2.describeInstance(instanceId);
    if (instance?.State?.Name === "running") {
      const ids = attached.filter((v) => (v.Attachments ?? []).some((a) => a.InstanceId === instanceId)).map((v) => v.VolumeId);
      warn(
        options.label,
        `detaching ${ids.join(", ")} from running instance ${instanceId}${options.force ? " with force" : ""}; unmount any file system on ${ids.length === 1 ? "it" : "them"} first, or data the instance has not written is lost`,
      );
    }
  }
  const results = await Promise.allSettled(volumes.map((volume) => removeVolume(ec2, volume, options)));
  const failures = results.flatMap((result, i): RemovalFailure[] =>
    result.status === "rejected" ? [{ volumeId: volumes[i].VolumeId ?? "", reason: whatOf(result.reason), error: result.reason }] : [],
  );
  return { remaining: failures.map((f) => f.volumeId), failures };
}

/** Sends DetachVolume for every live attachment of the volume (with force only when asked); true when there was one. */
export async function detachAll(ec2: Ec2, volume: Volume, force: boolean): Promise<boolean> {
  const attachments = (volume.Attachments ?? []).filter((a) => a.State !== "detached");
  for (const attachment of attachments) {
    await ec2.detachVolume(volume.VolumeId ?? "", attachment.InstanceId ?? "", attachment.Device, force);
  }
  return attachments.length > 0;
}

async function removeVolume(ec2: Ec2, volume: Volume, options: RemovalOptions): Promise<void> {
  const volumeId = volume.VolumeId ?? "";
  if (await detachAll(ec2, volume, options.force)) {
    const seen = await waitForVolumes(ec2, [volumeId], { deadline: options.deadline, createdAt: 0 }).catch((error: unknown) => {
      // Gone while detaching: nothing is left to delete.
      if (error instanceof VolumeVanishedError) {
        return new Map<string, Volume>();
      }
      throw error;
    });
    if (!seen.has(volumeId)) {
      return;
    }
  }
  await ec2.deleteVolume(volumeId);
}
