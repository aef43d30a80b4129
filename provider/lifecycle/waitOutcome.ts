import type { Snapshot } from "@aws-sdk/client-ec2";
import type { Ec2 } from "../ec2/ec2";
import { reportPending } from "../messages/log";
import { SnapshotVanishedError, waitForSnapshots, WaitTimeoutError } from "../scheduling/poller";

/**
 * How waiting for a resource's snapshots ended, as a value: the lifecycle turns it into outputs,
 * partial state or a cleanup in one place (settle.ts), and only there into errors.
 */
export type WaitOutcome =
  /** Every member completed, or the program did not ask to wait. */
  | { kind: "settled"; members: Snapshot[] }
  /** The deadline passed, or the engine cancelled, with members still pending. */
  | { kind: "pending"; members: Snapshot[]; pending: Snapshot[]; timeoutMs: number; timeoutName?: string; cancelled: boolean }
  /** Members ended in `error` (a set stops at the first). */
  | { kind: "failed"; members: Snapshot[]; failed: Snapshot[] }
  /** EC2 stopped listing some members while they were waited on; `members` are the rest. */
  | { kind: "vanished"; members: Snapshot[]; vanished: string[]; error: SnapshotVanishedError };

const isPending = (m: Snapshot): boolean => m.State === undefined || m.State === "pending";

/** Waits for the members with the shared poller (one DescribeSnapshots per round for all of them) when asked to. */
export async function waitForMembers(ec2: Ec2, members: readonly Snapshot[], options: { wait: boolean; createdAt: number; label: string }): Promise<WaitOutcome> {
  const ids = members.map((m) => m.SnapshotId ?? "");
  let latest = new Map(members.map((m) => [m.SnapshotId ?? "", m]));
  const current = (): Snapshot[] => ids.map((id) => latest.get(id)).filter((m): m is Snapshot => m !== undefined);
  if (options.wait && current().some(isPending)) {
    const waitStartedAt = Date.now();
    try {
      const done = await waitForSnapshots(ec2, ids, {
        deadline: ec2.deadline,
        initial: latest,
        createdAt: options.createdAt,
        stopOnError: true,
        onProgress: ({ snapshots, nextPollMs }) => ids.forEach((id) => reportPending(options.label, snapshots.get(id), waitStartedAt, nextPollMs)),
      });
      latest = new Map([...latest, ...done]);
    } catch (error) {
      if (error instanceof WaitTimeoutError) {
        latest = new Map([...latest, ...(error as WaitTimeoutError<Snapshot>).lastSeen]);
        return {
          kind: "pending",
          members: current(),
          pending: current().filter(isPending),
          timeoutMs: error.timeoutMs,
          timeoutName: error.timeoutName,
          cancelled: error.cancelled,
        };
      }
      if (error instanceof SnapshotVanishedError) {
        return { kind: "vanished", members: current().filter((m) => !error.snapshotIds.includes(m.SnapshotId ?? "")), vanished: error.snapshotIds, error };
      }
      throw error;
    }
  }
  const failed = current().filter((m) => m.State === "error");
  return failed.length > 0 ? { kind: "failed", members: current(), failed } : { kind: "settled", members: current() };
}
