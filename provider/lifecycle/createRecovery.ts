import type { Snapshot } from "@aws-sdk/client-ec2";
import { recordingCalls, type CreationMarker } from "./creationMarker";
import { Deadline, lastFailureOf, type DeadlineExceededError } from "./deadline";
import type { Ec2 } from "../ec2/ec2";
import { describeFailure, failureText, OUTCOME, whatOf } from "../messages/failureMessage";
import { writeLine } from "../messages/log";
import { PartialStateError } from "./partialState";
import { CREATE_TOKEN_TAG, type TagMap } from "../inputs/tags";

/** Extra time, past a deadline, to look for snapshots whose create call the deadline cut off. */
export const RECOVERY_GRACE_MS = 30_000;

/** What the search after a timed-out create saw: the snapshots it found, or why it could not look. */
type SearchAfterTimeout = { found: Snapshot[] } | { found: []; failure: string };

/**
 * After the deadline cut a create call off, EC2 may still have acted on it. Looks once more, briefly and
 * past the deadline, for snapshots carrying the request's token, so they can be recorded instead of leaked.
 */
async function findAfterTimeout(ec2: Ec2, marker: CreationMarker): Promise<SearchAfterTimeout> {
  const grace = Deadline.after(RECOVERY_GRACE_MS, "the search for the snapshots of a create that timed out");
  try {
    return { found: await ec2.withDeadline(grace).findMarked(marker) };
  } catch (error) {
    const { code, httpStatus } = lastFailureOf(error);
    return { found: [], failure: httpStatus !== undefined ? `EC2 ${code}` : code };
  } finally {
    grace.dispose();
  }
}

/**
 * The outcome and advice of a create cut off by its deadline, for what the search found: recorded
 * snapshots, none, or no answer (then the next `pulumi up`'s search for interrupted creates looks again).
 */
function afterTimeoutOutcome(search: SearchAfterTimeout, resumable: boolean): { outcome: string; next?: string } {
  if (search.found.length > 0) {
    return {
      outcome: OUTCOME.recorded(search.found.map((s) => s.SnapshotId ?? "")),
      next: "run `pulumi up` again to resume waiting, or raise timeouts.create to wait longer in one run",
    };
  }
  if (!("failure" in search)) {
    return { outcome: OUTCOME.nothingFound };
  }
  return {
    outcome: OUTCOME.couldNotLook(search.failure),
    next: resumable
      ? "run `pulumi up` again: it looks once more and resumes any snapshot this create made"
      : `look for snapshots tagged ${CREATE_TOKEN_TAG} on the volumes in the EC2 console and delete any this create made, then run \`pulumi up\` again`,
  };
}

/**
 * Fails a create that its deadline cut off, after one more look for what the call may have made: found
 * snapshots become partial state (`record` gives the resource's id and outputs for them), so they are
 * recorded instead of leaked; otherwise the failure says what the search saw.
 */
export async function failAfterTimeout(
  ec2: Ec2,
  marker: CreationMarker,
  label: string,
  error: DeadlineExceededError,
  record: (found: Snapshot[]) => { id: string; properties: object },
): Promise<never> {
  const search = await findAfterTimeout(ec2, marker);
  const { outcome, next } = afterTimeoutOutcome(search, marker.token !== marker.id);
  // The deadline's own advice (raise the timeout) fits unless the search says better.
  const message = next === undefined ? describeFailure(label, error, outcome, "run `pulumi up` again") : failureText(label, whatOf(error), outcome, next);
  if (search.found.length > 0) {
    const { id, properties } = record(search.found);
    throw new PartialStateError(id, properties, message);
  }
  throw new Error(message, { cause: error });
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

/** Marks the create's snapshots as recorded (see creationMarker.ts); returns the tag set in place of the token, if any. */
export async function markRecorded(ec2: Ec2, snapshotIds: readonly string[], marker: CreationMarker): Promise<TagMap> {
  const calls = recordingCalls(marker);
  await ec2.deleteTags(snapshotIds, calls.remove);
  await ec2.createTags(snapshotIds, calls.set);
  return calls.held;
}

/**
 * Partial state is about to record the snapshots: mark them so, briefly and past the hook's deadline,
 * which may be what ended the create. If this fails the snapshots keep their in-flight token until the
 * next update marks them; the partial state is reported either way.
 */
export async function markRecordedBestEffort(ec2: Ec2, snapshotIds: readonly string[], marker: CreationMarker): Promise<void> {
  if (marker.token === marker.id || snapshotIds.length === 0) {
    return;
  }
  const grace = Deadline.after(RECOVERY_GRACE_MS, `marking snapshots ${snapshotIds.join(", ")} as recorded`);
  try {
    await ec2.withDeadline(grace).createTags(snapshotIds, { [CREATE_TOKEN_TAG]: marker.id });
  } catch {
    // The next update marks them (recordedToken); nothing is lost meanwhile.
  } finally {
    grace.dispose();
  }
}

/** Runs the rest of a create whose snapshots exist; partial state it reports marks them recorded first. */
export async function markedOnFailure<T>(ec2: Ec2, snapshotIds: () => readonly string[], marker: CreationMarker, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PartialStateError) {
      await markRecordedBestEffort(ec2, snapshotIds(), marker);
    }
    throw error;
  }
}
