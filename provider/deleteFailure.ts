import { Deadline, DeadlineExceededError } from "./deadline";
import type { Ec2 } from "./ec2";
import { classifyError, imageIdFromInUse } from "./ec2Errors";
import { RECOVERY_GRACE_MS } from "./createRecovery";

/**
 * Turns a failed delete into a message a person can act on. When the delete ran out of time because an
 * AMI uses the snapshot (EC2 InvalidSnapshot.InUse), it names the AMI: from EC2's message, or failing
 * that from DescribeImages.
 */
export async function explainDeleteFailure(ec2: Ec2, snapshotId: string, error: unknown): Promise<string> {
  const last = error instanceof DeadlineExceededError ? error.lastError : error;
  if (classifyError(last).kind !== "inUse") {
    return error instanceof Error ? error.message : String(error);
  }
  let images = [imageIdFromInUse(last)].filter((id): id is string => id !== undefined);
  if (images.length === 0) {
    const grace = Deadline.after(RECOVERY_GRACE_MS, `lookup of the AMI using ${snapshotId}`);
    try {
      images = await ec2.withDeadline(grace).imagesUsing(snapshotId);
    } finally {
      grace.dispose();
    }
  }
  const which = images.length > 0 ? `AMI ${images.join(", ")}` : "an AMI";
  return (
    `snapshot ${snapshotId} cannot be deleted because ${which} uses it (EC2 InvalidSnapshot.InUse). ` +
    `Deregister ${images.length > 0 ? "that AMI" : "the AMI"} first, then run the delete again`
  );
}
