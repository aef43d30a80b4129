import type { Snapshot, SnapshotInfo } from "@aws-sdk/client-ec2";
import { aggregateState, compact, echoInputs, memberOutputs } from "../../lifecycle/outputs";
import { fromEc2Tags } from "../../inputs/tags";
import type { MemberFacts } from "../../lifecycle/resourceModel";
import type { SnapshotSetInputs, SnapshotSetMember, SnapshotSetOutputs } from "../../types";

export type { MemberFacts };

/** CreateSnapshots answers with SnapshotInfo, which has the same fields as Snapshot minus a few. */
export function snapshotFromInfo(info: SnapshotInfo): Snapshot {
  return { ...info };
}

/** Each member's tags as EC2 has them. */
export function memberTags(members: readonly Snapshot[]): Record<string, string>[] {
  return members.map((m) => fromEc2Tags(m.Tags));
}

/**
 * The state of a SnapshotSet from its members as EC2 describes them. `missing` lists members recorded
 * earlier that EC2 no longer has (deleted outside Pulumi); a set with missing members is replaced on the
 * next `pulumi up`, because it is no longer one crash-consistent set.
 */
export function snapshotSetOutputs(
  inputs: SnapshotSetInputs,
  members: readonly Snapshot[],
  facts: MemberFacts,
  region: string,
  missing: readonly string[] = [],
): SnapshotSetOutputs {
  const snapshots: SnapshotSetMember[] = members.map((snapshot) =>
    memberOutputs(snapshot, facts.deviceNames.get(snapshot.VolumeId ?? ""), facts.productCodes.get(snapshot.SnapshotId ?? "") ?? []),
  );
  return compact({
    ...echoInputs(inputs),
    instanceId: inputs.instanceId,
    snapshotIds: snapshots.map((s) => s.snapshotId),
    snapshots,
    state: aggregateState(snapshots.map((s) => s.state)),
    encrypted: snapshots.length > 0 && snapshots.every((s) => s.encrypted === true),
    // The tags the set applies to every member; what each member really has is in snapshots[].tags.
    tags: inputs.tags ?? {},
    region,
    missingSnapshotIds: missing.length > 0 ? [...missing] : undefined,
  });
}
