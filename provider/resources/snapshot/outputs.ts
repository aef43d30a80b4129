import type { Snapshot } from "@aws-sdk/client-ec2";
import { compact, echoInputs, snapshotFacts } from "../../lifecycle/outputs";
import type { ProductCode, SnapshotInputs, SnapshotOutputs } from "../../types";

/** The state of a Snapshot resource, from the inputs it was given and what EC2 reports. */
export function snapshotOutputs(inputs: SnapshotInputs, snapshot: Snapshot, region: string, productCodes: ProductCode[]): SnapshotOutputs {
  return compact({ ...echoInputs(inputs), volumeId: inputs.volumeId, ...snapshotFacts(snapshot, region, productCodes) });
}
