import type { Volume } from "@aws-sdk/client-ec2";
import { diffInputs, diffRulesOf } from "../../inputs/diff";
import { propertyChanges } from "../../inputs/propertyChanges";
import { containsUnknown, isUnknown } from "../../inputs/unknown";
import { fieldsOf, inputsFrom, validateInputs, type CheckFailure } from "../../inputs/validate";
import { isVolumeType, volumeSettingProblems } from "../../inputs/volumeTypes";
import { fromEc2Tags, type TagMap } from "../../inputs/tags";
import { inFlightFilterFor, newCreationMarker, recordedToken, recordingCalls, resourceKey, resumedMarker, tokenOf, type CreationMarker } from "../../lifecycle/creationMarker";
import { markRecordedBestEffort } from "../../lifecycle/createRecovery";
import { DeadlineExceededError, lastFailureOf } from "../../lifecycle/deadline";
import { hookSpec, runHook, type HookKind, type HookSpec } from "../../lifecycle/hookContext";
import type { ReadResult, Props } from "../../lifecycle/hookTypes";
import type { ResourceHooks } from "../../lifecycle/lifecycle";
import { CleanedUpError, PartialStateError, recordingProvider } from "../../lifecycle/partialState";
import { RecordedState } from "../../lifecycle/recordedState";
import { describeFailure, failureText, whatOf } from "../../messages/failureMessage";
import { resourceLabel, warn, writeLine } from "../../messages/log";
import type { Ec2 } from "../../ec2/ec2";
import type { VolumeSetInputs, VolumeSetOutputs } from "../../types";
import { afterwards } from "./afterwards";
import { disableFastRestore, enableFastRestore, type FastRestore } from "./fastRestore";
import { restoreEntries, volumeSetOutputs } from "./outputs";
import { planRestore } from "./preflight";
import { attachVolumes, detachVolumes, makeVolumes, modifyVolumes, retagVolumes, settleVolumes, type Restoring } from "./restoreSteps";
import { VOLUME_SET_SPEC } from "./spec";
import { removeVolumes } from "./volumeRemoval";

const fields = fieldsOf(VOLUME_SET_SPEC);
const diffRules = diffRulesOf(VOLUME_SET_SPEC);
const inputsOf = (props: Props): VolumeSetInputs => inputsFrom<VolumeSetInputs>(fields, props);
const labelOf = (props: Props): string => resourceLabel(VOLUME_SET_SPEC.typeName, props.__logicalName);
/** The set's id names the create's token, which its volumes carry, so they can be found in the console. */
const ID_PREFIX = "volset-";

/** What each hook leaves when it fails without saying more: in words about volumes, not snapshots. */
const OUTCOMES: Partial<Record<HookKind, string>> = { create: "no volume was created" };

function volumeHook(kind: HookKind, inputs: { timeouts?: unknown; region?: string }, label: string, subject: string): HookSpec {
  const spec = hookSpec(kind, { label, noun: "volume set", subject, timeouts: inputs.timeouts, region: inputs.region });
  return { ...spec, outcome: OUTCOMES[kind] ?? spec.outcome };
}

/** The volume ids a state records, of any version: the list, and each volume's entry. */
function recordedVolumeIds(props: Props): string[] {
  const state = new RecordedState(props);
  const listed = Array.isArray(props.volumes)
    ? props.volumes.flatMap((v: unknown) =>
        v !== null && typeof v === "object" && typeof (v as { volumeId?: unknown }).volumeId === "string" ? [(v as { volumeId: string }).volumeId] : [],
      )
    : [];
  return [...new Set([...state.strings("volumeIds"), ...listed])].filter((id) => id !== "");
}

/** Volumes by the snapshot each was made from. */
function bySnapshot(volumes: Iterable<Volume>): Map<string, Volume> {
  return new Map([...volumes].filter((v) => v.SnapshotId !== undefined).map((v) => [v.SnapshotId ?? "", v]));
}

/** Rules that relate several inputs: the type's own limits, devices for an attach, encryption. */
function crossChecks(news: Props): CheckFailure[] {
  const failures: CheckFailure[] = [];
  const volumeType = news.volumeType ?? "gp3";
  if (isVolumeType(volumeType) && !isUnknown(news.iops) && !isUnknown(news.throughput)) {
    const settings = { volumeType, iops: typeof news.iops === "number" ? news.iops : undefined, throughput: typeof news.throughput === "number" ? news.throughput : undefined };
    failures.push(...volumeSettingProblems(settings).map((p) => ({ property: p.property, reason: p.reason })));
  }
  if (news.attach !== undefined && !containsUnknown(news.snapshots) && Array.isArray(news.snapshots)) {
    news.snapshots.forEach((entry: unknown, i) => {
      if (entry !== null && typeof entry === "object" && (entry as { deviceName?: unknown }).deviceName === undefined) {
        failures.push({
          property: `snapshots[${i}].deviceName`,
          reason: `snapshots[${i}].deviceName is required with attach: the device to attach the volume at, such as "/dev/sdf"`,
        });
      }
    });
  }
  if (news.encrypted === false && typeof news.kmsKeyId === "string") {
    failures.push({ property: "encrypted", reason: "encrypted is false, but kmsKeyId asks for encryption with that key; leave encrypted out or set it to true" });
  }
  return failures;
}

/** The entries of the old and new inputs are the same snapshots at the same devices, some only larger. */
function onlyGrown(olds: unknown, news: unknown): boolean {
  const before = restoreEntries(olds);
  const after = restoreEntries(news);
  return (
    before.length > 0 &&
    before.length === after.length &&
    before.every((b, i) => b.snapshotId === after[i].snapshotId && b.deviceName === after[i].deviceName && (after[i].sizeGiB ?? 0) >= (b.sizeGiB ?? 0))
  );
}

/**
 * A create's earlier run of this resource that was killed before it could record anything: the
 * volumes it made still carry the resource's in-flight token, and are adopted instead of made again.
 */
async function interruptedVolumes(ec2: Ec2, key: string | undefined, snapshotIds: ReadonlySet<string>, zone: string): Promise<{ token: string; volumes: Volume[] } | undefined> {
  if (key === undefined) {
    return undefined;
  }
  const found = (await ec2.findVolumes([inFlightFilterFor(key)], "volumes of creates not recorded yet")).filter(
    (v) => snapshotIds.has(v.SnapshotId ?? "") && v.AvailabilityZone === zone && v.State !== "deleting" && v.State !== "deleted" && v.State !== "error",
  );
  const token = found.length > 0 ? tokenOf(found[found.length - 1]) : undefined;
  return token === undefined ? undefined : { token, volumes: found.filter((v) => tokenOf(v) === token) };
}

/** Each snapshot's own tags, for copyTagsFromSnapshots; a snapshot gone since the restore has none. */
async function snapshotTags(ec2: Ec2, snapshotIds: readonly string[]): Promise<Map<string, TagMap>> {
  const snapshots = await Promise.all(snapshotIds.map((id) => ec2.describeAnySnapshot(id)));
  return new Map(snapshotIds.map((id, i) => [id, fromEc2Tags(snapshots[i]?.Tags)]));
}

async function create(props: Props): Promise<{ id: string; outs: VolumeSetOutputs }> {
  const inputs = inputsOf(props);
  const label = labelOf(props);
  const entries = restoreEntries(inputs.snapshots);
  const hook = volumeHook("create", inputs, label, `${entries.length === 1 ? "1 snapshot" : `${entries.length} snapshots`} into ${inputs.availabilityZone}`);
  return recordingProvider(props, () =>
    runHook(hook, async ({ ec2, deadline }) => {
      const key = resourceKey(new RecordedState(props).urn);
      // Looked for first: the volumes of a create that was killed hold the set's devices on the instance.
      const interrupted = await interruptedVolumes(ec2, key, new Set(entries.map((e) => e.snapshotId)), inputs.availabilityZone);
      const plan = await planRestore(ec2, inputs, new Set((interrupted?.volumes ?? []).map((v) => v.VolumeId ?? "")));
      const tags = inputs.tags ?? {};
      const marker: CreationMarker = interrupted !== undefined ? resumedMarker(interrupted.token, tags) : newCreationMarker(tags, key);
      if (interrupted !== undefined) {
        writeLine(`${label}: resuming volumes ${interrupted.volumes.map((v) => v.VolumeId).join(", ")}, made by a create that was interrupted before it could record them`);
      }
      const id = `${ID_PREFIX}${marker.id}`;
      const restoring: Restoring = { inputs, label, ec2, deadline, volumes: bySnapshot(interrupted?.volumes ?? []), statuses: new Map() };
      const outputs = (): VolumeSetOutputs => volumeSetOutputs(inputs, restoring.volumes, restoring.statuses, ec2.region);
      let fast: FastRestore | undefined;
      try {
        if (inputs.initialization?.fastSnapshotRestore === true) {
          fast = await enableFastRestore(
            ec2,
            label,
            entries.map((e) => e.snapshotId),
            inputs.availabilityZone,
            deadline,
          );
        }
        await makeVolumes(restoring, plan.volumes, marker);
        if (inputs.waitForCompletion !== false) {
          await settleVolumes(restoring, "creating");
          if (fast !== undefined) {
            await disableFastRestore(ec2, label, fast);
            fast = undefined;
          }
          if (inputs.attach !== undefined) {
            await attachVolumes(restoring, entries, inputs.attach.instanceId);
          }
        }
        const ids = [...restoring.volumes.values()].map((v) => v.VolumeId ?? "");
        // Recorded: the token is cut to the request id, or, when the program's tags fill all 50 places,
        // removed for the tag it held back (removed first, or the volume would have 51).
        const recording = recordingCalls(marker);
        await ec2.deleteTags(ids, recording.remove);
        await ec2.createTags(ids, recording.set);
        restoring.statuses = await ec2.volumeStatuses(ids);
        return { id, outs: outputs() };
      } catch (error) {
        if (fast !== undefined) {
          await disableFastRestore(ec2, label, fast);
        }
        throw await afterFailure(restoring, id, marker, error);
      }
    }),
  );
}

/**
 * A deadline that passed while EC2 kept refusing a volume (busy, or no capacity in the zone) rather than
 * while the restore waited for EC2 to finish: that volume failed, and the restore with it.
 */
function refusedUntilDeadline(error: DeadlineExceededError): boolean {
  const last = lastFailureOf(error);
  return !error.cancelled && last.httpStatus !== undefined && (last.kind === "incorrectState" || last.kind === "volumeCapacity");
}

/**
 * What a failed create leaves. A deadline (or the engine's cancel) while waiting for EC2 records what
 * exists as partial state, and the next `pulumi up` resumes. Any other failure is all or nothing: every volume this create made,
 * including one whose answer was lost, is detached and deleted; what cannot be is recorded, never leaked.
 */
async function afterFailure(restoring: Restoring, id: string, marker: CreationMarker, error: unknown): Promise<Error> {
  const { label, ec2, inputs } = restoring;
  // A request whose answer never came may still have made a volume: it carries the create's token.
  try {
    const marked = await afterwards(ec2, "the search for the volumes of a failed restore", (own) => own.findMarkedVolumes(marker));
    for (const volume of marked) {
      if (volume.SnapshotId !== undefined && !restoring.volumes.has(volume.SnapshotId)) {
        restoring.volumes.set(volume.SnapshotId, volume);
      }
    }
    // What is recorded is what EC2 has now: a step cut off may have attached some volumes since they were last read.
    const current = await afterwards(ec2, "reading the volumes of a failed restore", (own) => own.volumesById([...restoring.volumes.values()].map((v) => v.VolumeId ?? "")));
    for (const [snapshotId, volume] of restoring.volumes) {
      restoring.volumes.set(snapshotId, current.get(volume.VolumeId ?? "") ?? volume);
    }
  } catch (searchError) {
    warn(label, `the search for volumes this create made failed (${whatOf(searchError)}); the next \`pulumi up\` looks again by the create's token`);
  }
  const made = [...restoring.volumes.values()];
  const outputs = (): VolumeSetOutputs => volumeSetOutputs(inputs, restoring.volumes, restoring.statuses, ec2.region);
  const ids = made.map((v) => v.VolumeId ?? "");
  if (error instanceof DeadlineExceededError && !refusedUntilDeadline(error)) {
    if (made.length === 0) {
      return error;
    }
    // Recorded now: cut the in-flight token, or a later create of this resource (a replacement) would
    // take these volumes for an interrupted create's and adopt them.
    await markRecordedBestEffort(ec2, ids, marker);
    const entries = restoreEntries(inputs.snapshots).length;
    return new PartialStateError(
      id,
      outputs(),
      describeFailure(
        label,
        error,
        `${made.length} of ${entries} volumes (${ids.join(", ")}) exist and are recorded in the stack`,
        error.cancelled
          ? "run `pulumi up` again when you want the restore to go on"
          : "run `pulumi up` again to resume the restore, or raise timeouts.create to finish it in one run",
      ),
    );
  }
  if (made.length === 0) {
    return error instanceof Error ? error : new Error(String(error));
  }
  const force = inputs.attach?.forceDetachOnDelete === true;
  const removal = await afterwards(ec2, "removing the volumes of a failed restore", (own) => removeVolumes(own, ids, { label, deadline: own.deadline, force })).catch(
    (removeError: unknown) => ({ remaining: ids, failures: ids.map((volumeId) => ({ volumeId, reason: whatOf(removeError), error: removeError })) }),
  );
  if (removal.remaining.length === 0) {
    return new CleanedUpError(
      describeFailure(
        label,
        error,
        `all ${made.length} volumes this restore made (${ids.join(", ")}) were detached and deleted, so nothing of it is left`,
        "fix the cause, then run `pulumi up` again",
      ),
      { cause: error },
    );
  }
  for (const [snapshotId, volume] of restoring.volumes) {
    if (!removal.remaining.includes(volume.VolumeId ?? "")) {
      restoring.volumes.delete(snapshotId);
    }
  }
  await markRecordedBestEffort(ec2, removal.remaining, marker);
  return new PartialStateError(
    id,
    outputs(),
    failureText(
      label,
      `${whatOf(error)}; deleting the restore's volumes then failed: ${removal.failures.map((f) => `${f.volumeId}: ${f.reason}`).join("; ")}`,
      `${removal.remaining.length === 1 ? "volume" : "volumes"} ${removal.remaining.join(", ")} ${removal.remaining.length === 1 ? "is" : "are"} recorded in the stack${made.length > removal.remaining.length ? `, and the ${made.length - removal.remaining.length} others were deleted` : ""}`,
      "run `pulumi destroy` or `pulumi up` again once the cause is fixed",
    ),
  );
}

async function read(id: string, props: Props): Promise<ReadResult<VolumeSetOutputs>> {
  const inputs = inputsOf(props);
  const label = labelOf(props);
  const ids = recordedVolumeIds(props);
  if (ids.length === 0) {
    throw new Error(
      failureText(
        label,
        `the state of ${id} records no volume, and a VolumeSet cannot be imported by id`,
        "the stack's record was not changed",
        "declare the VolumeSet in the program and run `pulumi up`",
      ),
    );
  }
  return runHook(volumeHook("refresh", { timeouts: props.timeouts, region: new RecordedState(props).region ?? inputs.region }, label, id), async ({ ec2 }) => {
    const found = await ec2.volumesById(ids);
    if (found.size === 0) {
      return { id: "", props: {} };
    }
    const statuses = await ec2.volumeStatuses([...found.keys()]);
    const missing = ids.filter((volumeId) => !found.has(volumeId));
    return { id, props: { ...volumeSetOutputs(inputs, bySnapshot(found.values()), statuses, ec2.region, missing) } };
  });
}

async function update(id: string, olds: Props, news: Props): Promise<{ outs: VolumeSetOutputs }> {
  const inputs = inputsOf(news);
  const previous = inputsOf(olds);
  const label = labelOf(news);
  const entries = restoreEntries(inputs.snapshots);
  const region = new RecordedState(olds).region ?? inputs.region;
  return recordingProvider(news, () =>
    runHook(volumeHook("update", { timeouts: inputs.timeouts, region }, label, id), async ({ ec2, deadline }) => {
      const restoring: Restoring = { inputs, label, ec2, deadline, volumes: bySnapshot((await ec2.volumesById(recordedVolumeIds(olds))).values()), statuses: new Map() };
      const outputs = (): VolumeSetOutputs => volumeSetOutputs(inputs, restoring.volumes, restoring.statuses, ec2.region);
      try {
        const lacking = entries.filter((e) => !restoring.volumes.has(e.snapshotId));
        if (lacking.length > 0) {
          // Only what is still to be made is checked: a snapshot archived after its restore must not block a tag change.
          const plan = await planRestore(ec2, { ...inputs, snapshots: lacking, attach: undefined });
          const marker = newCreationMarker(inputs.tags ?? {});
          await makeVolumes(restoring, plan.volumes, { ...marker, id: id.startsWith(ID_PREFIX) ? id.slice(ID_PREFIX.length) : marker.id });
        }
        if (inputs.waitForCompletion !== false) {
          await settleVolumes(restoring, "creating");
        }
        // A create recorded as partial state may have left its in-flight token (its marking failed, or an
        // earlier version did not mark): cut it, so a later create of this resource never adopts these
        // volumes. Before the retag, which may remove the token to make room for 50 tags.
        for (const volume of restoring.volumes.values()) {
          await ec2.createTags([volume.VolumeId ?? ""], recordedToken({ Tags: volume.Tags }));
        }
        const copying = inputs.copyTagsFromSnapshots === true || previous.copyTagsFromSnapshots === true;
        await retagVolumes(
          restoring,
          copying
            ? await snapshotTags(
                ec2,
                entries.map((e) => e.snapshotId),
              )
            : new Map(),
          previous,
        );
        await modifyVolumes(restoring, entries);
        if (inputs.attach !== undefined && inputs.waitForCompletion !== false) {
          await attachVolumes(restoring, entries, inputs.attach.instanceId);
        } else if (inputs.attach === undefined && previous.attach !== undefined) {
          const attached = [...restoring.volumes.values()].filter((v) => (v.Attachments ?? []).some((a) => a.State !== "detached"));
          if (attached.length > 0) {
            await detachVolumes(restoring, attached, false);
          }
        }
        restoring.statuses = await ec2.volumeStatuses([...restoring.volumes.values()].map((v) => v.VolumeId ?? ""));
        return { outs: outputs() };
      } catch (error) {
        throw new PartialStateError(
          id,
          outputs(),
          describeFailure(label, error, "the set is recorded in the stack as EC2 has it now", "run `pulumi up` again once the cause is fixed"),
        );
      }
    }),
  );
}

async function remove(id: string, props: Props): Promise<void> {
  const label = labelOf(props);
  const state = new RecordedState(props);
  const inputs = inputsOf(props);
  await runHook(volumeHook("delete", { timeouts: state.timeouts, region: state.region ?? inputs.region }, label, id), async ({ ec2, deadline }) => {
    const ids = recordedVolumeIds(props);
    const removal = await removeVolumes(ec2, ids, { label, deadline, force: inputs.attach?.forceDetachOnDelete === true });
    if (removal.remaining.length > 0) {
      throw new Error(
        failureText(
          label,
          `${removal.remaining.length} of ${ids.length} volumes remain: ${removal.failures.map((f) => `${f.volumeId}: ${f.reason}`).join("; ")}`,
          removal.remaining.length < ids.length ? "the others were deleted, and the set stays in the stack with those" : "the set stays in the stack",
          "fix the cause, then run the delete again",
        ),
        { cause: removal.failures[0].error },
      );
    }
  });
}

/**
 * A restored set of volumes (EC2 CreateVolume, AttachVolume): its own lifecycle, because what it makes
 * are volumes, not snapshots; built from the same parts as the snapshot lifecycle (check and diff
 * tables from its spec, hook deadlines, the shared poller, partial state, the one message shape).
 */
export const volumeSetLifecycle: ResourceHooks<VolumeSetOutputs> = {
  spec: VOLUME_SET_SPEC,
  async check(_olds, news) {
    const failures = validateInputs(fields, news);
    if (failures.length === 0) {
      failures.push(...crossChecks(news));
    }
    const given = Object.entries(news).filter(([, v]) => v !== undefined && v !== null);
    // A SnapshotSet's members carry fields a restore does not read; only its own are kept, so they never look like a change.
    const inputs = Object.fromEntries(given.map(([k, v]) => [k, k === "snapshots" && !containsUnknown(v) ? restoreEntries(v) : v]));
    return { inputs, failures };
  },
  async diff(_id, olds, news) {
    const base = diffInputs(diffRules, olds, news);
    let replaces = [...base.replaces];
    const updates = [...base.updates];
    if (replaces.includes("snapshots") && !containsUnknown(news.snapshots) && onlyGrown(olds.snapshots, news.snapshots)) {
      replaces = replaces.filter((name) => name !== "snapshots");
      updates.push("snapshots");
    }
    const missing = new RecordedState(olds).strings("missingVolumeIds");
    if (missing.length > 0 || olds.state === "error") {
      // A set that lost volumes, or has one in error, is no longer one consistent restore: make it again.
      replaces.push(missing.length > 0 ? "volumeIds" : "state");
    }
    const wait = news.waitForCompletion !== false;
    const recorded = Array.isArray(olds.volumes) ? (olds.volumes as { attachmentState?: unknown; state?: unknown }[]) : [];
    const detached = news.attach !== undefined && recorded.some((v) => v.attachmentState !== undefined && v.attachmentState !== "attached");
    const unfinished = recorded.length < restoreEntries(olds.snapshots).length || olds.state === "creating";
    if (wait && (detached || unfinished) && !updates.includes("attach")) {
      // Detached outside Pulumi, or a create cut short: the update attaches again, or resumes.
      updates.push(detached ? "attach" : "state");
    }
    const changes = replaces.length > 0 || updates.length > 0;
    // New volumes would need the devices the old ones hold on the instance: the old ones go first.
    const deleteBeforeReplace = replaces.length > 0 && (olds.attach !== undefined || news.attach !== undefined);
    return { changes, replaces, deleteBeforeReplace, properties: propertyChanges(olds, news, replaces, updates) };
  },
  create,
  read,
  update,
  delete: remove,
};
