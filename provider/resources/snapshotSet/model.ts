import type { Snapshot } from "@aws-sdk/client-ec2";
import { pendingSnapshotLimit } from "../../ec2/volumeAdvice";
import type { TagMap } from "../../inputs/tags";
import { containsUnknown } from "../../inputs/unknown";
import { joinedFailures } from "../../lifecycle/memberDeletes";
import { compact } from "../../lifecycle/outputs";
import type { CreatePlan, MemberFacts, ResourceModel } from "../../lifecycle/resourceModel";
import { ExplainedError } from "../../messages/failureMessage";
import { SNAPSHOT_SET_SPEC } from "./spec";
import type { SnapshotSetInputs, SnapshotSetOutputs } from "../../types";
import { importedMemberIds, setImportState } from "./importState";
import { memberTagChanges } from "./memberTags";
import { memberTags, snapshotFromInfo, snapshotSetOutputs } from "./outputs";
import { planSnapshotSet } from "./plan";

function describeMembers(members: readonly Snapshot[]): string {
  return members.map((m) => `${m.SnapshotId} (volume ${m.VolumeId}${m.StateMessage ? `: ${m.StateMessage}` : ""})`).join("; ");
}

/** A crash-consistent set of an instance's volumes (EC2 CreateSnapshots): what differs from the shared lifecycle. */
export const snapshotSetModel: ResourceModel<SnapshotSetInputs, SnapshotSetOutputs> = {
  type: "SnapshotSet",
  noun: "set",
  multi: true,
  spec: SNAPSHOT_SET_SPEC,
  identity: "instanceId",
  subject: (inputs) => `instance ${inputs.instanceId}`,

  diffState(olds, news, result) {
    const replaces = [...result.replaces];
    let changes = result.changes;
    // A set that lost members outside Pulumi is no longer one crash-consistent set: take a new one.
    if (olds.missingSnapshotIds.length > 0 && !replaces.includes("snapshotIds")) {
      replaces.push("snapshotIds");
      changes = true;
    }
    // Tags changed on members outside Pulumi are drift even when the program's tags did not change.
    if (!containsUnknown(news.tags)) {
      const drift = memberTagChanges(
        olds.members.map((m) => m.tags ?? {}),
        (news.tags as TagMap | undefined) ?? {},
        (olds.props.tags as TagMap | undefined) ?? {},
        olds.props.copyTagsFromSource === true,
      );
      changes ||= Object.keys(drift.set).length > 0 || drift.remove.length > 0;
    }
    return { ...result, changes, replaces };
  },

  async plan({ inputs, ec2 }): Promise<CreatePlan> {
    const plan = planSnapshotSet(inputs, await ec2.describeInstance(inputs.instanceId), ec2.region);
    if (!plan.ok) {
      throw new ExplainedError(plan.reason, plan.next);
    }
    const volumes = await ec2.describeVolumes(plan.volumes.map((v) => v.volumeId));
    const limits = new Map(volumes.map((v) => [v.VolumeId, pendingSnapshotLimit(v)]));
    return {
      volumes: plan.volumes.map((v) => ({ volumeId: v.volumeId, limit: limits.get(v.volumeId) ?? 5 })),
      deviceNames: new Map(plan.attached.map((v) => [v.volumeId, v.deviceName])),
      encrypted: volumes.filter((v) => v.Encrypted === true).map((v) => ({ subject: `volume ${v.VolumeId}`, ...(v.KmsKeyId !== undefined ? { kmsKeyId: v.KmsKeyId } : {}) })),
    };
  },

  resumable: (s, inputs) => (s.Description ?? "") === (inputs.description ?? ""),

  async send({ inputs, ec2 }, plan, marker, pace) {
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
  },
  // CreateSnapshots answers lack KmsKeyId and StateMessage.
  describeAfterCreate: true,
  // The set's id names the token its snapshots carry once recorded (unless all 50 tags are the user's), so they can be found in the console.
  idOf: (marker) => `snapset-${marker.id}`,
  recordedIds: (id, state) => {
    const ids = state.strings("snapshotIds");
    const members = ids.length > 0 ? ids : state.members.map((m) => m.snapshotId).filter((memberId) => memberId !== "");
    // An imported set's id lists its members (importState.ts).
    return members.length > 0 ? members : importedMemberIds(id);
  },
  importState: setImportState,
  factsFromState: (state): MemberFacts => ({
    deviceNames: new Map(state.members.filter((m) => m.deviceName !== undefined).map((m) => [m.volumeId, m.deviceName!])),
    productCodes: new Map(state.members.filter((m) => Array.isArray(m.productCodes)).map((m) => [m.snapshotId, m.productCodes])),
  }),
  outputs: (inputs, members, facts, region, missing) => snapshotSetOutputs(inputs, members, facts, region, missing),
  // Keys the program no longer declares cannot be told from copied volume tags with copyTagsFromSource; the next diff reports them as drift.
  tagChanges: (members, desired, previous, inputs) => memberTagChanges(memberTags(members), desired, previous, inputs.copyTagsFromSource === true),

  text: {
    resumeNext: "run `pulumi up` again to resume the set",
    resuming: (members, inputs) =>
      `resuming snapshots ${members.map((m) => m.SnapshotId).join(", ")} of instance ${inputs.instanceId}, started ` +
      `${members[0].StartTime?.toISOString() ?? "earlier"} by a create that was interrupted before it could record them`,
    stillPending: (pending, all, after) =>
      `${pending.length} of ${all.length} snapshots are still pending after ${after} (${pending.map((m) => `${m.SnapshotId} ${m.Progress ?? "0%"}`).join(", ")})`,
    recordedPending: "the set is recorded in the stack, and the next `pulumi up` resumes waiting",
    failed: (failed, inputs) => `the snapshot set of instance ${inputs.instanceId} failed: ${describeMembers(failed)}`,
    recordedFailed: "the set is recorded in the stack as failed",
    replaceNext: "run `pulumi up` again: it deletes the set and takes a new one",
    cleanupFailed: (what, remaining, all, errors) => ({
      what: `${what}; deleting the set then failed: ${joinedFailures(errors).what}`,
      outcome: `${remaining.length === 1 ? "that snapshot is" : "those snapshots are"} recorded in the stack, and the ${all.length - remaining.length} others were deleted`,
      next: joinedFailures(errors).next ?? "run `pulumi up` again: it replaces the set",
    }),
    cleanedUp: (all) => ({
      outcome: `all ${all.length} snapshots of the set were deleted, so nothing of this create is left`,
      next: "check the volumes, then run `pulumi up` again",
    }),
    gone: (ids) => ({ what: `none of the snapshots ${ids.join(", ")} exists any more (deleted outside Pulumi)`, next: "run `pulumi refresh`, then `pulumi up` to take a new set" }),
    deleteFailed: (remaining, all, errors) => {
      const why = joinedFailures(errors);
      return {
        what: `${remaining.length} of ${all.length} snapshots remain: ${why.what}`,
        outcome:
          remaining.length < all.length
            ? `the ${all.length - remaining.length} others were deleted; the set stays in the stack with ${remaining.length === 1 ? "that one" : "those"}`
            : "none was deleted, and the set stays in the stack",
        next: why.next ?? "run the delete again once the cause is fixed",
      };
    },
  },
};
