import { Deadline, DeadlineExceededError } from "./deadline";
import type { Ec2 } from "../ec2/ec2";
import { classifyError, imageIdFromInUse } from "../ec2/errors";
import { isExplained, whatOf, type Explained } from "../messages/failureMessage";
import { RECOVERY_GRACE_MS } from "./createRecovery";
import { lockedDeleteFailure } from "./locking";

/**
 * Turns a failed delete into what happened and what to do. When the delete ran out of time because an
 * AMI uses the snapshot (EC2 InvalidSnapshot.InUse), it names the AMI: from EC2's message, or failing
 * that from DescribeImages.
 */
export async function explainDeleteFailure(ec2: Ec2, snapshotId: string, error: unknown, mayBeLocked = false): Promise<Explained> {
  const last = error instanceof DeadlineExceededError ? error.lastError : error;
  const failure = classifyError(last);
  if (failure.kind === "fatal" && mayBeLocked) {
    const locked = await lockOf(ec2, snapshotId, failure.code);
    if (locked !== undefined) {
      return locked;
    }
  }
  if (failure.kind !== "inUse") {
    const next = isExplained(error) ? error.next : undefined;
    return { what: whatOf(error), ...(next !== undefined ? { next } : {}) };
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
  return {
    what: `snapshot ${snapshotId} cannot be deleted because ${images.length > 0 ? `AMI ${images.join(", ")}` : "an AMI"} uses it (EC2 InvalidSnapshot.InUse)`,
    next: `deregister ${images.length > 0 ? images.join(", ") : "the AMI"} first, then run the delete again`,
  };
}

/**
 * When EC2 refused the delete because the snapshot is locked, what the lock is and what to do; EC2's
 * reference names no error code for it, so the lock itself is asked (best effort, within a short grace).
 */
async function lockOf(ec2: Ec2, snapshotId: string, code: string): Promise<Explained | undefined> {
  const grace = Deadline.after(RECOVERY_GRACE_MS, `lookup of the lock on ${snapshotId}`);
  try {
    const info = (await ec2.withDeadline(grace).lockedSnapshots([snapshotId])).get(snapshotId);
    return info !== undefined ? lockedDeleteFailure(snapshotId, info, code) : undefined;
  } catch {
    return undefined;
  } finally {
    grace.dispose();
  }
}
