import type { Snapshot } from "@aws-sdk/client-ec2";
import { compact, echoInputs, snapshotFacts } from "../../lifecycle/outputs";
import type { ProductCode, SnapshotInputs, SnapshotOutputs } from "../../types";

/**
 * The state of a Snapshot resource, from the inputs it was given and what EC2 reports. A read with no
 * inputs at all (`pulumi import` of a snapshot made elsewhere; volumeId is otherwise required) takes the
 * volume and a description from EC2, so that the code import prints declares them.
 */
export function snapshotOutputs(inputs: SnapshotInputs, snapshot: Snapshot, region: string, productCodes: ProductCode[]): SnapshotOutputs {
  const imported = inputs.volumeId === undefined;
  return compact({
    ...echoInputs(inputs),
    volumeId: inputs.volumeId ?? snapshot.VolumeId ?? "",
    ...(imported && snapshot.Description ? { description: snapshot.Description } : {}),
    ...snapshotFacts(snapshot, region, productCodes),
  });
}
