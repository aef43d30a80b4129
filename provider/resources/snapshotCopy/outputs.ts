import type { Snapshot } from "@aws-sdk/client-ec2";
import { compact, echoInputs, snapshotFacts } from "../../lifecycle/outputs";
import type { ProductCode, SnapshotCopyInputs, SnapshotCopyOutputs } from "../../types";

/**
 * The state of a SnapshotCopy. `kmsKeyId` keeps the key as given when one was (EC2 reports its ARN,
 * which would otherwise read as a change of an alias or key id on every diff); `sourceRegion` is the
 * resolved one.
 */
export function snapshotCopyOutputs(inputs: SnapshotCopyInputs, snapshot: Snapshot, region: string, productCodes: ProductCode[]): SnapshotCopyOutputs {
  const facts = snapshotFacts(snapshot, region, productCodes);
  return compact({
    ...echoInputs(inputs),
    ...facts,
    sourceRegion: inputs.sourceRegion ?? region,
    kmsKeyId: inputs.kmsKeyId ?? facts.kmsKeyId,
    transferType: snapshot.TransferType,
  });
}
