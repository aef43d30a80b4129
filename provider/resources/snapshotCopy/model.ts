import type { Snapshot } from "@aws-sdk/client-ec2";
import { Ec2 } from "../../ec2/ec2";
import { fromEc2Tags, MAX_TAGS, tagChanges, type TagMap } from "../../inputs/tags";
import { containsUnknown } from "../../inputs/unknown";
import { compact, onlyMember as only } from "../../lifecycle/outputs";
import type { CreatePlan, ResourceModel } from "../../lifecycle/resourceModel";
import { singleSnapshotText } from "../../lifecycle/singleSnapshotText";
import { ExplainedError } from "../../messages/failureMessage";
import type { SnapshotCopyInputs, SnapshotCopyOutputs } from "../../types";
import { memberTagChanges } from "../snapshotSet/memberTags";
import { copyImportState, copySnapshotIdOf } from "./importState";
import { snapshotCopyOutputs } from "./outputs";
import { SNAPSHOT_COPY_SPEC } from "./spec";

/** Past a time-based copy's promised duration, how long create still waits by default. */
const TIME_BASED_MARGIN_MS = 30 * 60_000;

interface CopyPlan extends CreatePlan {
  source: Snapshot;
  sourceRegion: string;
}

/** A copy of a snapshot (EC2 CopySnapshot), across regions or from another account: what differs from the shared lifecycle. */
export const snapshotCopyModel: ResourceModel<SnapshotCopyInputs, SnapshotCopyOutputs, CopyPlan> = {
  type: "SnapshotCopy",
  noun: "copy",
  multi: false,
  spec: SNAPSHOT_COPY_SPEC,
  identity: "sourceSnapshotId",
  subject: (inputs) => `snapshot ${inputs.sourceSnapshotId}`,

  checkInputs(props) {
    if (typeof props.kmsKeyId === "string" && props.encrypted !== true) {
      return [{ property: "kmsKeyId", reason: "kmsKeyId needs encrypted: true (EC2 encrypts a copy with a key only when asked to encrypt it)" }];
    }
    return [];
  },

  diffState(olds, news, result) {
    // With copyTagsFromSource the copy's tags include the source's, which the program does not declare:
    // only a declared tag missing or different on the copy is a change.
    if (olds.props.copyTagsFromSource !== true || !result.updates.includes("tags") || containsUnknown(news.tags)) {
      return result;
    }
    const current = (olds.props.tags ?? {}) as TagMap;
    const declared = (news.tags ?? {}) as TagMap;
    if (Object.entries(declared).some(([key, value]) => current[key] !== value)) {
      return result;
    }
    const updates = result.updates.filter((name) => name !== "tags");
    return { ...result, updates, changes: result.replaces.length > 0 || updates.length > 0 };
  },

  atLeastMs: (inputs) => (inputs.completionDurationMinutes ?? 0) * 60_000 + (inputs.completionDurationMinutes !== undefined ? TIME_BASED_MARGIN_MS : 0),

  async plan({ inputs, ec2, settings, deadline, label }): Promise<CopyPlan> {
    const sourceRegion = inputs.sourceRegion ?? ec2.region;
    const sourceEc2 = sourceRegion === ec2.region ? ec2 : await Ec2.connect(settings, deadline, sourceRegion, label, "sourceRegion");
    const source = await sourceEc2.describeAnySnapshot(inputs.sourceSnapshotId);
    if (source === undefined) {
      throw new ExplainedError(
        `source snapshot ${inputs.sourceSnapshotId} is not visible to this account in ${sourceRegion} (EC2 InvalidSnapshot.NotFound)`,
        "check sourceSnapshotId and sourceRegion; if another account owns the snapshot, it must share it with this account, and for an encrypted snapshot also grant this account use of its KMS key",
      );
    }
    if (source.State !== "completed") {
      throw new ExplainedError(
        `source snapshot ${inputs.sourceSnapshotId} is ${source.State ?? "not completed"}, and EC2 copies only completed snapshots`,
        "wait until it is completed (or make this copy depend on the Snapshot resource), then run `pulumi up` again",
      );
    }
    if (source.Encrypted === true && inputs.encrypted === false) {
      throw new ExplainedError(
        `source snapshot ${inputs.sourceSnapshotId} is encrypted${source.KmsKeyId ? ` (KMS key ${source.KmsKeyId})` : ""}, and a copy of an encrypted snapshot is always encrypted, so encrypted: false cannot be honoured`,
        "remove encrypted: false, or set encrypted: true (with kmsKeyId to re-encrypt under another key)",
      );
    }
    if (inputs.copyTagsFromSource === true) {
      const count = Object.keys({ ...fromEc2Tags(source.Tags), ...(inputs.tags ?? {}) }).length;
      if (count > MAX_TAGS) {
        throw new ExplainedError(
          `the source's tags with the copy's own come to ${count}; EC2 allows at most ${MAX_TAGS} per snapshot`,
          "drop copyTagsFromSource, or give fewer tags",
        );
      }
    }
    const encrypted = source.Encrypted === true || inputs.encrypted === true;
    const kmsKeyId = inputs.kmsKeyId ?? source.KmsKeyId;
    return {
      volumes: [],
      deviceNames: new Map(),
      encrypted: encrypted ? [{ subject: `the copy of snapshot ${inputs.sourceSnapshotId}`, ...(kmsKeyId !== undefined ? { kmsKeyId } : {}) }] : [],
      source,
      sourceRegion,
    };
  },

  createTags: (inputs, plan) => ({ ...(inputs.copyTagsFromSource === true ? fromEc2Tags(plan.source.Tags) : {}), ...(inputs.tags ?? {}) }),

  // A copy's volume is EC2's placeholder, so only the token and the description say it is this copy.
  resumable: (s, inputs) => inputs.description === undefined || s.Description === inputs.description,

  async send({ inputs, ec2 }, plan, marker, pace) {
    const created = await ec2.copySnapshot(
      compact({
        SourceSnapshotId: inputs.sourceSnapshotId,
        SourceRegion: plan.sourceRegion,
        Description: inputs.description,
        Encrypted: inputs.encrypted,
        KmsKeyId: inputs.kmsKeyId,
        CompletionDurationMinutes: inputs.completionDurationMinutes,
        DestinationOutpostArn: inputs.outpostArn,
      }),
      marker,
      pace,
    );
    return { members: [created.value], uncertain: created.uncertain };
  },
  // CopySnapshot answers with the new id alone.
  describeAfterCreate: true,
  idOf: (_marker, members) => only(members).SnapshotId ?? "",
  // An imported copy's id may name its source after the copy's own id (importState.ts).
  recordedIds: (id) => [copySnapshotIdOf(id)],
  importState: copyImportState,
  factsFromState: (state) => state.singleSnapshotFacts(),
  outputs: (inputs, members, facts, region) => snapshotCopyOutputs(inputs, only(members), region, facts.productCodes.get(only(members).SnapshotId ?? "") ?? []),
  // With copyTagsFromSource the copy legitimately carries the source's tags, which the program does not own.
  tagChanges: (members, desired, _previous, inputs) =>
    inputs.copyTagsFromSource === true ? memberTagChanges([fromEc2Tags(only(members).Tags)], desired, {}, true) : tagChanges(fromEc2Tags(only(members).Tags), desired),

  text: {
    ...singleSnapshotText("run `pulumi up` again: it deletes the copy and makes a new one"),
    resuming: ([s], inputs) =>
      `resuming copy ${s.SnapshotId} of snapshot ${inputs.sourceSnapshotId} (${s.State}, ${s.Progress ?? "0%"}), ` +
      `started ${s.StartTime?.toISOString() ?? "earlier"} by a create that was interrupted before it could record it`,
    stillPending: ([s], _all, after) => `copy ${s.SnapshotId} is still pending (${s.Progress ?? "0%"}) after ${after}`,
    failed: ([s], inputs) =>
      `copy ${s.SnapshotId} of snapshot ${inputs.sourceSnapshotId}${inputs.sourceRegion ? ` (${inputs.sourceRegion})` : ""} failed (state error: ${s.StateMessage || "EC2 gave no reason"})` +
      (inputs.kmsKeyId !== undefined ? `; a KMS key that does not exist or that this account may not use shows only this way: check key ${inputs.kmsKeyId}` : ""),
    cleanedUp: () => ({ outcome: "it was deleted, so nothing of this create is left", next: "check the source snapshot and the KMS key, then run `pulumi up` again" }),
    gone: ([id]) => ({ what: `copy ${id} no longer exists (deleted outside Pulumi)`, next: "run `pulumi refresh`, then `pulumi up` to make a new one" }),
  },
};
