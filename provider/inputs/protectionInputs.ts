/**
 * The inputs and outputs that protect a snapshot once it exists: EBS Snapshot Lock (every resource) and
 * the archive tier (the resources of one snapshot), declared once.
 */
import { enumType, objectType, t } from "./spec";

export const LOCK_MODE = enumType({
  name: "LockMode",
  description: "How firmly a snapshot is locked against deletion.",
  values: [
    {
      value: "governance",
      doc: "Nobody can delete the snapshot until the lock expires, but a user with `ec2:UnlockSnapshot` can unlock it or change the lock at any time.",
    },
    {
      value: "compliance",
      doc: "Nobody can delete or unlock the snapshot until the lock expires, not even the account's root user; after the cool-off period the lock can only be extended.",
    },
  ],
});

export const LOCK = objectType({
  name: "Lock",
  description: "An EBS Snapshot Lock: the snapshot cannot be deleted until the lock expires.",
  properties: {
    mode: { type: t.enum(LOCK_MODE), required: true, doc: "`governance` or `compliance`." },
    duration: {
      type: t.string,
      doc: 'How long the lock lasts, in whole days such as "30d" (1 to 36500). For a snapshot still pending, EC2 starts counting when it completes. Give this or `expiresAt`.',
    },
    expiresAt: { type: t.string, doc: "When the lock expires, an ISO 8601 time such as `2027-06-30T00:00:00Z`. Give this or `duration`." },
    coolOffHours: {
      type: t.integer,
      doc: "Compliance mode only: 1 to 72 hours after locking during which the lock can still be changed or removed. Without it, a compliance lock is final at once.",
    },
  },
});

export const STORAGE_TIER = enumType({
  name: "StorageTier",
  description: "Where EC2 keeps a snapshot.",
  values: [
    { value: "standard", doc: "The standard tier: the snapshot is incremental and can create volumes at once." },
    {
      value: "archive",
      doc: "The archive tier: a full copy of the snapshot at a lower price per GiB, billed for at least 90 days; it must be restored (24 to 72 hours) before it can create volumes.",
    },
  ],
});

export const RESTORE = objectType({
  name: "Restore",
  description: "How an archived snapshot is brought back to the standard tier.",
  properties: {
    temporaryDays: { type: t.integer, doc: "Restore for this many days (1 to 180); EC2 then returns the snapshot to the archive by itself." },
    permanent: { type: t.boolean, doc: "Restore for good (the default when `restore` is left out)." },
  },
});

const LOCK_DOC =
  "Locks the snapshots against deletion with EBS Snapshot Lock, as soon as EC2 has accepted them (while still `pending`). Updated in place, within EC2's rules: a governance lock can be extended, shortened or removed; a compliance lock can be changed or removed only during its cool-off period, and after it only extended. A change EC2 would refuse is refused at preview, from the state. Left out, a lock the resource never managed is left alone; removing `lock` unlocks.";

/** The `lock` input, as every resource declares it. */
export const lockInput = { type: t.object(LOCK), change: "update", absent: {}, rule: "lock", doc: LOCK_DOC } as const;

/** What every resource reports of its lock (for a set, of the member whose lock expires first). */
export function lockOutputSpecs() {
  return {
    lock: { echo: true, doc: "The lock asked for, as given." },
    lockState: {
      type: t.string,
      doc: "EC2's lock state: `governance`, `compliance-cooloff` (compliance, still in its cool-off period), `compliance` or `expired`. Absent when not locked.",
    },
    lockCreatedOn: { type: t.string, doc: "ISO 8601 time the lock was put on." },
    lockExpiresOn: { type: t.string, doc: "ISO 8601 time the lock expires. For a duration lock on a snapshot still pending, EC2 knows it only once the snapshot completes." },
    coolOffPeriodExpiresOn: { type: t.string, doc: "ISO 8601 time the compliance lock's cool-off period ends, after which the lock can only be extended." },
  } as const;
}

/** The archive-tier inputs of a resource of one snapshot. */
export const tierInputs = {
  storageTier: {
    type: t.enum(STORAGE_TIER),
    change: "update",
    rule: "storageTier",
    doc: "`archive` moves the snapshot to the archive tier once it is `completed`, waiting for the archiving within `timeouts`; `standard` restores an archived snapshot (see `restore`), without waiting, since a restore takes 24 to 72 hours. Updated in place. Left out, the tier is left as it is. An archived snapshot is a full copy billed for at least 90 days, and cannot create volumes until restored.",
  },
  restore: {
    type: t.object(RESTORE),
    change: "update",
    absent: {},
    rule: "restore",
    doc: 'How `storageTier: "standard"` restores an archived snapshot: `temporaryDays` (1 to 180), or `permanent: true` (the default). Changing `temporaryDays` while a temporary restore is in place changes its period. Updated in place.',
  },
} as const;

/** What the resources of one snapshot report of its tier, from DescribeSnapshotTierStatus. */
export function tierOutputSpecs() {
  return {
    restore: { echo: true, doc: "The restore asked for, as given." },
    lastTieringOperationStatus: {
      type: t.string,
      doc: "EC2's status of the last archive or restore, such as `archival-in-progress`, `archival-completed`, `temporary-restore-in-progress` or `permanent-restore-completed`.",
    },
    lastTieringProgress: { type: t.integer, doc: "Percent done of the last archive or restore." },
    archivalCompleteTime: { type: t.string, doc: "ISO 8601 time the snapshot's archiving completed; the 90-day minimum billing counts from here." },
    restoreExpiryTime: { type: t.string, doc: "ISO 8601 time a temporary restore ends and the snapshot returns to the archive." },
  } as const;
}
