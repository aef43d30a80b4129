import type { Snapshot } from "@aws-sdk/client-ec2";
import type { CreationMarker } from "./creationMarker";
import { Deadline } from "./deadline";
import type { Ec2 } from "./ec2";
import { writeLine } from "./log";
import { CREATE_TOKEN_TAG, type TagMap } from "./tags";

/** Extra time, past a deadline, to look for snapshots whose create call the deadline cut off. */
export const RECOVERY_GRACE_MS = 30_000;

/**
 * After the deadline cut a create call off, EC2 may still have acted on it. Looks once more, briefly and
 * past the deadline, for snapshots carrying the request's token, so they can be recorded instead of leaked.
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
 * After a lost response, the snapshots carrying this create's token that were not adopted: ours for
 * certain (the token is random per request) and recorded nowhere. `covered` says whether a stray is a
 * duplicate of an adopted snapshot (and is deleted) or a member the recovery did not see yet (and is kept
 * for the caller to adopt).
 */
export async function sweepStrays(ec2: Ec2, marker: CreationMarker, adopted: ReadonlySet<string>, covered: (stray: Snapshot) => boolean, label: string): Promise<Snapshot[]> {
  const strays = (await ec2.findMarked(marker)).filter((s) => s.SnapshotId !== undefined && !adopted.has(s.SnapshotId));
  const late: Snapshot[] = [];
  for (const stray of strays) {
    if (!covered(stray)) {
      late.push(stray);
      continue;
    }
    await ec2.deleteSnapshot(stray.SnapshotId!);
    writeLine(`${label}: deleted duplicate snapshot ${stray.SnapshotId} of volume ${stray.VolumeId}, left by a request whose answer was lost`);
  }
  return late;
}

/**
 * When all 50 tags are the user's, the create sent 49 and the token: now that the snapshots are ours and
 * recorded, the token makes room for the held-back tag. Returns the tag set, if any.
 */
export async function completeTags(ec2: Ec2, snapshotIds: readonly string[], marker: CreationMarker): Promise<TagMap> {
  if (marker.deferred === undefined) {
    return {};
  }
  await ec2.deleteTags(snapshotIds, [CREATE_TOKEN_TAG]);
  await ec2.createTags(snapshotIds, marker.deferred);
  return marker.deferred;
}
