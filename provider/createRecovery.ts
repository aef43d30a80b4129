import type { Snapshot } from "@aws-sdk/client-ec2";
import type { CreationMarker } from "./creationMarker";
import { Deadline } from "./deadline";
import type { Ec2 } from "./ec2";
import { writeLine } from "./log";

/** Extra time, past a deadline, to look for snapshots whose create call the deadline cut off. */
export const RECOVERY_GRACE_MS = 30_000;

/**
 * After the deadline cut a create call off, EC2 may still have acted on it. Looks once more, briefly and
 * past the deadline, for snapshots carrying the request's marker, so they can be recorded instead of leaked.
 */
export async function findAfterTimeout(ec2: Ec2, marker: CreationMarker, what: string): Promise<Snapshot[]> {
  const grace = Deadline.after(RECOVERY_GRACE_MS, `search for the snapshots of ${what} after its create timed out`);
  try {
    return await ec2.withDeadline(grace).findMarked(marker);
  } catch {
    return [];
  } finally {
    grace.dispose();
  }
}

/**
 * After a lost response, deletes the snapshots that carry this create's token but were not adopted:
 * they are ours for certain (the token is random per request) and recorded nowhere.
 */
export async function removeStrays(ec2: Ec2, marker: CreationMarker, keep: ReadonlySet<string>, label: string): Promise<void> {
  if (marker.token === undefined) {
    return;
  }
  const strays = (await ec2.findMarked(marker)).filter((s) => s.SnapshotId !== undefined && !keep.has(s.SnapshotId));
  for (const stray of strays) {
    await ec2.deleteSnapshot(stray.SnapshotId!);
    writeLine(`${label}: deleted duplicate snapshot ${stray.SnapshotId} left by a request whose answer was lost`);
  }
}
