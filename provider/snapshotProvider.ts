import type { Snapshot } from "@aws-sdk/client-ec2";
import { newCreationMarker, type CreationMarker } from "./creationMarker";
import { Deadline, DeadlineExceededError } from "./deadline";
import { diffResource, SNAPSHOT_DIFF_RULES } from "./diff";
import { formatDuration } from "./duration";
import { Ec2 } from "./ec2";
import { classifyError, imageIdFromInUse } from "./ec2Errors";
import type { CheckResult, CreateResult, DiffHookResult, Props, ReadResult, UpdateResult } from "./hookTypes";
import { progressLine, resourceLabel, warn, writeLine } from "./log";
import { compact, snapshotOutputs } from "./outputs";
import { PartialStateError } from "./partialState";
import { SnapshotVanishedError, waitForSnapshots, WaitTimeoutError } from "./poller";
import { readSettings } from "./settings";
import { fromEc2Tags, tagChanges, type TagMap } from "./tags";
import { timeoutMs } from "./timeouts";
import type { ProductCode, SnapshotInputs, SnapshotOutputs } from "./types";
import { validateSnapshotInputs } from "./validate";
import { admit } from "./volumeAdmission";
import { attachedInstanceId, consistencyAdvice, pendingSnapshotLimit } from "./volumeAdvice";

const KIND = "Snapshot";
/** Extra time, past a deadline, to look for a snapshot whose create call the deadline cut off. */
const RECOVERY_GRACE_MS = 30_000;

/** The inputs of a Snapshot, from check's news or from recorded state (which echoes them). */
function inputsOf(props: Props): SnapshotInputs {
  return compact({
    volumeId: props.volumeId as string,
    description: props.description as string | undefined,
    outpostArn: props.outpostArn as string | undefined,
    region: props.region as string | undefined,
    tags: props.tags as TagMap | undefined,
    waitForCompletion: props.waitForCompletion as boolean | undefined,
    timeouts: props.timeouts as SnapshotInputs["timeouts"],
    __name: props.__name as string | undefined,
  });
}

function labelOf(props: Props): string {
  return resourceLabel(KIND, props.__name);
}

function productCodesOf(props: Props): ProductCode[] | undefined {
  return Array.isArray(props.productCodes) ? (props.productCodes as ProductCode[]) : undefined;
}

/** Writes a progress line for a pending snapshot (only called when something changed). */
function reportProgress(label: string, snapshot: Snapshot | undefined, waitStartedAt: number, nextPollMs: number): void {
  if (snapshot?.SnapshotId !== undefined && snapshot.State === "pending") {
    const started = snapshot.StartTime?.getTime() ?? waitStartedAt;
    writeLine(progressLine(label, snapshot.SnapshotId, snapshot.Progress, Date.now() - started, nextPollMs));
  }
}

export async function check(_olds: Props, news: Props): Promise<CheckResult<Props>> {
  const failures = validateSnapshotInputs(news);
  const inputs = Object.fromEntries(Object.entries(news).filter(([, v]) => v !== undefined && v !== null));
  return { inputs, failures };
}

export async function diff(_id: string, olds: Props, news: Props): Promise<DiffHookResult> {
  const { changes, replaces, deleteBeforeReplace } = diffResource(SNAPSHOT_DIFF_RULES, olds, news);
  return { changes, replaces, deleteBeforeReplace };
}

export async function create(props: Props): Promise<CreateResult<SnapshotOutputs>> {
  const inputs = inputsOf(props);
  const label = labelOf(props);
  const settings = readSettings();
  const deadline = Deadline.after(timeoutMs(inputs.timeouts, "create"), `create of ${label} (volume ${inputs.volumeId})`);
  try {
    const ec2 = await Ec2.connect(settings, deadline, inputs.region);
    const volume = await ec2.describeVolume(inputs.volumeId);
    if (volume === undefined) {
      throw new Error(`${label}: volume ${inputs.volumeId} does not exist in ${ec2.region} (EC2 InvalidVolume.NotFound); check volumeId and region`);
    }
    const instanceId = attachedInstanceId(volume);
    if (instanceId !== undefined) {
      const advice = consistencyAdvice(volume, await ec2.describeInstance(instanceId));
      if (advice !== undefined) {
        warn(label, advice);
      }
    }
    const admission = await admit(`${ec2.region}/${inputs.volumeId}`, pendingSnapshotLimit(volume), settings.volumeSpacingMs, deadline.signal);
    try {
      const marker = newCreationMarker(inputs.tags ?? {}, inputs.description, [inputs.volumeId]);
      const { snapshot, uncertain } = await createOrRecover(ec2, inputs, marker, label);
      const snapshotId = snapshot.SnapshotId ?? "";
      const productCodes = await ec2.productCodes(snapshotId);
      const outputs = await finish(ec2, inputs, snapshot, productCodes, label, "delete");
      if (uncertain) {
        await removeStrays(ec2, marker, snapshotId, label);
      }
      return { id: snapshotId, outs: outputs };
    } finally {
      admission.release();
    }
  } finally {
    deadline.dispose();
  }
}

/**
 * CreateSnapshot; if the deadline cuts the call off, looks once more (briefly past the deadline) for a
 * snapshot the call may have made, and records it as partial state instead of leaking it.
 */
async function createOrRecover(ec2: Ec2, inputs: SnapshotInputs, marker: CreationMarker, label: string): Promise<{ snapshot: Snapshot; uncertain: boolean }> {
  try {
    const created = await ec2.createSnapshot(
      compact({ VolumeId: inputs.volumeId, Description: inputs.description, OutpostArn: inputs.outpostArn }),
      marker,
    );
    return { snapshot: created.value, uncertain: created.uncertain };
  } catch (error) {
    if (!(error instanceof DeadlineExceededError)) {
      throw error;
    }
    const grace = Deadline.after(RECOVERY_GRACE_MS, `search for a snapshot of ${label} after its create timed out`);
    try {
      const [found] = await ec2.withDeadline(grace).findMarked(marker);
      if (found?.SnapshotId !== undefined) {
        const outputs = snapshotOutputs(inputs, found, ec2.region, []);
        throw new PartialStateError(found.SnapshotId, outputs, `${label}: ${error.message}; snapshot ${found.SnapshotId} was created and is recorded`);
      }
    } catch (searchError) {
      if (searchError instanceof PartialStateError) {
        throw searchError;
      }
    } finally {
      grace.dispose();
    }
    throw new Error(`${label}: ${error.message}; no snapshot was created`, { cause: error });
  }
}

/**
 * Waits for the snapshot when asked to, and turns the outcome into outputs or the right failure:
 * partial state on timeout (the next `pulumi up` resumes). A snapshot that ends in error is deleted when
 * it was just created; one already in state is recorded as failed, so the next diff replaces it.
 */
async function finish(
  ec2: Ec2,
  inputs: SnapshotInputs,
  snapshot: Snapshot,
  productCodes: ProductCode[],
  label: string,
  onError: "delete" | "record",
  createdAt: number = Date.now(),
): Promise<SnapshotOutputs> {
  const snapshotId = snapshot.SnapshotId ?? "";
  let latest = snapshot;
  if (inputs.waitForCompletion !== false && (latest.State === undefined || latest.State === "pending")) {
    const waitStartedAt = Date.now();
    try {
      const done = await waitForSnapshots(ec2, [snapshotId], {
        deadline: ec2.deadline,
        initial: new Map([[snapshotId, latest]]),
        createdAt,
        onProgress: ({ snapshots, nextPollMs }) => reportProgress(label, snapshots.get(snapshotId), waitStartedAt, nextPollMs),
      });
      latest = done.get(snapshotId) ?? latest;
    } catch (error) {
      if (error instanceof WaitTimeoutError) {
        const seen = error.lastSeen.get(snapshotId) ?? latest;
        const outputs = snapshotOutputs(inputs, seen, ec2.region, productCodes);
        throw new PartialStateError(
          snapshotId,
          outputs,
          `${label}: snapshot ${snapshotId} is still pending (${seen.Progress ?? "0%"}) after ${formatDuration(error.timeoutMs)}; ` +
            "it is recorded, and the next `pulumi up` resumes waiting (raise timeouts.create or timeouts.update to wait longer in one run)",
        );
      }
      if (error instanceof SnapshotVanishedError) {
        throw new Error(`${label}: ${error.message}`, { cause: error });
      }
      throw error;
    }
  }
  if (latest.State === "error") {
    if (onError === "delete") {
      await failAndCleanUp(ec2, inputs, latest, productCodes, label);
    }
    throw new PartialStateError(
      snapshotId,
      snapshotOutputs(inputs, latest, ec2.region, productCodes),
      `${label}: snapshot ${snapshotId} of volume ${inputs.volumeId} failed (state error: ${latest.StateMessage || "EC2 gave no reason"}); ` +
        "the next `pulumi up` deletes it and takes a new one",
    );
  }
  return snapshotOutputs(inputs, latest, ec2.region, productCodes);
}

/**
 * A snapshot in `error` is useless but still counts against the volume's pending limit: delete it and
 * fail with EC2's StateMessage. If it cannot be deleted, record it (partial state) so it is not leaked.
 */
async function failAndCleanUp(
  ec2: Ec2,
  inputs: SnapshotInputs,
  snapshot: Snapshot,
  productCodes: ProductCode[],
  label: string,
): Promise<never> {
  const snapshotId = snapshot.SnapshotId ?? "";
  const reason = snapshot.StateMessage || "EC2 gave no reason";
  const cleanup = Deadline.after(timeoutMs(inputs.timeouts, "delete"), `delete of failed snapshot ${snapshotId}`);
  try {
    await ec2.withDeadline(cleanup).deleteSnapshot(snapshotId);
  } catch (deleteError) {
    throw new PartialStateError(
      snapshotId,
      snapshotOutputs(inputs, snapshot, ec2.region, productCodes),
      `${label}: snapshot ${snapshotId} of volume ${inputs.volumeId} failed (state error: ${reason}), and deleting it failed too: ` +
        `${deleteError instanceof Error ? deleteError.message : String(deleteError)}. It is recorded; \`pulumi up\` will replace it.`,
    );
  } finally {
    cleanup.dispose();
  }
  throw new Error(
    `${label}: snapshot ${snapshotId} of volume ${inputs.volumeId} failed (state error: ${reason}); it was deleted. ` +
      "Check the volume, then run `pulumi up` again.",
  );
}

/** After a lost response, deletes the other snapshots that carry this create's token: ours, and recorded nowhere. */
async function removeStrays(ec2: Ec2, marker: CreationMarker, keep: string, label: string): Promise<void> {
  if (marker.token === undefined) {
    return;
  }
  const strays = (await ec2.findMarked(marker)).filter((s) => s.SnapshotId !== undefined && s.SnapshotId !== keep);
  for (const stray of strays) {
    await ec2.deleteSnapshot(stray.SnapshotId!);
    writeLine(`${label}: deleted duplicate snapshot ${stray.SnapshotId} left by a request whose answer was lost`);
  }
}

export async function read(id: string, props: Props): Promise<ReadResult<SnapshotOutputs>> {
  const settings = readSettings();
  const deadline = Deadline.after(timeoutMs(props.timeouts, "update"), `refresh of ${labelOf(props)} (${id})`);
  try {
    const ec2 = await Ec2.connect(settings, deadline, props.region as string | undefined);
    const snapshot = (await ec2.describeSnapshots([id])).get(id);
    if (snapshot === undefined) {
      return { id: "", props: {} };
    }
    const productCodes = productCodesOf(props) ?? (await ec2.productCodes(id));
    return { id, props: snapshotOutputs({ ...inputsOf(props), volumeId: snapshot.VolumeId ?? (props.volumeId as string) }, snapshot, ec2.region, productCodes) };
  } finally {
    deadline.dispose();
  }
}

export async function update(id: string, olds: Props, news: Props): Promise<UpdateResult<SnapshotOutputs>> {
  const inputs = { ...inputsOf(news), volumeId: (olds.volumeId as string) ?? (news.volumeId as string) };
  const label = labelOf(news);
  const settings = readSettings();
  const deadline = Deadline.after(timeoutMs(inputs.timeouts, "update"), `update of ${label} (${id})`);
  try {
    // The snapshot lives where it was made; a program that now resolves another region does not move it.
    const ec2 = await Ec2.connect(settings, deadline, (olds.region as string | undefined) ?? inputs.region);
    let snapshot = (await ec2.describeSnapshots([id])).get(id);
    if (snapshot === undefined) {
      throw new Error(`${label}: snapshot ${id} no longer exists (deleted outside Pulumi); run \`pulumi refresh\`, then \`pulumi up\` to take a new one`);
    }
    const changes = tagChanges(fromEc2Tags(snapshot.Tags), inputs.tags ?? {});
    await ec2.deleteTags([id], changes.remove);
    await ec2.createTags([id], changes.set);
    const productCodes = productCodesOf(olds) ?? (await ec2.productCodes(id));
    const startedAt = snapshot.StartTime?.getTime() ?? Date.now();
    await finish(ec2, inputs, snapshot, productCodes, label, "record", startedAt);
    snapshot = (await ec2.describeSnapshots([id])).get(id) ?? snapshot;
    return { outs: snapshotOutputs(inputs, snapshot, ec2.region, productCodes) };
  } finally {
    deadline.dispose();
  }
}

export async function remove(id: string, props: Props): Promise<void> {
  const label = labelOf(props);
  const settings = readSettings();
  const deadline = Deadline.after(timeoutMs(props.timeouts, "delete"), `delete of ${label} (${id})`);
  try {
    const ec2 = await Ec2.connect(settings, deadline, props.region as string | undefined);
    try {
      await ec2.deleteSnapshot(id);
    } catch (error) {
      throw await inUseMessage(ec2, id, label, error);
    }
  } finally {
    deadline.dispose();
  }
}

/** When a delete ran out of time because an AMI uses the snapshot, says which AMI and what to do. */
export async function inUseMessage(ec2: Ec2, snapshotId: string, label: string, error: unknown): Promise<Error> {
  const last = error instanceof DeadlineExceededError ? error.lastError : error;
  if (classifyError(last).kind !== "inUse") {
    return error instanceof Error ? error : new Error(String(error));
  }
  let images = [imageIdFromInUse(last)].filter((id): id is string => id !== undefined);
  if (images.length === 0) {
    const grace = Deadline.after(RECOVERY_GRACE_MS, `lookup of the AMI using ${snapshotId}`);
    try {
      images = await ec2.withDeadline(grace).imagesUsing(snapshotId);
    } finally {
      grace.dispose();
    }
  }
  const which = images.length > 0 ? `AMI ${images.join(", ")}` : "an AMI";
  return new Error(
    `${label}: snapshot ${snapshotId} cannot be deleted because ${which} uses it (EC2 InvalidSnapshot.InUse). ` +
      `Deregister ${images.length > 0 ? "that AMI" : "the AMI"} first, then run the delete again.`,
    { cause: error },
  );
}
