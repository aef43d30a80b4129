import type { Snapshot } from "@aws-sdk/client-ec2";
import { inFlightFor, newCreationMarker, recordedToken, resourceKey, resumedMarker, tokenOf, type CreationMarker } from "../../lifecycle/creationMarker";
import { failAfterTimeout, markedOnFailure, markRecorded, sweepStrays } from "../../lifecycle/createRecovery";
import { Deadline, DeadlineExceededError } from "../../lifecycle/deadline";
import { explainDeleteFailure } from "../../lifecycle/deleteFailure";
import { interruptedCreates } from "../../lifecycle/interruptedLookup";
import { diffResource, SNAPSHOT_SET_DIFF_RULES } from "../../inputs/diff";
import { formatDuration } from "../../inputs/duration";
import type { Ec2, Pace } from "../../ec2/ec2";
import { describeFailure, ExplainedError, failureText, OUTCOME, snapshotsNamed, type Explained } from "../../messages/failureMessage";
import { hookSpec, runHook } from "../../lifecycle/hookContext";
import type { CheckResult, CreateResult, DiffHookResult, Props, ReadResult, UpdateResult } from "../../lifecycle/hookTypes";
import { reportPending, resourceLabel, warn, writeLine } from "../../messages/log";
import { memberTagChanges } from "./memberTags";
import { compact } from "../../lifecycle/outputs";
import { CleanedUpError, PartialStateError, recordingProvider, recordOnFailure } from "../../lifecycle/partialState";
import { SnapshotVanishedError, waitForSnapshots, WaitTimeoutError } from "../../scheduling/poller";
import { planSnapshotSet, type PlannedVolume } from "./plan";
import { memberTags, snapshotFromInfo, snapshotSetOutputs, type MemberFacts } from "./outputs";
import { CREATE_TOKEN_TAG, withRoomForTags, type TagMap } from "../../inputs/tags";
import { timeoutMs } from "../../lifecycle/timeouts";
import type { ProductCode, SnapshotSetInputs, SnapshotSetMember, SnapshotSetOutputs } from "../../types";
import { inputsFrom, SNAPSHOT_SET_FIELDS, validateSnapshotSetInputs } from "../../inputs/validate";
import { containsUnknown } from "../../inputs/unknown";
import { admitAll } from "../../scheduling/volumeAdmission";
import { pendingSnapshotLimit } from "../../ec2/volumeAdvice";

function inputsOf(props: Props): SnapshotSetInputs {
  return inputsFrom<SnapshotSetInputs>(SNAPSHOT_SET_FIELDS, props);
}

function labelOf(props: Props): string {
  return resourceLabel("SnapshotSet", props.__logicalName);
}

/** The members recorded in state, tolerating state written by any earlier version. */
function recordedMembers(props: Props): SnapshotSetMember[] {
  return Array.isArray(props.snapshots) ? (props.snapshots as SnapshotSetMember[]) : [];
}

function recordedIds(props: Props): string[] {
  const ids = Array.isArray(props.snapshotIds) ? (props.snapshotIds as string[]) : recordedMembers(props).map((m) => m.snapshotId);
  return ids.filter((id) => typeof id === "string" && id !== "");
}

function factsFromState(props: Props): MemberFacts {
  const members = recordedMembers(props);
  return {
    deviceNames: new Map(members.filter((m) => m.deviceName !== undefined).map((m) => [m.volumeId, m.deviceName!])),
    productCodes: new Map(members.filter((m) => Array.isArray(m.productCodes)).map((m) => [m.snapshotId, m.productCodes])),
  };
}

/** A message to be continued by another sentence or clause. */
/**
 * The failed deletes of several members as one: members that failed alike share one clause naming all
 * their ids ("DeleteSnapshot snap-1, snap-2 failed: EC2 UnauthorizedOperation: …"), and each distinct
 * next step is said once.
 */
function joined(failures: readonly { id: string; why: Explained }[]): { what: string; next?: string } {
  const groups = new Map<string, string[]>();
  for (const { id, why } of failures) {
    const shape = why.what.replace(`snapshot ${id}`, "\u0000").replace(id, "\u0001");
    groups.set(shape, [...(groups.get(shape) ?? []), id]);
  }
  const what = [...groups].map(([shape, ids]) => shape.replace("\u0000", snapshotsNamed(ids)).replace("\u0001", ids.join(", ")).replace(/\.$/, "")).join("; ");
  const nexts = [...new Set(failures.map(({ why }) => why.next).filter((n): n is string => n !== undefined))];
  return { what, ...(nexts.length > 0 ? { next: nexts.join("; ") } : {}) };
}

function describeMembers(members: readonly Snapshot[]): string {
  return members.map((m) => `${m.SnapshotId} (volume ${m.VolumeId}${m.StateMessage ? `: ${m.StateMessage}` : ""})`).join("; ");
}

export async function check(_olds: Props, news: Props): Promise<CheckResult<Props>> {
  const failures = validateSnapshotSetInputs(news);
  const inputs = Object.fromEntries(Object.entries(news).filter(([, v]) => v !== undefined && v !== null));
  return { inputs, failures };
}

export async function diff(_id: string, olds: Props, news: Props): Promise<DiffHookResult> {
  const result = diffResource(SNAPSHOT_SET_DIFF_RULES, olds, news);
  const replaces = [...result.replaces];
  let changes = result.changes;
  // A set that lost members outside Pulumi is no longer one crash-consistent set: take a new one.
  if (Array.isArray(olds.missingSnapshotIds) && olds.missingSnapshotIds.length > 0 && !replaces.includes("snapshotIds")) {
    replaces.push("snapshotIds");
    changes = true;
  }
  // Tags changed on members outside Pulumi are drift even when the program's tags did not change.
  if (!containsUnknown(news.tags)) {
    const drift = memberTagChanges(
      recordedMembers(olds).map((m) => m.tags ?? {}),
      (news.tags as TagMap | undefined) ?? {},
      (olds.tags as TagMap | undefined) ?? {},
      olds.copyTagsFromSource === true,
    );
    changes ||= Object.keys(drift.set).length > 0 || drift.remove.length > 0;
  }
  return { changes, replaces, deleteBeforeReplace: result.deleteBeforeReplace };
}

export async function create(props: Props): Promise<CreateResult<SnapshotSetOutputs>> {
  const inputs = inputsOf(props);
  const label = labelOf(props);
  const hook = hookSpec("create", { label, noun: "set", subject: `instance ${inputs.instanceId}`, timeouts: inputs.timeouts, region: inputs.region });
  return recordingProvider(props, () =>
    runHook(hook, async ({ ec2, settings, deadline }) => {
      const plan = planSnapshotSet(inputs, await ec2.describeInstance(inputs.instanceId), ec2.region);
      if (!plan.ok) {
        throw new ExplainedError(plan.reason, plan.next);
      }
      const volumes = await ec2.describeVolumes(plan.volumes.map((v) => v.volumeId));
      const limits = new Map(volumes.map((v) => [`${ec2.region}/${v.VolumeId}`, pendingSnapshotLimit(v)]));
      const admission = await admitAll(
        plan.volumes.map((v) => `${ec2.region}/${v.volumeId}`),
        (key) => limits.get(key) ?? 5,
        settings.volumeSpacingMs,
        deadline.signal,
        (line) => writeLine(`${label}: ${line}`),
      );
      try {
        const key = resourceKey(props.__urn);
        const interrupted = key === undefined ? undefined : await findInterruptedSet(ec2, key, inputs, plan.volumes, label);
        const marker = interrupted !== undefined ? resumedMarker(interrupted.token, inputs.tags ?? {}) : newCreationMarker(inputs.tags ?? {}, key);
        // The set's id names the token its snapshots carry once recorded (unless all 50 tags are the user's), so they can be found in the console.
        const id = `snapset-${marker.id}`;
        const { members: created, uncertain } =
          interrupted !== undefined ? { members: interrupted.members, uncertain: false } : await createOrRecover(ec2, inputs, marker, label, id, plan, admission.send);
        let members = created;
        let facts: MemberFacts = { deviceNames: new Map(plan.attached.map((v) => [v.volumeId, v.deviceName])), productCodes: new Map() };
        // From here on the snapshots exist: any failure records them as partial state instead of leaking them.
        return await markedOnFailure(
          ec2,
          () => members.map((m) => m.SnapshotId ?? ""),
          marker,
          () =>
            recordOnFailure(
              id,
              () => snapshotSetOutputs(inputs, members, facts, ec2.region),
              (error) => describeFailure(label, error, OUTCOME.recorded(members.map((m) => m.SnapshotId ?? "")), "run `pulumi up` again to resume the set"),
              async () => {
                if (interrupted !== undefined) {
                  // The program's tags may have changed since the interrupted run sent them; keys it no longer
                  // declares cannot be told from copied volume tags here, and the next diff reports them as drift.
                  const changes = memberTagChanges(memberTags(created), marker.sent, {}, inputs.copyTagsFromSource === true);
                  const createdIds = created.map((m) => m.SnapshotId ?? "");
                  await ec2.deleteTags(createdIds, changes.remove);
                  await ec2.createTags(createdIds, changes.set);
                }
                // CreateSnapshots answers lack KmsKeyId and StateMessage: describe the set once (ids not yet visible keep their answer).
                const described = await ec2.describeSnapshots(created.map((m) => m.SnapshotId ?? ""));
                members = created.map((m) => described.get(m.SnapshotId ?? "") ?? m);
                const unexpected = members.filter((m) => !plan.volumes.some((v) => v.volumeId === m.VolumeId));
                if (unexpected.length > 0) {
                  warn(label, `EC2 also snapshotted ${unexpected.map((m) => m.VolumeId).join(", ")}, which the inputs exclude; those snapshots are kept as members of the set`);
                }
                facts = { ...facts, productCodes: await productCodesOf(ec2, members) };
                let outputs = await settle(ec2, inputs, id, members, facts, label, "delete");
                if (uncertain) {
                  outputs = await adoptLateMembers(ec2, inputs, outputs, marker, facts, label);
                }
                const held = await markRecorded(ec2, outputs.snapshotIds, marker);
                return { id, outs: { ...outputs, snapshots: outputs.snapshots.map((m) => ({ ...m, tags: { ...m.tags, ...held } })) } };
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
 * The snapshots of a CreateSnapshots this resource sent earlier, which no state records because that
 * create never returned: one request's snapshots (one token) covering every volume the set would cover
 * now, with the same description, none failed. The newest such request is resumed, once a fresh look
 * confirms its snapshots are all still there and still unrecorded.
 */
async function findInterruptedSet(
  ec2: Ec2,
  key: string,
  inputs: SnapshotSetInputs,
  volumes: readonly PlannedVolume[],
  label: string,
): Promise<{ token: string; members: Snapshot[] } | undefined> {
  const resumable = (members: readonly (Snapshot | undefined)[]): members is Snapshot[] =>
    members.length > 0 &&
    members.every((m) => m !== undefined && inFlightFor(m, key) && (m.State === "pending" || m.State === "completed") && (m.Description ?? "") === (inputs.description ?? "")) &&
    volumes.every((v) => members.some((m) => m?.VolumeId === v.volumeId));
  const requests = new Map<string, Snapshot[]>();
  for (const snapshot of await interruptedCreates(ec2, key, label)) {
    const token = tokenOf(snapshot) ?? "";
    requests.set(token, [...(requests.get(token) ?? []), snapshot]);
  }
  // Listed oldest first, so the last request is the newest.
  for (const [token, listed] of [...requests].filter(([, members]) => resumable(members)).reverse()) {
    const ids = listed.map((m) => m.SnapshotId ?? "");
    const found = await ec2.describeSnapshots(ids);
    const members = ids.map((id) => found.get(id));
    if (resumable(members)) {
      writeLine(
        `${label}: resuming snapshots ${ids.join(", ")} of instance ${inputs.instanceId}, started ` +
          `${members[0].StartTime?.toISOString() ?? "earlier"} by a create that was interrupted before it could record them`,
      );
      return { token, members };
    }
  }
  return undefined;
}

/**
 * After a lost CreateSnapshots answer, snapshots of the request that EC2 listed only late: one of a
 * volume the set already covers is a duplicate (deleted); one of a volume it lacks is a member the
 * recovery did not see yet (adopted, so the set is whole).
 */
async function adoptLateMembers(
  ec2: Ec2,
  inputs: SnapshotSetInputs,
  outputs: SnapshotSetOutputs,
  marker: CreationMarker,
  facts: MemberFacts,
  label: string,
): Promise<SnapshotSetOutputs> {
  const covered = new Set(outputs.snapshots.map((m) => m.volumeId));
  const late = await sweepStrays(ec2, marker, new Set(outputs.snapshotIds), (stray) => covered.has(stray.VolumeId ?? ""), label);
  if (late.length === 0) {
    return outputs;
  }
  const ids = [...outputs.snapshotIds, ...late.map((m) => m.SnapshotId ?? "")];
  const described = await ec2.describeSnapshots(ids);
  const members = ids.map((sid) => described.get(sid)).filter((m): m is Snapshot => m !== undefined);
  const productCodes = new Map([...facts.productCodes, ...(await productCodesOf(ec2, late))]);
  return snapshotSetOutputs(inputs, members, { ...facts, productCodes }, ec2.region);
}

async function productCodesOf(ec2: Ec2, members: readonly Snapshot[]): Promise<Map<string, ProductCode[]>> {
  const ids = members.map((m) => m.SnapshotId ?? "").filter((id) => id !== "");
  const codes = await Promise.all(ids.map((id) => ec2.productCodes(id, true)));
  return new Map(ids.map((id, i) => [id, codes[i]]));
}

/**
 * CreateSnapshots; if the deadline cuts the call off, looks once more for the snapshots it may have made
 * and records them as partial state instead of leaking them.
 */
async function createOrRecover(
  ec2: Ec2,
  inputs: SnapshotSetInputs,
  marker: CreationMarker,
  label: string,
  id: string,
  plan: { volumes: readonly PlannedVolume[]; attached: readonly PlannedVolume[] },
  pace: Pace,
): Promise<{ members: Snapshot[]; uncertain: boolean }> {
  try {
    const created = await ec2.createSnapshots(
      compact({
        InstanceSpecification: compact({
          InstanceId: inputs.instanceId,
          ExcludeBootVolume: inputs.excludeBootVolume,
          ExcludeDataVolumeIds: inputs.excludeDataVolumeIds && inputs.excludeDataVolumeIds.length > 0 ? inputs.excludeDataVolumeIds : undefined,
        }),
        Description: inputs.description,
        OutpostArn: inputs.outpostArn,
        CopyTagsFromSource: inputs.copyTagsFromSource === true ? ("volume" as const) : undefined,
      }),
      marker,
      plan.volumes.length,
      pace,
    );
    return { members: created.value.map(snapshotFromInfo), uncertain: created.uncertain };
  } catch (error) {
    if (!(error instanceof DeadlineExceededError)) {
      throw error;
    }
    const facts: MemberFacts = { deviceNames: new Map(plan.attached.map((v) => [v.volumeId, v.deviceName])), productCodes: new Map() };
    return failAfterTimeout(ec2, marker, label, error, (found) => ({ id, properties: snapshotSetOutputs(inputs, found, facts, ec2.region) }));
  }
}

/**
 * Waits for the whole set with one DescribeSnapshots per poll, and applies the set's all-or-nothing
 * rule: if any member ends in error, every member is deleted (on create) or the set is recorded as
 * failed (on update, so that the next diff replaces it). A timeout records partial state.
 */
async function settle(
  ec2: Ec2,
  inputs: SnapshotSetInputs,
  id: string,
  members: readonly Snapshot[],
  facts: MemberFacts,
  label: string,
  onError: "delete" | "record",
  createdAt: number = Date.now(),
): Promise<SnapshotSetOutputs> {
  const ids = members.map((m) => m.SnapshotId ?? "");
  let latest = new Map(members.map((m) => [m.SnapshotId ?? "", m]));
  const current = (): Snapshot[] => ids.map((sid) => latest.get(sid)!).filter((m) => m !== undefined);
  const pending = current().some((m) => m.State === undefined || m.State === "pending");
  if (inputs.waitForCompletion !== false && pending) {
    const waitStartedAt = Date.now();
    try {
      const done = await waitForSnapshots(ec2, ids, {
        deadline: ec2.deadline,
        initial: latest,
        createdAt,
        stopOnError: true,
        onProgress: ({ snapshots, nextPollMs }) => ids.forEach((sid) => reportPending(label, snapshots.get(sid), waitStartedAt, nextPollMs)),
      });
      latest = new Map([...latest, ...done]);
    } catch (error) {
      if (error instanceof WaitTimeoutError) {
        latest = new Map([...latest, ...error.lastSeen]);
        const stillPending = current().filter((m) => m.State === undefined || m.State === "pending");
        throw new PartialStateError(
          id,
          snapshotSetOutputs(inputs, current(), facts, ec2.region),
          failureText(
            label,
            `${stillPending.length} of ${ids.length} snapshots are still pending after ${formatDuration(error.timeoutMs)} ` +
              `(${stillPending.map((m) => `${m.SnapshotId} ${m.Progress ?? "0%"}`).join(", ")})`,
            "the set is recorded in the stack, and the next `pulumi up` resumes waiting",
            `run \`pulumi up\` again, or raise ${error.timeoutName ?? "the timeout"} to wait longer in one run`,
          ),
        );
      }
      if (error instanceof SnapshotVanishedError) {
        const remaining = current().filter((m) => !error.snapshotIds.includes(m.SnapshotId ?? ""));
        throw new PartialStateError(
          id,
          snapshotSetOutputs(inputs, remaining, facts, ec2.region, error.snapshotIds),
          describeFailure(label, error, "the rest of the set is recorded in the stack", "run `pulumi refresh`, then `pulumi up`"),
        );
      }
      throw error;
    }
  }
  const failed = current().filter((m) => m.State === "error");
  if (failed.length > 0) {
    const what = `the snapshot set of instance ${inputs.instanceId} failed: ${describeMembers(failed)}`;
    if (onError === "delete") {
      await deleteAll(ec2, inputs, id, current(), facts, label, what);
    }
    throw new PartialStateError(
      id,
      snapshotSetOutputs(inputs, current(), facts, ec2.region),
      failureText(label, what, "the set is recorded in the stack as failed", "run `pulumi up` again: it deletes the set and takes a new one"),
    );
  }
  return snapshotSetOutputs(inputs, current(), facts, ec2.region);
}

/** All or nothing: deletes every member of a failed set; records the ones that could not be deleted. */
async function deleteAll(ec2: Ec2, inputs: SnapshotSetInputs, id: string, members: readonly Snapshot[], facts: MemberFacts, label: string, what: string): Promise<never> {
  const cleanup = Deadline.after(timeoutMs(inputs.timeouts, "delete"), `delete of the failed set ${id}`);
  try {
    const { remaining, errors } = await deleteMembers(
      ec2.withDeadline(cleanup),
      members.map((m) => m.SnapshotId ?? ""),
    );
    if (remaining.length > 0) {
      throw new PartialStateError(
        id,
        // The deleted members are missing: the set is no longer whole, so its next diff replaces it.
        snapshotSetOutputs(
          inputs,
          members.filter((m) => remaining.includes(m.SnapshotId ?? "")),
          facts,
          ec2.region,
          members.map((m) => m.SnapshotId ?? "").filter((sid) => !remaining.includes(sid)),
        ),
        failureText(
          label,
          `${what}; deleting the set then failed: ${joined(errors).what}`,
          `${remaining.length === 1 ? "that snapshot is" : "those snapshots are"} recorded in the stack, and the ${members.length - remaining.length} others were deleted`,
          joined(errors).next ?? "run `pulumi up` again: it replaces the set",
        ),
      );
    }
  } finally {
    cleanup.dispose();
  }
  throw new CleanedUpError(
    failureText(label, what, `all ${members.length} snapshots of the set were deleted, so nothing of this create is left`, "check the volumes, then run `pulumi up` again"),
  );
}

/** Deletes each snapshot (tolerating ones already gone); returns the ids that remain, each with its reason. */
async function deleteMembers(ec2: Ec2, ids: readonly string[]): Promise<{ remaining: string[]; errors: { id: string; why: Explained }[] }> {
  const results = await Promise.allSettled(ids.map((sid) => ec2.deleteSnapshot(sid)));
  const remaining: string[] = [];
  const errors: { id: string; why: Explained }[] = [];
  for (const [index, result] of results.entries()) {
    if (result.status === "rejected") {
      remaining.push(ids[index]);
      errors.push({ id: ids[index], why: await explainDeleteFailure(ec2, ids[index], result.reason) });
    }
  }
  return { remaining, errors };
}

export async function read(id: string, props: Props): Promise<ReadResult<SnapshotSetOutputs>> {
  const label = labelOf(props);
  const hook = hookSpec("refresh", { label, noun: "set", subject: id, timeouts: props.timeouts, region: props.region as string | undefined });
  return runHook(hook, async ({ ec2 }) => {
    const ids = recordedIds(props);
    const found = await ec2.describeSnapshots(ids);
    const members = ids.map((sid) => found.get(sid)).filter((m): m is Snapshot => m !== undefined);
    if (members.length === 0) {
      return { id: "", props: {} };
    }
    const earlierMissing = Array.isArray(props.missingSnapshotIds) ? (props.missingSnapshotIds as string[]) : [];
    const missing = [...new Set([...earlierMissing, ...ids.filter((sid) => !found.has(sid))])];
    const facts = factsFromState(props);
    const productCodes = new Map(facts.productCodes);
    for (const member of members) {
      if (!productCodes.has(member.SnapshotId ?? "")) {
        productCodes.set(member.SnapshotId ?? "", await ec2.productCodes(member.SnapshotId ?? ""));
      }
    }
    return { id, props: snapshotSetOutputs(inputsOf(props), members, { ...facts, productCodes }, ec2.region, missing) };
  });
}

export async function update(id: string, olds: Props, news: Props): Promise<UpdateResult<SnapshotSetOutputs>> {
  const inputs = { ...inputsOf(news), instanceId: (olds.instanceId as string | undefined) ?? (news.instanceId as string) };
  const label = labelOf(news);
  const region = (olds.region as string | undefined) ?? inputs.region;
  const hook = hookSpec("update", { label, noun: "set", subject: id, timeouts: inputs.timeouts, region });
  return recordingProvider(news, () =>
    runHook(hook, async ({ ec2 }) => {
      const ids = recordedIds(olds);
      const found = await ec2.describeSnapshots(ids);
      const members = ids.map((sid) => found.get(sid)).filter((m): m is Snapshot => m !== undefined);
      if (members.length === 0) {
        throw new ExplainedError(`none of the snapshots ${ids.join(", ")} exists any more (deleted outside Pulumi)`, "run `pulumi refresh`, then `pulumi up` to take a new set");
      }
      const memberIds = members.map((m) => m.SnapshotId ?? "");
      const changes = withRoomForTags(
        memberTagChanges(memberTags(members), inputs.tags ?? {}, (olds.tags as TagMap | undefined) ?? {}, inputs.copyTagsFromSource === true),
        members,
        inputs.tags ?? {},
      );
      await ec2.deleteTags(memberIds, changes.remove);
      await ec2.createTags(memberIds, changes.set);
      // A create recorded as partial state may not have marked its snapshots as recorded yet.
      if (!changes.remove.includes(CREATE_TOKEN_TAG)) {
        // One request made the set, so its members share one token: normally one call, or none.
        const byToken = new Map<string, string[]>();
        for (const member of members) {
          const value = recordedToken(member)[CREATE_TOKEN_TAG];
          if (value !== undefined) {
            byToken.set(value, [...(byToken.get(value) ?? []), member.SnapshotId ?? ""]);
          }
        }
        for (const [value, memberIds] of byToken) {
          await ec2.createTags(memberIds, { [CREATE_TOKEN_TAG]: value });
        }
      }
      const facts = factsFromState(olds);
      const missing = ids.filter((sid) => !found.has(sid));
      const startedAt = Math.min(...members.map((m) => m.StartTime?.getTime() ?? Date.now()));
      await settle(ec2, inputs, id, members, facts, label, "record", startedAt);
      const refreshed = await ec2.describeSnapshots(memberIds);
      const latest = memberIds.map((sid) => refreshed.get(sid)).filter((m): m is Snapshot => m !== undefined);
      return { outs: snapshotSetOutputs(inputs, latest, facts, ec2.region, missing) };
    }),
  );
}

export async function remove(id: string, props: Props): Promise<void> {
  const label = labelOf(props);
  const hook = hookSpec("delete", { label, noun: "set", subject: id, timeouts: props.timeouts, region: props.region as string | undefined });
  await runHook(hook, async ({ ec2 }) => {
    const ids = recordedIds(props);
    const { remaining, errors } = await deleteMembers(ec2, ids);
    if (remaining.length > 0) {
      const why = joined(errors);
      throw new Error(
        failureText(
          label,
          `${remaining.length} of ${ids.length} snapshots remain: ${why.what}`,
          remaining.length < ids.length
            ? `the ${ids.length - remaining.length} others were deleted; the set stays in the stack with ${remaining.length === 1 ? "that one" : "those"}`
            : "none was deleted, and the set stays in the stack",
          why.next ?? "run the delete again once the cause is fixed",
        ),
      );
    }
  });
}
