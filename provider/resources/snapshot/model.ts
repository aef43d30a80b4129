import { attachedInstanceId, consistencyAdvice, pendingSnapshotLimit } from "../../ec2/volumeAdvice";
import { fromEc2Tags, tagChanges } from "../../inputs/tags";
import { compact, onlyMember as only } from "../../lifecycle/outputs";
import type { CreatePlan, ResourceModel } from "../../lifecycle/resourceModel";
import { singleSnapshotText } from "../../lifecycle/singleSnapshotText";
import { ExplainedError } from "../../messages/failureMessage";
import { warn } from "../../messages/log";
import { SNAPSHOT_SPEC } from "./spec";
import type { SnapshotInputs, SnapshotOutputs } from "../../types";
import { snapshotOutputs } from "./outputs";

/** A point-in-time snapshot of one EBS volume (EC2 CreateSnapshot): what differs from the shared lifecycle. */
export const snapshotModel: ResourceModel<SnapshotInputs, SnapshotOutputs> = {
  type: "Snapshot",
  noun: "snapshot",
  multi: false,
  spec: SNAPSHOT_SPEC,
  identity: "volumeId",
  subject: (inputs) => `volume ${inputs.volumeId}`,

  async plan({ inputs, ec2, label }): Promise<CreatePlan> {
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
    return {
      volumes: [{ volumeId: inputs.volumeId, limit: pendingSnapshotLimit(volume) }],
      deviceNames: new Map(),
      // A snapshot of an encrypted volume is encrypted.
      encrypted: volume.Encrypted === true ? [{ subject: `volume ${inputs.volumeId}`, ...(volume.KmsKeyId !== undefined ? { kmsKeyId: volume.KmsKeyId } : {}) }] : [],
    };
  },

  resumable: (s, inputs) => s.VolumeId === inputs.volumeId && (s.Description ?? "") === (inputs.description ?? "") && (s.OutpostArn ?? "") === (inputs.outpostArn ?? ""),

  async send({ inputs, ec2 }, _plan, marker, pace) {
    const created = await ec2.createSnapshot(compact({ VolumeId: inputs.volumeId, Description: inputs.description, OutpostArn: inputs.outpostArn }), marker, pace);
    return { members: [created.value], uncertain: created.uncertain };
  },
  describeAfterCreate: false,
  idOf: (_marker, members) => only(members).SnapshotId ?? "",
  recordedIds: (id) => [id],
  factsFromState: (state) => state.singleSnapshotFacts(),
  outputs: (inputs, members, facts, region) => snapshotOutputs(inputs, only(members), region, facts.productCodes.get(only(members).SnapshotId ?? "") ?? []),
  tagChanges: (members, desired) => tagChanges(fromEc2Tags(only(members).Tags), desired),

  text: {
    ...singleSnapshotText("run `pulumi up` again: it deletes the snapshot and takes a new one"),
    resuming: ([s], inputs) =>
      `resuming snapshot ${s.SnapshotId} of volume ${inputs.volumeId} (${s.State}, ${s.Progress ?? "0%"}), ` +
      `started ${s.StartTime?.toISOString() ?? "earlier"} by a create that was interrupted before it could record it`,
    stillPending: ([s], _all, after) => `snapshot ${s.SnapshotId} is still pending (${s.Progress ?? "0%"}) after ${after}`,
    failed: ([s], inputs) => `snapshot ${s.SnapshotId} of volume ${inputs.volumeId} failed (state error: ${s.StateMessage || "EC2 gave no reason"})`,
    cleanedUp: () => ({ outcome: "it was deleted, so nothing of this create is left", next: "check the volume, then run `pulumi up` again" }),
    gone: ([id]) => ({ what: `snapshot ${id} no longer exists (deleted outside Pulumi)`, next: "run `pulumi refresh`, then `pulumi up` to take a new one" }),
  },
};
