import type { Snapshot } from "@aws-sdk/client-ec2";
import { diffInputs, diffResource, diffRulesOf } from "../inputs/diff";
import type { ResourceSpec } from "../inputs/spec";
import { fieldsOf, inputsFrom, validateInputs } from "../inputs/validate";
import { CREATE_TOKEN_TAG, toEc2Tags, type TagMap } from "../inputs/tags";
import { describeFailure, ExplainedError, failureText, OUTCOME } from "../messages/failureMessage";
import { resourceLabel, warn, writeLine } from "../messages/log";
import { scopeKey } from "../runtime/processState";
import { admitAll } from "../scheduling/volumeAdmission";
import { batchedRead } from "../scheduling/readBatch";
import { failAfterTimeout, markedOnFailure, markRecorded, sweepStrays } from "./createRecovery";
import { inFlightFor, newCreationMarker, recordedToken, resourceKey, resumedMarker, tokenOf, withRoomForUserTags, type CreationMarker } from "./creationMarker";
import { DeadlineExceededError } from "./deadline";
import { hookSpec, runHook, type HookKind, type HookSpec } from "./hookContext";
import type { CheckResult, CreateResult, DiffHookResult, Props, ReadResult, UpdateResult } from "./hookTypes";
import { interruptedCreates } from "./interruptedLookup";
import { deleteMembers } from "./memberDeletes";
import { PartialStateError, recordingProvider, recordOnFailure } from "./partialState";
import { RecordedState } from "./recordedState";
import type { CommonInputs, CreatePlan, Created, HookRun, MemberFacts, ResourceModel } from "./resourceModel";
import { settle } from "./settle";
import { applyLock, lockChangeRefusal, recordedLock, removeLock, wantedLock } from "./locking";
import { locksAfterUpdate, protectionInUse, readProtection, unprotected, withProtection } from "./protection";
import { archive, deleteCostLine, restore, tierInputProblems, tierSatisfied, wantedTier } from "./tiering";
import { containsUnknown } from "../inputs/unknown";
import { propertyChanges } from "../inputs/propertyChanges";
import { applySharing, desiredSharing, readSharing, refusePublicEncrypted, sharingDiffers, sharingOutputs, type Sharing } from "./sharing";

/** The six hooks of a dynamic provider, as provider/index.ts exports them for each resource. */
export interface ResourceHooks<O> {
  /** The resource's description, for the generator (scripts/generate.ts); the host never reads it. */
  readonly spec: ResourceSpec;
  check(olds: Props, news: Props): Promise<CheckResult<Props>>;
  diff(id: string, olds: Props, news: Props): Promise<DiffHookResult>;
  create(props: Props): Promise<CreateResult<O>>;
  read(id: string, props: Props): Promise<ReadResult<O>>;
  update(id: string, olds: Props, news: Props): Promise<UpdateResult<O>>;
  delete(id: string, props: Props): Promise<void>;
}

const isLive = (s: Snapshot | undefined): s is Snapshot => s !== undefined && (s.State === "pending" || s.State === "completed");

/**
 * The one lifecycle every resource runs: create-or-recover (token, lost answers, strays), wait, settle
 * into an outcome, and map it to outputs, partial state or cleanup; refresh, update and delete over the
 * recorded snapshots. The resource's model supplies only what differs.
 */
export function lifecycleOf<I extends CommonInputs, O extends object, P extends CreatePlan>(model: ResourceModel<I, O, P>): ResourceHooks<O> {
  const fields = fieldsOf(model.spec);
  const diffRules = diffRulesOf(model.spec);
  const inputsOf = (props: Props): I => inputsFrom<I>(fields, props);
  // Only the resources of one snapshot have a storage tier to manage (a set is locked, never archived).
  const tiered = model.spec.inputs.storageTier !== undefined;
  /** Whether one update-kind input differs between the recorded state and the program. */
  const inputChanged = (name: string, olds: Props, news: Props): boolean => diffInputs({ [name]: diffRules[name] ?? { kind: "update" } }, olds, news).changes;
  const labelOf = (state: RecordedState): string => resourceLabel(model.type, state.logicalName);
  const spec = (kind: HookKind, label: string, subject: string, timeouts: unknown, region: string | undefined, atLeastMs?: number): HookSpec =>
    hookSpec(kind, { label, noun: model.noun, subject, timeouts, region, ...(atLeastMs !== undefined ? { atLeastMs } : {}) });

  /** Members as EC2 describes them now, in recorded order; those it no longer has are left out. */
  async function describe(run: Pick<HookRun<I>, "ec2">, ids: readonly string[]): Promise<{ members: Snapshot[]; missing: string[] }> {
    // Shared with the reads of other resources of the process (a refresh reads them all at once).
    const found = await batchedRead("DescribeSnapshots", (ec2, batch) => ec2.describeSnapshots(batch), run.ec2, ids);
    return { members: ids.map((id) => found.get(id)).filter((m): m is Snapshot => m !== undefined), missing: ids.filter((id) => !found.has(id)) };
  }

  /** Facts recorded in state, plus the product codes of members that have none recorded (they never change). */
  async function factsFor(run: Pick<HookRun<I>, "ec2">, members: readonly Snapshot[], known: MemberFacts, fresh = false): Promise<MemberFacts> {
    const productCodes = new Map(known.productCodes);
    const ids = members.map((m) => m.SnapshotId ?? "").filter((id) => id !== "" && !productCodes.has(id));
    const codes = await Promise.all(ids.map((id) => run.ec2.productCodes(id, fresh)));
    ids.forEach((id, i) => productCodes.set(id, codes[i]));
    return { ...known, productCodes };
  }

  /**
   * Snapshots this resource's create started earlier, which no state records because that create never
   * returned: one request's snapshots (one token), each one this create would make, covering every
   * planned volume. The newest such request is resumed, once a fresh look confirms it is still there
   * and still unrecorded.
   */
  async function findInterrupted(run: HookRun<I>, key: string, plan: P): Promise<{ token: string; members: Snapshot[] } | undefined> {
    const resumable = (members: readonly (Snapshot | undefined)[]): members is Snapshot[] =>
      members.length > 0 &&
      members.every((m) => isLive(m) && inFlightFor(m, key) && model.resumable(m, run.inputs)) &&
      plan.volumes.every((v) => members.some((m) => m?.VolumeId === v.volumeId));
    const requests: Snapshot[][] = [];
    const byToken = new Map<string, Snapshot[]>();
    for (const snapshot of await interruptedCreates(run.ec2, key, run.label)) {
      const token = tokenOf(snapshot) ?? "";
      // One snapshot per request for a single-snapshot resource: a retried request's duplicate is not a member.
      const group = model.multi ? byToken.get(token) : undefined;
      if (group !== undefined) {
        group.push(snapshot);
      } else {
        const fresh = [snapshot];
        byToken.set(token, fresh);
        requests.push(fresh);
      }
    }
    // Listed oldest first, so the last request is the newest.
    for (const listed of requests.filter(resumable).reverse()) {
      const { members } = await describe(
        run,
        listed.map((m) => m.SnapshotId ?? ""),
      );
      if (members.length === listed.length && resumable(members)) {
        writeLine(`${run.label}: ${model.text.resuming(members, run.inputs)}`);
        return { token: tokenOf(members[0]) ?? "", members };
      }
    }
    return undefined;
  }

  /** The create request; if the deadline cuts it off, one more look records what it may have made instead of leaking it. */
  async function createOrRecover(run: HookRun<I>, plan: P, marker: CreationMarker, pace: <T>(request: () => Promise<T>) => Promise<T>): Promise<Created> {
    try {
      return await model.send(run, plan, marker, pace);
    } catch (error) {
      if (!(error instanceof DeadlineExceededError)) {
        throw error;
      }
      const facts: MemberFacts = { deviceNames: plan.deviceNames, productCodes: new Map() };
      return failAfterTimeout(run.ec2, marker, run.label, error, (found) => ({
        id: model.idOf(marker, found),
        properties: model.outputs(run.inputs, found, facts, run.ec2.region),
      }));
    }
  }

  /**
   * After a lost create answer, snapshots of the request that EC2 listed only late: one of a volume the
   * resource already covers is a duplicate (deleted); one of a volume it lacks is a member the recovery
   * did not see yet (adopted, so that a set is whole).
   */
  async function adoptLate(run: HookRun<I>, members: readonly Snapshot[], marker: CreationMarker): Promise<Snapshot[]> {
    const covered = new Set(members.map((m) => m.VolumeId));
    const late = await sweepStrays(run.ec2, marker, new Set(members.map((m) => m.SnapshotId ?? "")), (stray) => covered.has(stray.VolumeId), run.label);
    if (late.length === 0) {
      return [...members];
    }
    return (
      await describe(
        run,
        [...members, ...late].map((m) => m.SnapshotId ?? ""),
      )
    ).members;
  }

  async function create(props: Props): Promise<CreateResult<O>> {
    const state = new RecordedState(props);
    const inputs = inputsOf(props);
    const label = labelOf(state);
    const hook = spec("create", label, model.subject(inputs), inputs.timeouts, inputs.region, model.atLeastMs?.(inputs));
    return recordingProvider(props, () =>
      runHook(hook, async ({ ec2, settings, deadline }) => {
        const run: HookRun<I> = { inputs, label, ec2, settings, deadline };
        const plan = await model.plan(run);
        const sharing = desiredSharing(inputs.sharing);
        refusePublicEncrypted(sharing, plan.encrypted ?? []);
        const key = resourceKey(state.urn);
        const interrupted = key === undefined ? undefined : await findInterrupted(run, key, plan);
        const limits = new Map(plan.volumes.map((v) => [scopeKey(ec2.region, v.volumeId), v.limit]));
        const admission = await admitAll(
          [...limits.keys()],
          (volume) => limits.get(volume) ?? 5,
          settings.volumeSpacingMs,
          deadline.signal,
          (line) => writeLine(`${label}: ${line}`),
        );
        const lock = wantedLock(inputs.lock);
        const tier = tiered ? wantedTier(inputs.storageTier, inputs.restore) : undefined;
        const protection = unprotected();
        const protect = (outputs: O): O => withProtection(outputs, protection, tiered);
        try {
          const tags = model.createTags?.(inputs, plan) ?? inputs.tags ?? {};
          const marker = interrupted !== undefined ? resumedMarker(interrupted.token, tags) : newCreationMarker(tags, key);
          const created = interrupted !== undefined ? { members: interrupted.members, uncertain: false } : await createOrRecover(run, plan, marker, admission.send);
          const id = model.idOf(marker, created.members);
          let members = created.members;
          let facts: MemberFacts = { deviceNames: plan.deviceNames, productCodes: new Map() };
          // From here on the snapshots exist: any failure records them as partial state instead of leaking them.
          return await markedOnFailure(
            ec2,
            () => members.map((m) => m.SnapshotId ?? ""),
            marker,
            () =>
              recordOnFailure(
                id,
                () => protect(model.outputs(inputs, members, facts, ec2.region)),
                (error) => describeFailure(label, error, OUTCOME.recorded(members.map((m) => m.SnapshotId ?? "")), model.text.resumeNext),
                async () => {
                  const ids = members.map((m) => m.SnapshotId ?? "");
                  if (lock !== undefined) {
                    // Protection starts as soon as EC2 has accepted the snapshots, not after the wait.
                    protection.locks = await applyLock(ec2, members, lock, interrupted === undefined ? { known: new Map() } : {});
                  }
                  if (interrupted !== undefined) {
                    // The program's tags may have changed since the interrupted run sent them.
                    const changes = model.tagChanges(members, marker.sent, {}, inputs);
                    await ec2.deleteTags(ids, changes.remove);
                    await ec2.createTags(ids, changes.set);
                  }
                  if (interrupted !== undefined || model.describeAfterCreate) {
                    // Ids not yet visible keep the create's answer.
                    const described = await ec2.describeSnapshots(ids);
                    members = members.map((m) => described.get(m.SnapshotId ?? "") ?? m);
                  }
                  const unexpected = members.filter((m) => plan.volumes.length > 0 && m.VolumeId !== undefined && !plan.volumes.some((v) => v.volumeId === m.VolumeId));
                  if (unexpected.length > 0) {
                    warn(
                      label,
                      `EC2 also snapshotted ${unexpected.map((m) => m.VolumeId).join(", ")}, which the inputs exclude; those snapshots are kept as members of the ${model.noun}`,
                    );
                  }
                  facts = await factsFor(run, members, facts, true);
                  // A failed snapshot is deleted, which its lock would forbid: unlock it first where EC2 allows.
                  const unlock =
                    lock !== undefined
                      ? () =>
                          removeLock(ec2, members).then(
                            () => undefined,
                            () => undefined,
                          )
                      : undefined;
                  members = await settle({ model, run, id, facts, onError: "delete", createdAt: Date.now(), ...(unlock ? { beforeCleanup: unlock } : {}) }, members);
                  if (created.uncertain) {
                    members = await adoptLate(run, members, marker);
                    facts = await factsFor(run, members, facts, true);
                  }
                  if (lock !== undefined) {
                    // Read back once settled: a duration lock's end is known once the snapshot completes; late members get their lock.
                    protection.locks = await applyLock(ec2, members, lock);
                  }
                  if (tier?.tier === "archive") {
                    protection.tiers = await archive(ec2, label, members, deadline, (seen) => {
                      protection.tiers = new Map(seen);
                    });
                  }
                  const shared = sharing !== undefined ? await applySharing(ec2, label, members, sharing) : new Map<string, Sharing>();
                  const held = await markRecorded(
                    ec2,
                    members.map((m) => m.SnapshotId ?? ""),
                    marker,
                  );
                  const outputs = model.outputs(
                    inputs,
                    members.map((m) => withTags(m, held)),
                    facts,
                    ec2.region,
                  );
                  return { id, outs: withSharing(protect(outputs), shared) };
                },
              ),
          );
        } finally {
          admission.release();
        }
      }),
    );
  }

  async function read(id: string, recorded: Props): Promise<ReadResult<O>> {
    const given = new RecordedState(recorded);
    const hook = spec("refresh", labelOf(given), id, given.timeouts, given.region);
    return runHook(hook, async ({ ec2 }) => {
      // No identity input at all: `pulumi import` of a resource made outside Pulumi.
      const imported = recorded[model.identity] === undefined;
      const props = imported && model.importState !== undefined ? { ...(await model.importState(id, ec2)), ...recorded } : recorded;
      const state = new RecordedState(props);
      const ids = model.recordedIds(id, state);
      // Sharing and protection are read by id, side by side with the snapshots themselves: one round trip.
      const [{ members, missing }, everyShared, everyProtection] = await Promise.all([
        describe({ ec2 }, ids),
        readSharing(ec2, ids, desiredSharing(props.sharing) !== undefined),
        readProtection(ec2, ids, protectionInUse(props, tiered)),
      ]);
      if (members.length === 0) {
        return { id: "", props: {} };
      }
      const found = new Set(members.map((m) => m.SnapshotId ?? ""));
      const ofFound = <T>(bySnapshot: ReadonlyMap<string, T>): Map<string, T> => new Map([...bySnapshot].filter(([snapshotId]) => found.has(snapshotId)));
      const shared = ofFound(everyShared);
      const protection = { locks: ofFound(everyProtection.locks), tiers: ofFound(everyProtection.tiers) };
      const facts = await factsFor({ ec2 }, members, model.factsFromState(state));
      const outputs = model.outputs(inputsOf(props), members, facts, ec2.region, [...new Set([...state.missingSnapshotIds, ...missing])]);
      return { id, props: withSharing(withProtection(outputs, protection, tiered), shared) };
    });
  }

  async function update(id: string, olds: Props, news: Props): Promise<UpdateResult<O>> {
    const recorded = new RecordedState(olds);
    const inputs = { ...inputsOf(news), [model.identity]: olds[model.identity] ?? news[model.identity] } as I;
    const label = labelOf(new RecordedState(news));
    // The snapshots live where they were made, whatever region the program resolves today.
    const hook = spec("update", label, id, inputs.timeouts, recorded.region ?? inputs.region, model.atLeastMs?.(inputs));
    return recordingProvider(news, () =>
      runHook(hook, async ({ ec2, settings, deadline }) => {
        const run: HookRun<I> = { inputs, label, ec2, settings, deadline };
        const ids = model.recordedIds(id, recorded);
        const { members, missing } = await describe(run, ids);
        if (members.length === 0) {
          const gone = model.text.gone(ids);
          throw new ExplainedError(gone.what, gone.next ?? "run `pulumi refresh`");
        }
        const memberIds = members.map((m) => m.SnapshotId ?? "");
        const changes = withRoomForUserTags(model.tagChanges(members, inputs.tags ?? {}, (olds.tags as TagMap | undefined) ?? {}, inputs), members, inputs.tags ?? {});
        await ec2.deleteTags(memberIds, changes.remove);
        // A create recorded as partial state may not have marked its snapshots as recorded yet. One request
        // made them, so they share one token: normally one call with the tag changes, or none.
        const tokens = changes.remove.includes(CREATE_TOKEN_TAG) ? new Map<string, string[]>() : recordedTokens(members);
        const [only] = tokens.size === 1 && [...tokens.values()][0].length === members.length ? [...tokens.keys()] : [];
        await ec2.createTags(memberIds, only !== undefined ? { ...changes.set, [CREATE_TOKEN_TAG]: only } : changes.set);
        if (only === undefined) {
          for (const [value, tokenIds] of tokens) {
            await ec2.createTags(tokenIds, { [CREATE_TOKEN_TAG]: value });
          }
        }
        const facts = await factsFor(run, members, model.factsFromState(recorded));
        const startedAt = Math.min(...members.map((m) => m.StartTime?.getTime() ?? Date.now()));
        await settle({ model, run, id, facts, onError: "record", createdAt: startedAt }, members);
        const latest = await describe(run, memberIds);
        const now = latest.members.length > 0 ? latest.members : members;
        const sharing = desiredSharing(inputs.sharing);
        const shared = sharing !== undefined ? await applySharing(ec2, label, now, sharing) : await readSharing(ec2, memberIds, false);
        const protection = unprotected();
        const use = protectionInUse({ ...olds, lock: inputs.lock }, tiered);
        protection.locks = await locksAfterUpdate(ec2, now, {
          wanted: wantedLock(inputs.lock),
          previous: wantedLock(olds.lock),
          changed: inputChanged("lock", olds, news),
          inUse: use.locks,
        });
        const outputs = (): O => withSharing(withProtection(model.outputs(inputs, now, facts, ec2.region, missing), protection, tiered), shared);
        const tier = tiered ? wantedTier(inputs.storageTier, inputs.restore) : undefined;
        if (tier?.tier === "archive") {
          try {
            protection.tiers = await archive(ec2, label, now, deadline, (seen) => {
              protection.tiers = new Map(seen);
            });
          } catch (error) {
            // The archive goes on in EC2: record how far it got, and the next update waits for it again.
            throw new PartialStateError(id, outputs(), describeFailure(label, error, OUTCOME.recorded(memberIds), model.text.resumeNext));
          }
        } else if (tier?.tier === "standard") {
          protection.tiers = await restore(ec2, label, now, tier, inputChanged("restore", olds, news));
        } else if (use.tiers) {
          protection.tiers = await ec2.tierStatuses(memberIds);
        }
        return { outs: outputs() };
      }),
    );
  }

  async function remove(id: string, props: Props): Promise<void> {
    const state = new RecordedState(props);
    const label = labelOf(state);
    const hook = spec("delete", label, id, state.timeouts, state.region);
    await runHook(hook, async ({ ec2 }) => {
      const ids = model.recordedIds(id, state);
      for (const snapshotId of tiered ? ids : []) {
        const line = deleteCostLine(snapshotId, props);
        if (line !== undefined) {
          writeLine(`${label}: ${line}`);
        }
      }
      const { remaining, errors } = await deleteMembers(ec2, ids, protectionInUse(props, tiered).locks);
      if (remaining.length > 0) {
        const said = model.text.deleteFailed(remaining, ids, errors, hook);
        throw new Error(failureText(label, said.what, said.outcome, said.next), { cause: errors[0].error });
      }
    });
  }

  /**
   * Whether the lock needs an update: its input changed, or the lock is missing in EC2 (removed outside
   * Pulumi). A change EC2 would refuse is refused here, in preview, from the recorded lock.
   */
  function lockDiff(id: string, olds: Props, news: Props, inputChanged: boolean): boolean {
    if (containsUnknown(news.lock)) {
      return true;
    }
    const wanted = wantedLock(news.lock);
    const recorded = recordedLock(olds);
    const drift = wanted !== undefined && recorded === undefined;
    if (!inputChanged && !drift) {
      return false;
    }
    const refusal = lockChangeRefusal(`the ${model.noun} ${id}`, recorded, wanted, Date.now());
    if (refusal !== undefined) {
      throw new Error(failureText(labelOf(new RecordedState(news)), refusal.what, "nothing was changed", refusal.next ?? "correct lock, then run `pulumi preview` again"));
    }
    return true;
  }

  return {
    spec: model.spec,
    async check(_olds, news) {
      const failures = validateInputs(fields, news);
      if (failures.length === 0) {
        failures.push(...(model.checkInputs?.(news) ?? []), ...(tiered ? tierInputProblems(news) : []));
      }
      const inputs = Object.fromEntries(Object.entries(news).filter(([, v]) => v !== undefined && v !== null));
      return { inputs, failures };
    },
    async diff(id, olds, news) {
      const base = diffResource(diffRules, olds, news);
      const result = model.diffState?.(new RecordedState(olds), news, base) ?? base;
      const sharing = desiredSharing(news.sharing);
      if (sharing?.public === true && olds.encrypted === true) {
        // Encryption is known from state: refuse in preview, not only at the update.
        try {
          refusePublicEncrypted(sharing, [{ subject: `the ${model.noun} ${id}`, ...(typeof olds.kmsKeyId === "string" ? { kmsKeyId: olds.kmsKeyId } : {}) }]);
        } catch (error) {
          throw new Error(describeFailure(labelOf(new RecordedState(news)), error, "nothing was changed", "correct sharing, then run `pulumi preview` again"), { cause: error });
        }
      }
      // Permissions changed outside Pulumi are drift when the program manages sharing.
      const drift = sharing !== undefined && sharingDiffers(sharing, olds);
      const lockChanges = lockDiff(id, olds, news, result.updates.includes("lock"));
      // The tier is compared with what EC2 reported, not with the input: a restore in progress is no change.
      const tierChanges = tiered && !tierSatisfied(olds, wantedTier(news.storageTier, news.restore), inputChanged("restore", olds, news));
      // lock, storageTier and restore are decided above, not by the input table.
      const updates = result.updates.filter((name) => name !== "storageTier" && name !== "restore" && name !== "lock");
      // A model may find changes beyond the input table (a set's member tags), with no update named.
      const beyondInputs = result.changes && result.replaces.length === 0 && result.updates.length === 0;
      const changes = result.replaces.length > 0 || updates.length > 0 || beyondInputs || drift || lockChanges || tierChanges;
      const inPlace = [...updates, ...(drift ? ["sharing"] : []), ...(lockChanges ? ["lock"] : []), ...(tierChanges ? ["storageTier"] : []), ...(beyondInputs ? ["tags"] : [])];
      return { changes, replaces: result.replaces, deleteBeforeReplace: result.deleteBeforeReplace, properties: propertyChanges(olds, news, result.replaces, inPlace) };
    },
    create,
    read,
    update,
    delete: remove,
  };
}

/** The members' recorded-token tags, by value: the ids that still carry the in-flight form of each. */
function recordedTokens(members: readonly Snapshot[]): Map<string, string[]> {
  const byToken = new Map<string, string[]>();
  for (const member of members) {
    const value = recordedToken(member)[CREATE_TOKEN_TAG];
    if (value !== undefined) {
      byToken.set(value, [...(byToken.get(value) ?? []), member.SnapshotId ?? ""]);
    }
  }
  return byToken;
}

/** A member as it is once `tags` (set by the create's last call) are on it. */
function withTags(member: Snapshot, tags: TagMap): Snapshot {
  return Object.keys(tags).length === 0 ? member : { ...member, Tags: [...(member.Tags ?? []).filter((t) => !Object.hasOwn(tags, t.Key ?? "")), ...toEc2Tags(tags)] };
}

/** The resource's outputs with its snapshots' sharing, as EC2 last reported or was told it. */
function withSharing<O extends object>(outputs: O, shared: ReadonlyMap<string, Sharing>): O {
  return { ...outputs, ...sharingOutputs(shared) };
}
