import type { Ec2 } from "../ec2/ec2";
import { snapshotsNamed, type Explained } from "../messages/failureMessage";
import { explainDeleteFailure } from "./deleteFailure";

export interface MemberDeleteFailure {
  id: string;
  why: Explained;
  error: unknown;
}

/**
 * Deletes each snapshot (tolerating ones already gone); returns the ids that remain, each with its reason.
 * `mayBeLocked` (the program or state has a lock) lets a refused delete be explained by the lock.
 */
export async function deleteMembers(ec2: Ec2, ids: readonly string[], mayBeLocked = false): Promise<{ remaining: string[]; errors: MemberDeleteFailure[] }> {
  const results = await Promise.allSettled(ids.map((id) => ec2.deleteSnapshot(id)));
  const remaining: string[] = [];
  const errors: MemberDeleteFailure[] = [];
  for (const [index, result] of results.entries()) {
    if (result.status === "rejected") {
      remaining.push(ids[index]);
      errors.push({ id: ids[index], why: await explainDeleteFailure(ec2, ids[index], result.reason, mayBeLocked), error: result.reason });
    }
  }
  return { remaining, errors };
}

/**
 * The failed deletes of several snapshots as one: those that failed alike share one clause naming all
 * their ids ("DeleteSnapshot snap-1, snap-2 failed: EC2 UnauthorizedOperation: …"), and each distinct
 * next step is said once.
 */
export function joinedFailures(failures: readonly MemberDeleteFailure[]): Explained {
  const groups = new Map<string, string[]>();
  for (const { id, why } of failures) {
    const shape = why.what.replace(`snapshot ${id}`, "\u0000").replace(id, "\u0001");
    groups.set(shape, [...(groups.get(shape) ?? []), id]);
  }
  const what = [...groups].map(([shape, ids]) => shape.replace("\u0000", snapshotsNamed(ids)).replace("\u0001", ids.join(", ")).replace(/\.$/, "")).join("; ");
  const nexts = [...new Set(failures.map(({ why }) => why.next).filter((n): n is string => n !== undefined))];
  return { what, ...(nexts.length > 0 ? { next: nexts.join("; ") } : {}) };
}
