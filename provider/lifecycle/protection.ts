import type { LockedSnapshotsInfo, Snapshot, SnapshotTierStatus } from "@aws-sdk/client-ec2";
import type { Ec2 } from "../ec2/ec2";
import { batchedRead } from "../scheduling/readBatch";
import { applyLock, lockFields, lockOutputs, recordedLock, removeLock, wantedLock, type WantedLock } from "./locking";
import { tierOutputs } from "./tiering";

/** What the provider knows of its snapshots' locks and tiers in one hook run, by snapshot id. */
export interface Protection {
  locks: Map<string, LockedSnapshotsInfo>;
  tiers: Map<string, SnapshotTierStatus>;
}

export const unprotected = (): Protection => ({ locks: new Map(), tiers: new Map() });

/**
 * Whether a hook asks EC2 about locks and tiers at all: only for a resource whose program or state has
 * one, so that resources which never use them make no call EC2's older emulators cannot answer.
 */
export function protectionInUse(props: Readonly<Record<string, unknown>>, tiered: boolean): { locks: boolean; tiers: boolean } {
  const tierRecorded = props.storageTier === "archive" || typeof props.lastTieringOperationStatus === "string";
  return {
    locks: wantedLock(props.lock) !== undefined || recordedLock(props) !== undefined,
    tiers: tiered && tierRecorded,
  };
}

/** The members' locks and tiers as EC2 has them now, as far as `use` asks. */
export async function readProtection(ec2: Ec2, snapshotIds: readonly string[], use: { locks: boolean; tiers: boolean }): Promise<Protection> {
  const ids = snapshotIds.filter((id) => id !== "");
  const [locks, tiers] = await Promise.all([
    use.locks ? batchedRead("DescribeLockedSnapshots", (own, batch) => own.lockedSnapshots(batch), ec2, ids) : new Map<string, LockedSnapshotsInfo>(),
    use.tiers ? batchedRead("DescribeSnapshotTierStatus", (own, batch) => own.tierStatuses(batch), ec2, ids) : new Map<string, SnapshotTierStatus>(),
  ]);
  return { locks, tiers };
}

/**
 * A resource's outputs with its locks and tiers: the lock of its one snapshot (for a set, of the member
 * whose lock ends first, with each member's own in `snapshots[]`), and the tier of its one snapshot.
 */
export function withProtection<O extends object>(outputs: O, protection: Protection, tiered: boolean): O {
  const lock = lockOutputs(protection.locks);
  const snapshots = (outputs as { snapshots?: unknown }).snapshots;
  const members = Array.isArray(snapshots)
    ? {
        snapshots: snapshots.map((member: { snapshotId?: string }) => {
          const own = protection.locks.get(member.snapshotId ?? "");
          if (own === undefined) {
            return member;
          }
          const { lockState, lockExpiresOn } = lockFields(own);
          return { ...member, ...(lockState !== undefined ? { lockState } : {}), ...(lockExpiresOn !== undefined ? { lockExpiresOn } : {}) };
        }),
      }
    : {};
  const [tier] = tiered ? [...protection.tiers.values()] : [];
  return { ...outputs, ...lock, ...members, ...tierOutputs(tier) };
}

/**
 * The members' locks after an update: the program's lock applied (an expired one renewed only when the
 * program's lock changed), a lock the program no longer gives removed, or else, when the state had one,
 * the locks as EC2 has them.
 */
export async function locksAfterUpdate(
  ec2: Ec2,
  members: readonly Snapshot[],
  lock: { wanted: WantedLock | undefined; previous: WantedLock | undefined; changed: boolean; inUse: boolean },
): Promise<Map<string, LockedSnapshotsInfo>> {
  if (lock.wanted !== undefined) {
    return applyLock(ec2, members, lock.wanted, { renewExpired: lock.changed });
  }
  if (lock.previous !== undefined) {
    return removeLock(ec2, members);
  }
  return lock.inUse ? ec2.lockedSnapshots(members.map((m) => m.SnapshotId ?? "")) : new Map();
}
