import type { LockedSnapshotsInfo, LockSnapshotCommandInput, Snapshot } from "@aws-sdk/client-ec2";
import type { Ec2 } from "../ec2/ec2";
import { containsUnknown } from "../inputs/unknown";
import { lockDays } from "../inputs/validate";
import { ExplainedError, type Explained } from "../messages/failureMessage";

/** The lock a program asks for, resolved: a mode, and either days or an expiry time. */
export interface WantedLock {
  mode: "governance" | "compliance";
  days?: number;
  expiresAt?: string;
  coolOffHours?: number;
}

/** A lock as EC2 last reported it (from the state's outputs or DescribeLockedSnapshots). */
export interface LockRecord {
  state: string;
  expiresOn?: number;
  coolOffEndsOn?: number;
  /** When a duration lock's days started counting; a new duration counts from here too. */
  durationStartedOn?: number;
}

const DAY_MS = 86_400_000;

/** The lock the program asks for; undefined when it gives none (or one still unknown in preview). */
export function wantedLock(value: unknown): WantedLock | undefined {
  if (value === null || typeof value !== "object" || containsUnknown(value)) {
    return undefined;
  }
  const given = value as { mode?: unknown; duration?: unknown; expiresAt?: unknown; coolOffHours?: unknown };
  if (given.mode !== "governance" && given.mode !== "compliance") {
    return undefined;
  }
  const days = typeof given.duration === "string" ? lockDays(given.duration) : undefined;
  return {
    mode: given.mode,
    ...(days !== undefined ? { days } : {}),
    ...(typeof given.expiresAt === "string" ? { expiresAt: given.expiresAt } : {}),
    ...(typeof given.coolOffHours === "number" && given.mode === "compliance" ? { coolOffHours: given.coolOffHours } : {}),
  };
}

function time(value: unknown): number | undefined {
  const ms = value instanceof Date ? value.getTime() : typeof value === "string" ? Date.parse(value) : Number.NaN;
  return Number.isNaN(ms) ? undefined : ms;
}

function record(state: string, expiresOn: number | undefined, coolOffEndsOn: number | undefined, durationStartedOn: number | undefined): LockRecord {
  return {
    state,
    ...(expiresOn !== undefined ? { expiresOn } : {}),
    ...(coolOffEndsOn !== undefined ? { coolOffEndsOn } : {}),
    ...(durationStartedOn !== undefined ? { durationStartedOn } : {}),
  };
}

export function lockRecordOf(info: LockedSnapshotsInfo): LockRecord {
  return record(info.LockState ?? "", time(info.LockExpiresOn), time(info.CoolOffPeriodExpiresOn), time(info.LockDurationStartTime));
}

/** The lock a state recorded (the provider's lock outputs); undefined when it recorded none. */
export function recordedLock(props: Readonly<Record<string, unknown>>): LockRecord | undefined {
  if (typeof props.lockState !== "string" || props.lockState === "") {
    return undefined;
  }
  const expiresOn = time(props.lockExpiresOn);
  // The state has no start of the days; a duration lock's is its end less the days it was given.
  const days = wantedLock(props.lock)?.days;
  const startedOn = expiresOn !== undefined && days !== undefined ? expiresOn - days * DAY_MS : undefined;
  return record(props.lockState, expiresOn, time(props.coolOffPeriodExpiresOn), startedOn);
}

/** The lock's state now: a cool-off or a lock whose time has passed has moved on, whatever was recorded. */
export function currentState(lock: LockRecord, now: number): string {
  if (lock.state !== "expired" && lock.expiresOn !== undefined && lock.expiresOn <= now) {
    return "expired";
  }
  if (lock.state === "compliance-cooloff" && lock.coolOffEndsOn !== undefined && lock.coolOffEndsOn <= now) {
    return "compliance";
  }
  return lock.state;
}

function iso(ms: number | undefined): string {
  return ms === undefined ? "a time EC2 sets once the snapshot completes" : new Date(ms).toISOString();
}

/**
 * When the wanted lock would expire if sent now. A new duration for a locked snapshot counts from when
 * its lock's days started (EC2 keeps that start when a lock is changed), not from now.
 */
function wantedExpiry(wanted: WantedLock, now: number, current?: LockRecord): number | undefined {
  if (wanted.expiresAt !== undefined) {
    return time(wanted.expiresAt);
  }
  return wanted.days !== undefined ? (current?.durationStartedOn ?? now) + wanted.days * DAY_MS : undefined;
}

/**
 * Why EC2 would refuse to change `current` into `wanted` (undefined: unlock), or undefined when it would
 * not. A governance lock, or a compliance lock in its cool-off period, can be changed or removed; after
 * the cool-off a compliance lock can only be extended, in compliance mode.
 */
export function lockChangeRefusal(subject: string, current: LockRecord | undefined, wanted: WantedLock | undefined, now: number): Explained | undefined {
  if (current === undefined) {
    return undefined;
  }
  const state = currentState(current, now);
  if (state !== "compliance") {
    return undefined;
  }
  const until = iso(current.expiresOn);
  const locked = `${subject} is locked in compliance mode until ${until}, and its cool-off period has ended`;
  if (wanted === undefined) {
    return { what: `${locked}: EC2 lets nobody unlock it`, next: `keep \`lock\` in the program; the lock ends at ${until}` };
  }
  if (wanted.mode === "governance") {
    return { what: `${locked}: EC2 cannot turn it into a governance lock`, next: `keep lock.mode "compliance"; the lock can only be extended` };
  }
  const expiry = wantedExpiry(wanted, now, current);
  if (expiry !== undefined && current.expiresOn !== undefined && expiry <= current.expiresOn) {
    return {
      what: `${locked}: EC2 can only extend it, and the new lock would end at ${iso(expiry)}`,
      next: `give lock.duration or lock.expiresAt a later end than ${until}, or keep the current lock`,
    };
  }
  return undefined;
}

/**
 * LockSnapshot's request for a wanted lock; an expiry already past is refused, naming the input. A
 * compliance lock past its cool-off is only extended, and EC2 refuses such a request if it names a
 * cool-off period, so none is sent then.
 */
function lockRequest(snapshotId: string, wanted: WantedLock, now: number, currentState?: string): Omit<LockSnapshotCommandInput, "DryRun"> {
  if (wanted.expiresAt !== undefined && (time(wanted.expiresAt) ?? 0) <= now) {
    throw new ExplainedError(`lock.expiresAt ${wanted.expiresAt} is in the past, so EC2 cannot lock ${snapshotId} until then`, "give a later lock.expiresAt, or a lock.duration");
  }
  return {
    SnapshotId: snapshotId,
    LockMode: wanted.mode,
    ...(wanted.expiresAt !== undefined ? { ExpirationDate: new Date(wanted.expiresAt) } : { LockDuration: wanted.days }),
    ...(wanted.coolOffHours !== undefined && currentState !== "compliance" ? { CoolOffPeriod: wanted.coolOffHours } : {}),
  };
}

/** True when EC2's lock (in `state` now) already is the wanted one, so that sending it again would change nothing (or be refused). */
function alreadyLocked(info: LockedSnapshotsInfo, state: string, wanted: WantedLock): boolean {
  const mode = state === "governance" ? "governance" : state.startsWith("compliance") ? "compliance" : undefined;
  if (mode !== wanted.mode) {
    return false;
  }
  if (wanted.expiresAt !== undefined) {
    return time(info.LockExpiresOn) === time(wanted.expiresAt);
  }
  // Past its cool-off a compliance lock has none to change: the program's coolOffHours no longer matters.
  return info.LockDuration === wanted.days && (state === "compliance" || (info.CoolOffPeriod ?? undefined) === wanted.coolOffHours);
}

const ids = (members: readonly Snapshot[]): string[] => members.map((m) => m.SnapshotId ?? "").filter((id) => id !== "");

/**
 * Gives every member the wanted lock: members already locked so (or whose lock expired, unless
 * `renewExpired`) are left alone, any other change is checked against EC2's rules first (with the
 * locks as EC2 has them now), then sent. Returns each member's lock as EC2 reports it afterwards.
 */
export async function applyLock(
  ec2: Ec2,
  members: readonly Snapshot[],
  wanted: WantedLock,
  options: { known?: ReadonlyMap<string, LockedSnapshotsInfo>; renewExpired?: boolean } = {},
): Promise<Map<string, LockedSnapshotsInfo>> {
  const now = Date.now();
  const current = options.known ?? (await ec2.lockedSnapshots(ids(members)));
  const locks = new Map(current);
  for (const id of ids(members)) {
    const info = current.get(id);
    const record = info !== undefined ? lockRecordOf(info) : undefined;
    const state = record !== undefined ? currentState(record, now) : undefined;
    // A lock that ran its course was what the program asked for: a new one only when the program's lock changes.
    if ((info !== undefined && state !== undefined && alreadyLocked(info, state, wanted)) || (state === "expired" && options.renewExpired !== true)) {
      continue;
    }
    const refusal = lockChangeRefusal(`snapshot ${id}`, record, wanted, now);
    if (refusal !== undefined) {
      throw new ExplainedError(refusal.what, refusal.next);
    }
    locks.set(id, await ec2.lockSnapshot(lockRequest(id, wanted, now, state)));
  }
  return locks;
}

/** Unlocks every member EC2 still has locked (not expired); refused, before any call, when one cannot be. */
export async function removeLock(ec2: Ec2, members: readonly Snapshot[]): Promise<Map<string, LockedSnapshotsInfo>> {
  const now = Date.now();
  const current = await ec2.lockedSnapshots(ids(members));
  const live = [...current].filter(([, info]) => currentState(lockRecordOf(info), now) !== "expired");
  for (const [id, info] of live) {
    const refusal = lockChangeRefusal(`snapshot ${id}`, lockRecordOf(info), undefined, now);
    if (refusal !== undefined) {
      throw new ExplainedError(refusal.what, refusal.next);
    }
  }
  for (const [id] of live) {
    await ec2.unlockSnapshot(id);
    current.delete(id);
  }
  return current;
}

/** One lock as outputs report it; only the fields EC2 gave. */
export function lockFields(info: LockedSnapshotsInfo): Record<string, string> {
  const at = (value: Date | undefined): string | undefined => (value !== undefined ? value.toISOString() : undefined);
  return Object.fromEntries(
    Object.entries({
      lockState: info.LockState,
      lockCreatedOn: at(info.LockCreatedOn),
      lockExpiresOn: at(info.LockExpiresOn),
      coolOffPeriodExpiresOn: at(info.CoolOffPeriodExpiresOn),
    }).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/** The lock outputs of a resource: of its one snapshot, or of the member whose lock ends first. */
export function lockOutputs(locks: ReadonlyMap<string, LockedSnapshotsInfo>): Record<string, string> {
  const [first] = [...locks.values()].sort((a, b) => (time(a.LockExpiresOn) ?? Infinity) - (time(b.LockExpiresOn) ?? Infinity));
  return first === undefined ? {} : lockFields(first);
}

/** What the delete of a locked snapshot tells the user: until when, in which mode, and what they can do. */
export function lockedDeleteFailure(snapshotId: string, info: LockedSnapshotsInfo, code: string): Explained | undefined {
  const lock = lockRecordOf(info);
  const state = currentState(lock, Date.now());
  if (state === "expired" || state === "") {
    return undefined;
  }
  const until = iso(lock.expiresOn);
  const what = `snapshot ${snapshotId} is locked in ${state === "governance" ? "governance" : "compliance"} mode until ${until} (EC2 ${code}), so EC2 will not delete it`;
  if (state === "governance") {
    return {
      what,
      next: `wait until ${until}, or unlock it with the ec2:UnlockSnapshot permission (remove \`lock\` from the program and run \`pulumi up\`, or \`aws ec2 unlock-snapshot --snapshot-id ${snapshotId}\`), then run the delete again`,
    };
  }
  if (state === "compliance-cooloff") {
    return {
      what,
      next: `unlock it before its cool-off period ends at ${iso(lock.coolOffEndsOn)} (remove \`lock\` from the program and run \`pulumi up\`), or wait until ${until}; then run the delete again`,
    };
  }
  return {
    what,
    next: `nobody can unlock a compliance lock after its cool-off: wait until ${until}, then run the delete again (\`pulumi state delete\` stops managing it meanwhile, leaving the snapshot in EC2)`,
  };
}
