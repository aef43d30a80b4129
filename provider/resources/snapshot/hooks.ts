import type { Snapshot } from "@aws-sdk/client-ec2";
import { inFlightFor, newCreationMarker, recordedToken, resourceKey, resumedMarker, tokenOf, type CreationMarker } from "../../lifecycle/creationMarker";
import { failAfterTimeout, markedOnFailure, markRecorded, sweepStrays } from "../../lifecycle/createRecovery";
import { Deadline, DeadlineExceededError } from "../../lifecycle/deadline";
import { explainDeleteFailure } from "../../lifecycle/deleteFailure";
import { interruptedCreates } from "../../lifecycle/interruptedLookup";
import { diffResource, SNAPSHOT_DIFF_RULES } from "../../inputs/diff";
import { formatDuration } from "../../inputs/duration";
import type { Ec2, Pace } from "../../ec2/ec2";
import { describeFailure, ExplainedError, failureText, OUTCOME } from "../../messages/failureMessage";
import { hookSpec, runHook } from "../../lifecycle/hookContext";
import type { CheckResult, CreateResult, DiffHookResult, Props, ReadResult, UpdateResult } from "../../lifecycle/hookTypes";
import { reportPending, resourceLabel, warn, writeLine } from "../../messages/log";
import { compact, snapshotOutputs } from "../../lifecycle/outputs";
import { CleanedUpError, PartialStateError, recordingProvider, recordOnFailure } from "../../lifecycle/partialState";
import { waitForSnapshots, WaitTimeoutError } from "../../scheduling/poller";
import { CREATE_TOKEN_TAG, fromEc2Tags, tagChanges, withRoomForTags } from "../../inputs/tags";
import { timeoutMs } from "../../lifecycle/timeouts";
import type { ProductCode, SnapshotInputs, SnapshotOutputs } from "../../types";
import { inputsFrom, SNAPSHOT_FIELDS, validateSnapshotInputs } from "../../inputs/validate";
import { admit } from "../../scheduling/volumeAdmission";
import { attachedInstanceId, consistencyAdvice, pendingSnapshotLimit } from "../../ec2/volumeAdvice";

function inputsOf(props: Props): SnapshotInputs {
  return inputsFrom<SnapshotInputs>(SNAPSHOT_FIELDS, props);
}

function labelOf(props: Props): string {
  return resourceLabel("Snapshot", props.__logicalName);
}

function productCodesOf(props: Props): ProductCode[] | undefined {
  return Array.isArray(props.productCodes) ? (props.productCodes as ProductCode[]) : undefined;
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
  const hook = hookSpec("create", { label, noun: "snapshot", subject: `volume ${inputs.volumeId}`, timeouts: inputs.timeouts, region: inputs.region });
  return recordingProvider(props, () =>
    runHook(hook, async ({ ec2, settings, deadline }) => {
      const volume = await ec2.describeVolume(inputs.volumeId);
      if (volume === undefined) {
        throw new ExplainedError(`volume ${inputs.volumeId} does not exist in ${ec2.region} (EC2 InvalidVolume.NotFound)`, "check volumeId and region");
      }
      const instanceId = attachedInstanceId(volume);
      if (instanceId !== undefined) {
        const advice = consistencyAdvice(volume, await ec2.describeInstance(instanceId));
        if (advice !== undefined) {
          warn(label, advice);
        }
      }
      const key = resourceKey(props.__urn);
      const interrupted = key === undefined ? undefined : await findInterruptedSnapshot(ec2, key, inputs, label);
      const admission = await admit(`${ec2.region}/${inputs.volumeId}`, pendingSnapshotLimit(volume), settings.volumeSpacingMs, deadline.signal, (line) =>
        writeLine(`${label}: ${line}`),
      );
      try {
        const marker = interrupted !== undefined ? resumedMarker(tokenOf(interrupted) ?? "", inputs.tags ?? {}) : newCreationMarker(inputs.tags ?? {}, key);
        const created = interrupted !== undefined ? { snapshot: interrupted, uncertain: false } : await createOrRecover(ec2, inputs, marker, label, admission.send);
        const { uncertain } = created;
        let snapshot = created.snapshot;
        const snapshotId = snapshot.SnapshotId ?? "";
        let productCodes: ProductCode[] = [];
        // From here on the snapshot exists: any failure records it as partial state instead of leaking it.
        return await markedOnFailure(
          ec2,
          () => [snapshotId],
          marker,
          () =>
            recordOnFailure(
              snapshotId,
              () => snapshotOutputs(inputs, snapshot, ec2.region, productCodes),
              (error) => describeFailure(label, error, OUTCOME.recorded([snapshotId]), "run `pulumi up` again to resume it"),
              async () => {
                if (interrupted !== undefined) {
                  // The program's tags may have changed since the interrupted run sent them.
                  const changes = tagChanges(fromEc2Tags(interrupted.Tags), marker.sent);
                  await ec2.deleteTags([snapshotId], changes.remove);
                  await ec2.createTags([snapshotId], changes.set);
                  snapshot = (await ec2.describeSnapshots([snapshotId])).get(snapshotId) ?? snapshot;
                }
                productCodes = await ec2.productCodes(snapshotId, true);
                const outputs = await settle(ec2, inputs, snapshot, productCodes, label, "delete");
                if (uncertain) {
                  // One volume: every other snapshot with this request's token is a duplicate.
                  await sweepStrays(ec2, marker, new Set([snapshotId]), () => true, label);
                }
                const held = await markRecorded(ec2, [snapshotId], marker);
                return { id: snapshotId, outs: { ...outputs, tags: { ...outputs.tags, ...held } } };
              },
            ),
        );
      } finally {
        admission.release();
      }
    }),
  );
}

/**
 * A snapshot this resource's create started earlier, which no state records because that create never
 * returned: the same volume, description and Outpost, not failed. The newest one is resumed, once a
 * fresh look confirms it is still there and still unrecorded.
 */
async function findInterruptedSnapshot(ec2: Ec2, key: string, inputs: SnapshotInputs, label: string): Promise<Snapshot | undefined> {
  const resumable = (s: Snapshot | undefined): s is Snapshot =>
    s !== undefined &&
    inFlightFor(s, key) &&
    s.VolumeId === inputs.volumeId &&
    (s.State === "pending" || s.State === "completed") &&
    (s.Description ?? "") === (inputs.description ?? "") &&
    (s.OutpostArn ?? "") === (inputs.outpostArn ?? "");
  const candidates = (await interruptedCreates(ec2, key, label)).filter(resumable).reverse();
  for (const candidate of candidates) {
    const id = candidate.SnapshotId ?? "";
    const current = (await ec2.describeSnapshots([id])).get(id);
    if (resumable(current)) {
      writeLine(
        `${label}: resuming snapshot ${id} of volume ${inputs.volumeId} (${current.State}, ${current.Progress ?? "0%"}), ` +
          `started ${current.StartTime?.toISOString() ?? "earlier"} by a create that was interrupted before it could record it`,
      );
      return current;
    }
  }
  return undefined;
}

/**
 * CreateSnapshot; if the deadline cuts the call off, looks once more for a snapshot the call may have
 * made and records it as partial state instead of leaking it.
 */
async function createOrRecover(ec2: Ec2, inputs: SnapshotInputs, marker: CreationMarker, label: string, pace: Pace): Promise<{ snapshot: Snapshot; uncertain: boolean }> {
  try {
    const created = await ec2.createSnapshot(compact({ VolumeId: inputs.volumeId, Description: inputs.description, OutpostArn: inputs.outpostArn }), marker, pace);
    return { snapshot: created.value, uncertain: created.uncertain };
  } catch (error) {
    if (!(error instanceof DeadlineExceededError)) {
      throw error;
    }
    return failAfterTimeout(ec2, marker, label, error, ([found]) => ({ id: found.SnapshotId ?? "", properties: snapshotOutputs(inputs, found, ec2.region, []) }));
  }
}

/**
 * Waits for the snapshot when asked to, and turns the outcome into outputs or the right failure:
 * partial state on timeout (the next `pulumi up` resumes waiting). A snapshot that ends in error is
 * deleted when it was just created; one already in state is recorded as failed, so the next diff replaces it.
 */
async function settle(
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
        onProgress: ({ snapshots, nextPollMs }) => reportPending(label, snapshots.get(snapshotId), waitStartedAt, nextPollMs),
      });
      latest = done.get(snapshotId) ?? latest;
    } catch (error) {
      if (error instanceof WaitTimeoutError) {
        const seen = error.lastSeen.get(snapshotId) ?? latest;
        throw new PartialStateError(
          snapshotId,
          snapshotOutputs(inputs, seen, ec2.region, productCodes),
          failureText(
            label,
            `snapshot ${snapshotId} is still pending (${seen.Progress ?? "0%"}) after ${formatDuration(error.timeoutMs)}`,
            "it is recorded in the stack, and the next `pulumi up` resumes waiting",
            `run \`pulumi up\` again, or raise ${error.timeoutName ?? "the timeout"} to wait longer in one run`,
          ),
        );
      }
      throw error;
    }
  }
  if (latest.State === "error") {
    const reason = latest.StateMessage || "EC2 gave no reason";
    if (onError === "delete") {
      await deleteFailed(ec2, inputs, latest, productCodes, label);
    }
    throw new PartialStateError(
      snapshotId,
      snapshotOutputs(inputs, latest, ec2.region, productCodes),
      failureText(
        label,
        `snapshot ${snapshotId} of volume ${inputs.volumeId} failed (state error: ${reason})`,
        "it is recorded in the stack as failed",
        "run `pulumi up` again: it deletes the snapshot and takes a new one",
      ),
    );
  }
  return snapshotOutputs(inputs, latest, ec2.region, productCodes);
}

/**
 * A snapshot in `error` is useless but still counts against the volume's pending limit: delete it and
 * fail with EC2's StateMessage. If it cannot be deleted, the caller records it so that it is not leaked.
 */
async function deleteFailed(ec2: Ec2, inputs: SnapshotInputs, snapshot: Snapshot, productCodes: ProductCode[], label: string): Promise<void> {
  const snapshotId = snapshot.SnapshotId ?? "";
  const reason = snapshot.StateMessage || "EC2 gave no reason";
  const cleanup = Deadline.after(timeoutMs(inputs.timeouts, "delete"), `delete of failed snapshot ${snapshotId}`);
  try {
    await ec2.withDeadline(cleanup).deleteSnapshot(snapshotId);
  } catch (deleteError) {
    const why = await explainDeleteFailure(ec2, snapshotId, deleteError);
    throw new PartialStateError(
      snapshotId,
      snapshotOutputs(inputs, snapshot, ec2.region, productCodes),
      failureText(
        label,
        `snapshot ${snapshotId} of volume ${inputs.volumeId} failed (state error: ${reason}), and deleting it failed too: ${why.what.replace(`snapshot ${snapshotId} `, "it ")}`,
        "it is recorded in the stack as failed",
        why.next ?? "run `pulumi up` again: it deletes the snapshot and takes a new one",
      ),
    );
  } finally {
    cleanup.dispose();
  }
  throw new CleanedUpError(
    failureText(
      label,
      `snapshot ${snapshotId} of volume ${inputs.volumeId} failed (state error: ${reason})`,
      "it was deleted, so nothing of this create is left",
      "check the volume, then run `pulumi up` again",
    ),
  );
}

export async function read(id: string, props: Props): Promise<ReadResult<SnapshotOutputs>> {
  const label = labelOf(props);
  const hook = hookSpec("refresh", { label, noun: "snapshot", subject: id, timeouts: props.timeouts, region: props.region as string | undefined });
  return runHook(hook, async ({ ec2 }) => {
    const snapshot = (await ec2.describeSnapshots([id])).get(id);
    if (snapshot === undefined) {
      return { id: "", props: {} };
    }
    const productCodes = productCodesOf(props) ?? (await ec2.productCodes(id));
    const inputs = { ...inputsOf(props), volumeId: snapshot.VolumeId ?? (props.volumeId as string) };
    return { id, props: snapshotOutputs(inputs, snapshot, ec2.region, productCodes) };
  });
}

export async function update(id: string, olds: Props, news: Props): Promise<UpdateResult<SnapshotOutputs>> {
  const inputs = { ...inputsOf(news), volumeId: (olds.volumeId as string | undefined) ?? (news.volumeId as string) };
  const label = labelOf(news);
  // The snapshot lives where it was made, whatever region the program resolves today.
  const region = (olds.region as string | undefined) ?? inputs.region;
  const hook = hookSpec("update", { label, noun: "snapshot", subject: id, timeouts: inputs.timeouts, region });
  return recordingProvider(news, () =>
    runHook(hook, async ({ ec2 }) => {
      const snapshot = (await ec2.describeSnapshots([id])).get(id);
      if (snapshot === undefined) {
        throw new ExplainedError(`snapshot ${id} no longer exists (deleted outside Pulumi)`, "run `pulumi refresh`, then `pulumi up` to take a new one");
      }
      const changes = withRoomForTags(tagChanges(fromEc2Tags(snapshot.Tags), inputs.tags ?? {}), [snapshot], inputs.tags ?? {});
      await ec2.deleteTags([id], changes.remove);
      // A create recorded as partial state may not have marked its snapshot as recorded yet.
      await ec2.createTags([id], { ...changes.set, ...(changes.remove.includes(CREATE_TOKEN_TAG) ? {} : recordedToken(snapshot)) });
      const productCodes = productCodesOf(olds) ?? (await ec2.productCodes(id));
      await settle(ec2, inputs, snapshot, productCodes, label, "record", snapshot.StartTime?.getTime());
      const latest = (await ec2.describeSnapshots([id])).get(id) ?? snapshot;
      return { outs: snapshotOutputs(inputs, latest, ec2.region, productCodes) };
    }),
  );
}

export async function remove(id: string, props: Props): Promise<void> {
  const label = labelOf(props);
  const hook = hookSpec("delete", { label, noun: "snapshot", subject: id, timeouts: props.timeouts, region: props.region as string | undefined });
  await runHook(hook, async ({ ec2 }) => {
    try {
      await ec2.deleteSnapshot(id);
    } catch (error) {
      const why = await explainDeleteFailure(ec2, id, error);
      throw new Error(failureText(label, why.what, hook.outcome, why.next ?? hook.next), { cause: error });
    }
  });
}
