import type { Volume } from "@aws-sdk/client-ec2";
import type { Ec2 } from "../../ec2/ec2";
import type { Deadline } from "../../lifecycle/deadline";
import { whatOf } from "../../messages/failureMessage";
import { warn } from "../../messages/log";
import { waitForVolumes } from "../../scheduling/poller";

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

async function removeVolume(ec2: Ec2, volume: Volume, options: RemovalOptions): Promise<void> {
  const volumeId = volume.VolumeId ?? "";
  const attachments = (volume.Attachments ?? []).filter((a) => a.State !== "detached");
  if (attachments.length > 0) {
    for (const attachment of attachments) {
      await ec2.detachVolume(volumeId, attachment.InstanceId ?? "", attachment.Device, options.force);
    }
    const seen = await waitForVolumes(ec2, [volumeId], { deadline: options.deadline, createdAt: 0 }).catch((error: unknown) => {
      // Gone while detaching: nothing is left to delete.
      if (error instanceof Error && error.name === "VolumeVanishedError") {
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
