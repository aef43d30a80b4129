import type { Volume, VolumeStatusItem } from "@aws-sdk/client-ec2";
import type { Ec2 } from "../../ec2/ec2";
import { withRoomForUserTags, type CreationMarker } from "../../lifecycle/creationMarker";
import type { Deadline } from "../../lifecycle/deadline";
import { compact } from "../../lifecycle/outputs";
import { fromEc2Tags, MAX_TAGS, tagChanges, type TagMap } from "../../inputs/tags";
import { ExplainedError, whatOf } from "../../messages/failureMessage";
import { writeLine } from "../../messages/log";
import { waitForModifications, waitForVolumes } from "../../scheduling/poller";
import type { VolumeSetEntry, VolumeSetInputs } from "../../types";
import type { PlannedVolume } from "./preflight";
import { detachAll } from "./volumeRemoval";

/** One restore in progress: what it made so far, by snapshot id, so that any failure knows what exists. */
export interface Restoring {
  inputs: VolumeSetInputs;
  label: string;
  ec2: Ec2;
  deadline: Deadline;
  volumes: Map<string, Volume>;
  statuses: Map<string, VolumeStatusItem>;
}

/** A step that failed for some volumes; each reason names the volume (or snapshot) it is about. */
export class VolumeStepError extends ExplainedError {
  override readonly name = "VolumeStepError";
  constructor(
    step: string,
    readonly reasons: readonly string[],
    next?: string,
    options?: ErrorOptions,
  ) {
    super(`${step} failed for ${reasons.length === 1 ? "1 volume" : `${reasons.length} volumes`}: ${reasons.join("; ")}`, next, options);
  }
}

/**
 * The tags a volume is made with and kept at: its snapshot's (with copyTagsFromSnapshots), then the
 * program's, which win on the same key. One place is kept for the create token (EC2 allows 50).
 */
export function volumeTags(inputs: VolumeSetInputs, snapshotTags: TagMap): TagMap {
  const own = inputs.tags ?? {};
  const copied = inputs.copyTagsFromSnapshots === true ? Object.entries(snapshotTags).filter(([key]) => !Object.hasOwn(own, key)) : [];
  return { ...Object.fromEntries(copied.slice(0, Math.max(0, MAX_TAGS - 1 - Object.keys(own).length))), ...own };
}

/** The tags a CreateVolume carries besides the token: without the one the marker holds back when the program's fill all 50 places. */
function sentTags(tags: TagMap, marker: CreationMarker): TagMap {
  return Object.fromEntries(Object.entries(tags).filter(([key]) => !Object.hasOwn(marker.deferred ?? {}, key)));
}

/** The client token of one volume of one create: the same request sent again is answered with the same volume. */
function clientToken(marker: CreationMarker, snapshotId: string): string {
  return `${marker.id}-${snapshotId}`.slice(0, 64);
}

/**
 * Sends CreateVolume for every planned volume the restore lacks, all at once. Each volume made is kept
 * in `restoring.volumes` as soon as EC2 answers, so a failure of another leaves it known, not leaked.
 */
export async function makeVolumes(restoring: Restoring, planned: readonly PlannedVolume[], marker: CreationMarker): Promise<void> {
  const { inputs, ec2 } = restoring;
  const lacking = planned.filter((p) => !restoring.volumes.has(p.entry.snapshotId));
  const results = await Promise.allSettled(
    lacking.map(async (p) => {
      const created = await ec2.createVolume(
        compact({
          SnapshotId: p.entry.snapshotId,
          AvailabilityZone: inputs.availabilityZone,
          Size: p.entry.sizeGiB !== undefined ? p.sizeGiB : undefined,
          VolumeType: inputs.volumeType ?? "gp3",
          Iops: inputs.iops,
          Throughput: inputs.throughput,
          Encrypted: inputs.kmsKeyId !== undefined ? true : inputs.encrypted,
          KmsKeyId: inputs.kmsKeyId,
          VolumeInitializationRate: inputs.initialization?.rateMiBps,
        }),
        { ...marker, sent: sentTags(volumeTags(inputs, p.snapshotTags), marker) },
        clientToken(marker, p.entry.snapshotId),
      );
      restoring.volumes.set(p.entry.snapshotId, { ...created.value, SnapshotId: created.value.SnapshotId ?? p.entry.snapshotId });
    }),
  );
  const failed = results.flatMap((r, i) => (r.status === "rejected" ? [{ snapshotId: lacking[i].entry.snapshotId, error: r.reason as unknown }] : []));
  if (failed.length > 0) {
    // A deadline is the resource's to handle (partial state), not a per-volume reason.
    const deadline = failed.find((f) => f.error instanceof Error && f.error.name === "DeadlineExceededError");
    if (deadline !== undefined) {
      throw deadline.error;
    }
    throw new VolumeStepError(
      "CreateVolume",
      failed.map((f) => `snapshot ${f.snapshotId}: ${whatOf(f.error)}`),
      undefined,
      { cause: failed[0].error },
    );
  }
}

/** Waits, in the shared poller, until no volume of the restore is moving; any in `error` fails the step. */
export async function settleVolumes(restoring: Restoring, step: string): Promise<void> {
  const bySnapshot = [...restoring.volumes];
  const ids = bySnapshot.map(([, v]) => v.VolumeId ?? "");
  const latest = await waitForVolumes(restoring.ec2, ids, {
    deadline: restoring.deadline,
    // No initial answers: what is known may predate the step's own request (an attach just sent).
    stopOnError: true,
    onProgress: ({ snapshots }) => {
      const moving = [...snapshots.values()].filter((v) => v.State === "creating" || (v.Attachments ?? []).some((a) => a.State === "attaching" || a.State === "detaching"));
      if (moving.length > 0) {
        writeLine(`${restoring.label}: ${step}: ${moving.length} of ${ids.length} volumes still moving (${moving.map((v) => `${v.VolumeId} ${v.State}`).join(", ")})`);
      }
    },
  });
  for (const [snapshotId, volume] of bySnapshot) {
    restoring.volumes.set(snapshotId, latest.get(volume.VolumeId ?? "") ?? volume);
  }
  const failed = bySnapshot.filter(([snapshotId]) => restoring.volumes.get(snapshotId)?.State === "error");
  if (failed.length > 0) {
    throw new VolumeStepError(
      step,
      failed.map(([snapshotId, v]) => `${v.VolumeId} (from ${snapshotId}) ended in error`),
    );
  }
}

function attachedTo(volume: Volume, instanceId: string): boolean {
  return (volume.Attachments ?? []).some((a) => a.InstanceId === instanceId && (a.State === "attached" || a.State === "attaching"));
}

/**
 * Attaches every volume to the instance at its entry's device, first detaching any attached elsewhere
 * (an `attach` that changed); then waits for `attached`. Refusals are collected per volume.
 */
export async function attachVolumes(restoring: Restoring, entries: readonly VolumeSetEntry[], instanceId: string): Promise<void> {
  const { ec2 } = restoring;
  const elsewhere = [...restoring.volumes.values()].filter((v) => (v.Attachments ?? []).some((a) => a.InstanceId !== instanceId && a.State !== "detached"));
  if (elsewhere.length > 0) {
    await detachVolumes(restoring, elsewhere, false);
  }
  const pending = entries.filter((e) => {
    const volume = restoring.volumes.get(e.snapshotId);
    return volume !== undefined && !attachedTo(volume, instanceId);
  });
  const results = await Promise.allSettled(pending.map((e) => ec2.attachVolume(restoring.volumes.get(e.snapshotId)?.VolumeId ?? "", instanceId, e.deviceName ?? "")));
  // An attach waited through (IncorrectState) until the deadline is the resource's to handle (partial
  // state, resumed by the next up), not a refusal that makes the create delete its volumes.
  const deadline = results.find((r): r is PromiseRejectedResult => r.status === "rejected" && r.reason instanceof Error && r.reason.name === "DeadlineExceededError");
  if (deadline !== undefined) {
    throw deadline.reason;
  }
  const refused = results.flatMap((r, i) =>
    r.status === "rejected" ? [`${restoring.volumes.get(pending[i].snapshotId)?.VolumeId} at ${pending[i].deviceName}: ${whatOf(r.reason)}`] : [],
  );
  if (refused.length > 0) {
    throw new VolumeStepError(`AttachVolume to ${instanceId}`, refused);
  }
  await settleVolumes(restoring, `attaching to ${instanceId}`);
  const unattached = entries.filter((e) => {
    const volume = restoring.volumes.get(e.snapshotId);
    return volume !== undefined && !(volume.Attachments ?? []).some((a) => a.InstanceId === instanceId && a.State === "attached");
  });
  if (unattached.length > 0) {
    throw new VolumeStepError(
      `attaching to ${instanceId}`,
      unattached.map((e) => `${restoring.volumes.get(e.snapshotId)?.VolumeId} is not attached at ${e.deviceName} (EC2 reports ${restoring.volumes.get(e.snapshotId)?.State})`),
    );
  }
}

/** Detaches volumes (never with force unless asked) and waits until they are. */
export async function detachVolumes(restoring: Restoring, volumes: readonly Volume[], force: boolean): Promise<void> {
  for (const volume of volumes) {
    await detachAll(restoring.ec2, volume, force);
  }
  await settleVolumes(restoring, "detaching");
}

/**
 * Brings each volume's tags to what the program wants, touching only keys the set manages: the
 * program's tags, and its snapshot's when copied (`previous` is what the recorded state managed).
 */
export async function retagVolumes(restoring: Restoring, snapshotTags: ReadonlyMap<string, TagMap>, previous: VolumeSetInputs): Promise<void> {
  for (const [snapshotId, volume] of restoring.volumes) {
    const tags = snapshotTags.get(snapshotId) ?? {};
    const desired = volumeTags(restoring.inputs, tags);
    const managedBefore = volumeTags(previous, tags);
    const current = fromEc2Tags(volume.Tags);
    const changes = tagChanges(current, desired);
    // The create token stays as provenance unless the program's tags need all 50 places.
    const room = withRoomForUserTags({ set: changes.set, remove: changes.remove.filter((key) => Object.hasOwn(managedBefore, key)) }, [{ Tags: volume.Tags }], desired);
    const ids = [volume.VolumeId ?? ""];
    await restoring.ec2.deleteTags(ids, room.remove);
    await restoring.ec2.createTags(ids, room.set);
  }
}

/**
 * Changes type, IOPS, throughput and size in place where the volumes differ from the program, then
 * waits until EC2 reports each modification `optimizing` (the new settings in effect) or `completed`.
 */
export async function modifyVolumes(restoring: Restoring, entries: readonly VolumeSetEntry[]): Promise<void> {
  const { inputs, ec2 } = restoring;
  const modified: string[] = [];
  for (const entry of entries) {
    const volume = restoring.volumes.get(entry.snapshotId);
    if (volume?.VolumeId === undefined) {
      continue;
    }
    const change = compact({
      VolumeType: (inputs.volumeType ?? "gp3") !== volume.VolumeType ? (inputs.volumeType ?? "gp3") : undefined,
      Iops: inputs.iops !== undefined && inputs.iops !== volume.Iops ? inputs.iops : undefined,
      Throughput: inputs.throughput !== undefined && inputs.throughput !== volume.Throughput ? inputs.throughput : undefined,
      Size: entry.sizeGiB !== undefined && entry.sizeGiB > (volume.Size ?? 0) ? entry.sizeGiB : undefined,
    });
    if (Object.keys(change).length > 0) {
      await ec2.modifyVolume({ VolumeId: volume.VolumeId, ...change });
      modified.push(volume.VolumeId);
    }
  }
  if (modified.length === 0) {
    return;
  }
  writeLine(`${restoring.label}: modifying ${modified.join(", ")} in place; waiting until EC2 reports the new settings in effect`);
  const states = await waitForModifications(ec2, modified, { deadline: restoring.deadline });
  const failed = modified.filter((id) => states.get(id)?.ModificationState === "failed");
  if (failed.length > 0) {
    throw new VolumeStepError(
      "ModifyVolume",
      failed.map((id) => `${id}: ${states.get(id)?.StatusMessage ?? "EC2 reports the modification failed"}`),
      "check the volume type's limits against EC2's message; EC2 allows one modification per volume every 6 hours",
    );
  }
  const refreshed = await ec2.volumesById(modified);
  for (const [snapshotId, volume] of restoring.volumes) {
    const latest = refreshed.get(volume.VolumeId ?? "");
    if (latest !== undefined) {
      restoring.volumes.set(snapshotId, latest);
    }
  }
}
