import type { Snapshot } from "@aws-sdk/client-ec2";
import { fromEc2Tags } from "../../inputs/tags";
import { compact, echoInputs, parseProgress, snapshotArn, snapshotState } from "../../lifecycle/outputs";
import type { ProductCode, SnapshotInputs, SnapshotOutputs } from "../../types";

/** The state of a Snapshot resource, from the inputs it was given and what EC2 reports. */
export function snapshotOutputs(inputs: SnapshotInputs, snapshot: Snapshot, region: string, productCodes: ProductCode[]): SnapshotOutputs {
  const snapshotId = snapshot.SnapshotId ?? "";
  return compact({
    ...echoInputs(inputs),
    volumeId: inputs.volumeId,
    snapshotId,
    arn: snapshotArn(region, snapshotId),
    state: snapshotState(snapshot),
    stateMessage: snapshot.StateMessage || undefined,
    progress: parseProgress(snapshot.Progress),
    encrypted: snapshot.Encrypted,
    kmsKeyId: snapshot.KmsKeyId,
    dataEncryptionKeyId: snapshot.DataEncryptionKeyId,
    ownerId: snapshot.OwnerId,
    ownerAlias: snapshot.OwnerAlias,
    volumeSize: snapshot.VolumeSize,
    startTime: snapshot.StartTime?.toISOString(),
    completionTime: snapshot.CompletionTime?.toISOString(),
    storageTier: snapshot.StorageTier,
    productCodes,
    tags: fromEc2Tags(snapshot.Tags),
    region,
  });
}
