import type { XmlElement } from "../xmlTree";
import { Ec2Refusal } from "./ec2Refusal";
import { isoTime, presentFields } from "./ec2QueryAnswer";
import { integerParam, requiredParam, timestampParam } from "./ec2QueryParams";

/**
 * EC2 Snapshot Lock, which no moto version implements: LockSnapshot (create or modify a lock),
 * UnlockSnapshot, DescribeLockedSnapshots, and DeleteSnapshot refused while a lock holds.
 *
 * The rules are EC2's documented ones
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_LockSnapshot.html and
 * https://docs.aws.amazon.com/ebs/latest/userguide/snapshot-lock-concepts.html):
 * - Only a `pending` or `completed` snapshot can be locked.
 * - Exactly one of LockDuration (1–36,500 days) or ExpirationDate (in the future); CoolOffPeriod
 *   (1–72 hours) in compliance mode only.
 * - "If you lock a snapshot that is in the pending state, the lock duration starts only once the
 *   snapshot enters the completed state": until the proxy reports the snapshot completed, a duration
 *   lock has no lockDurationStartTime and no lockExpiresOn.
 * - Modifying a lock: in governance mode, and in compliance mode during the cooling-off period, any
 *   change is allowed; in compliance mode after it, only a longer LockDuration or a later
 *   ExpirationDate, and a CoolOffPeriod in such a request fails.
 * - A lock in governance mode or in its cooling-off period can be removed; a compliance lock past its
 *   cooling-off period cannot. No lock but an expired one allows DeleteSnapshot.
 *
 * A modified lock keeps its lockCreatedOn and its lockDurationStartTime: EC2 speaks of increasing the
 * lock duration, which compares durations from one start. An expired lock protects nothing, so locking
 * the snapshot again starts a new lock.
 *
 * EC2's reference does not document the error codes of these refusals; the codes are the proxy's
 * choice, picked from the codes the provider's classifier fails on at once (NOTES.md), while the rule
 * each one enforces is EC2's documented one:
 * - a compliance lock past its cooling-off period modified other than by extending it: InvalidParameterValue
 * - CoolOffPeriod when extending such a lock: InvalidParameterCombination ("the request fails")
 * - UnlockSnapshot of such a lock: UnsupportedOperation
 * - UnlockSnapshot of a snapshot that has no lock: InvalidParameterValue
 * - DeleteSnapshot of a snapshot whose lock has not expired: SnapshotLocked
 */

export type LockMode = "governance" | "compliance";
export type LockState = "governance" | "compliance-cooloff" | "compliance" | "expired";

/** A snapshot's lock as DescribeLockedSnapshots reports it; times are ISO 8601 strings. */
export interface SnapshotLockView {
  snapshotId: string;
  ownerId: string;
  mode: LockMode;
  state: LockState;
  lockCreatedOn: string;
  /** Days; only for a lock made with LockDuration. */
  lockDuration?: number;
  /** Hours; only for a compliance lock made with a cooling-off period. */
  coolOffPeriod?: number;
  coolOffPeriodExpiresOn?: string;
  /** Absent while a duration lock waits for its pending snapshot to complete. */
  lockDurationStartTime?: string;
  lockExpiresOn?: string;
}

/** A LockSnapshot request, validated. */
export interface LockRequest {
  snapshotId: string;
  mode: LockMode;
  lockDuration?: number;
  /** Epoch milliseconds. */
  expirationDate?: number;
  coolOffPeriod?: number;
}

interface LockRecord {
  snapshotId: string;
  ownerId: string;
  mode: LockMode;
  lockCreatedOn: number;
  lockDuration?: number;
  expirationDate?: number;
  coolOffPeriod?: number;
  coolOffPeriodExpiresOn?: number;
  lockDurationStartTime?: number;
  lockExpiresOn?: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const LOCK_MODES: readonly LockMode[] = ["governance", "compliance"];

/** LockSnapshot's parameters, checked as EC2 documents them; `now` judges "in the future". */
export function lockRequest(params: Readonly<Record<string, string>>, now: number): LockRequest {
  const snapshotId = requiredParam(params, "SnapshotId");
  const modeText = requiredParam(params, "LockMode");
  const mode = LOCK_MODES.find((candidate) => candidate === modeText);
  if (mode === undefined) {
    throw new Ec2Refusal("InvalidParameterValue", `Value (${modeText}) for parameter LockMode is invalid. LockMode must be governance or compliance.`);
  }
  const coolOffPeriod = integerParam(params, "CoolOffPeriod", 1, 72);
  if (coolOffPeriod !== undefined && mode === "governance") {
    throw new Ec2Refusal("InvalidParameterCombination", "CoolOffPeriod applies to compliance mode only; omit it when LockMode is governance.");
  }
  const lockDuration = integerParam(params, "LockDuration", 1, 36_500);
  const expirationDate = timestampParam(params, "ExpirationDate");
  if (lockDuration !== undefined && expirationDate !== undefined) {
    throw new Ec2Refusal("InvalidParameterCombination", "Specify either LockDuration or ExpirationDate, not both.");
  }
  if (lockDuration === undefined && expirationDate === undefined) {
    throw new Ec2Refusal("MissingParameter", "The request must contain either the parameter LockDuration or the parameter ExpirationDate.");
  }
  if (expirationDate !== undefined && expirationDate <= now) {
    throw new Ec2Refusal("InvalidParameterValue", `Value (${params["ExpirationDate"]}) for parameter ExpirationDate is invalid. ExpirationDate must be in the future.`);
  }
  return {
    snapshotId,
    mode,
    ...(lockDuration !== undefined ? { lockDuration } : {}),
    ...(expirationDate !== undefined ? { expirationDate } : {}),
    ...(coolOffPeriod !== undefined ? { coolOffPeriod } : {}),
  };
}

function lockState(record: LockRecord, now: number): LockState {
  if (record.lockExpiresOn !== undefined && now >= record.lockExpiresOn) {
    return "expired";
  }
  if (record.mode === "governance") {
    return "governance";
  }
  return record.coolOffPeriodExpiresOn !== undefined && now < record.coolOffPeriodExpiresOn ? "compliance-cooloff" : "compliance";
}

function expiryText(record: LockRecord): string {
  return record.lockExpiresOn !== undefined ? new Date(record.lockExpiresOn).toISOString() : `${record.lockDuration ?? 0} days after the snapshot completes`;
}

function askedText(request: LockRequest): string {
  return request.lockDuration !== undefined ? `LockDuration ${request.lockDuration} days` : `ExpirationDate ${isoTime(request.expirationDate) ?? ""}`;
}

/**
 * The lock a LockSnapshot request leaves, given the live lock it modifies (if any). `keepCoolOff`: a
 * compliance lock past its cooling-off period being extended keeps the record of that period.
 */
function lockedRecord(request: LockRequest, previous: LockRecord | undefined, keepCoolOff: boolean, snapshot: LockedSnapshot, now: number): LockRecord {
  const lockDurationStartTime = previous?.lockDurationStartTime ?? (snapshot.state === "completed" ? now : undefined);
  const coolOff =
    request.coolOffPeriod !== undefined
      ? { coolOffPeriod: request.coolOffPeriod, coolOffPeriodExpiresOn: now + request.coolOffPeriod * HOUR_MS }
      : keepCoolOff
        ? { coolOffPeriod: previous?.coolOffPeriod, coolOffPeriodExpiresOn: previous?.coolOffPeriodExpiresOn }
        : {};
  const durationEnd = lockDurationStartTime !== undefined && request.lockDuration !== undefined ? lockDurationStartTime + request.lockDuration * DAY_MS : undefined;
  return {
    snapshotId: request.snapshotId,
    ownerId: snapshot.ownerId,
    mode: request.mode,
    lockCreatedOn: previous?.lockCreatedOn ?? now,
    lockDuration: request.lockDuration,
    expirationDate: request.expirationDate,
    ...coolOff,
    lockDurationStartTime,
    lockExpiresOn: request.expirationDate ?? durationEnd,
  };
}

/** Whether `candidate` provably ends later than `previous`. */
function extendsLock(previous: LockRecord, candidate: LockRecord): boolean {
  if (previous.lockExpiresOn !== undefined && candidate.lockExpiresOn !== undefined) {
    return candidate.lockExpiresOn > previous.lockExpiresOn;
  }
  // The duration has not started (the snapshot is pending): only a longer duration provably ends later.
  return previous.lockExpiresOn === undefined && previous.lockDuration !== undefined && candidate.lockDuration !== undefined && candidate.lockDuration > previous.lockDuration;
}

/** EC2's rule for a compliance lock past its cooling-off period: only extending it, in compliance mode, without a new cooling-off period. */
function extensionRefusal(previous: LockRecord, request: LockRequest, candidate: LockRecord): Ec2Refusal | undefined {
  const locked = `The snapshot ${previous.snapshotId} is locked in compliance mode until ${expiryText(previous)} and its cooling-off period has lapsed`;
  if (request.coolOffPeriod !== undefined) {
    return new Ec2Refusal("InvalidParameterCombination", `${locked}; omit CoolOffPeriod when extending the lock.`);
  }
  if (request.mode !== "compliance") {
    return new Ec2Refusal("InvalidParameterValue", `${locked}; LockMode cannot be changed to ${request.mode}.`);
  }
  if (!extendsLock(previous, candidate)) {
    return new Ec2Refusal("InvalidParameterValue", `${locked}; the lock can only be extended, and ${askedText(request)} does not extend it.`);
  }
  return undefined;
}

function view(record: LockRecord, now: number): SnapshotLockView {
  const lock: SnapshotLockView = {
    snapshotId: record.snapshotId,
    ownerId: record.ownerId,
    mode: record.mode,
    state: lockState(record, now),
    lockCreatedOn: new Date(record.lockCreatedOn).toISOString(),
  };
  if (record.lockDuration !== undefined) {
    lock.lockDuration = record.lockDuration;
  }
  if (record.coolOffPeriod !== undefined && record.coolOffPeriodExpiresOn !== undefined) {
    lock.coolOffPeriod = record.coolOffPeriod;
    lock.coolOffPeriodExpiresOn = new Date(record.coolOffPeriodExpiresOn).toISOString();
  }
  if (record.lockDurationStartTime !== undefined) {
    lock.lockDurationStartTime = new Date(record.lockDurationStartTime).toISOString();
  }
  if (record.lockExpiresOn !== undefined) {
    lock.lockExpiresOn = new Date(record.lockExpiresOn).toISOString();
  }
  return lock;
}

/** What LockSnapshot needs to know of the snapshot: its state as the proxy reports it, and its owner. */
export interface LockedSnapshot {
  state: string;
  ownerId: string;
}

/** Every lock the proxy holds, by snapshot id. */
export class SnapshotLocks {
  private readonly locks = new Map<string, LockRecord>();

  constructor(private readonly now: () => number = Date.now) {}

  /** LockSnapshot: creates or modifies the snapshot's lock, or refuses as EC2 would. */
  lock(request: LockRequest, snapshot: LockedSnapshot): SnapshotLockView {
    if (snapshot.state !== "pending" && snapshot.state !== "completed") {
      throw new Ec2Refusal("IncorrectState", `The snapshot ${request.snapshotId} is in state ${snapshot.state}; only pending or completed snapshots can be locked.`);
    }
    const now = this.now();
    const current = this.locks.get(request.snapshotId);
    const currentState = current === undefined ? undefined : lockState(current, now);
    const previous = currentState === "expired" ? undefined : current;
    const candidate = lockedRecord(request, previous, currentState === "compliance" && request.mode === "compliance", snapshot, now);
    if (previous !== undefined && currentState === "compliance") {
      const refusal = extensionRefusal(previous, request, candidate);
      if (refusal !== undefined) {
        throw refusal;
      }
    }
    if (candidate.lockExpiresOn !== undefined && candidate.lockExpiresOn <= now) {
      throw new Ec2Refusal(
        "InvalidParameterValue",
        `Value (${request.lockDuration ?? ""}) for parameter LockDuration is invalid. Counted from the lock duration start ${isoTime(candidate.lockDurationStartTime) ?? ""}, it has already ended.`,
      );
    }
    this.locks.set(request.snapshotId, candidate);
    return view(candidate, now);
  }

  /** UnlockSnapshot: removes a lock in governance mode or in its cooling-off period (an expired lock too). */
  unlock(snapshotId: string): void {
    const record = this.locks.get(snapshotId);
    if (record === undefined) {
      throw new Ec2Refusal("InvalidParameterValue", `The snapshot ${snapshotId} is not locked.`);
    }
    if (lockState(record, this.now()) === "compliance") {
      throw new Ec2Refusal(
        "UnsupportedOperation",
        `The snapshot ${snapshotId} is locked in compliance mode until ${expiryText(record)} and its cooling-off period has lapsed; it cannot be unlocked.`,
      );
    }
    this.locks.delete(snapshotId);
  }

  /** DescribeLockedSnapshots: the locks (expired ones included) of the named snapshots, or of all; snapshots without a lock are left out. */
  describe(snapshotIds: readonly string[], keep: (view: SnapshotLockView) => boolean): SnapshotLockView[] {
    const now = this.now();
    return [...this.locks.values()]
      .filter((record) => snapshotIds.length === 0 || snapshotIds.includes(record.snapshotId))
      .map((record) => view(record, now))
      .filter(keep);
  }

  /** Why DeleteSnapshot must be refused, or undefined when no lock (or only an expired one) holds. */
  deleteRefusal(snapshotId: string): Ec2Refusal | undefined {
    const record = this.locks.get(snapshotId);
    if (record === undefined || lockState(record, this.now()) === "expired") {
      return undefined;
    }
    return new Ec2Refusal("SnapshotLocked", `The snapshot ${snapshotId} is locked in ${record.mode} mode until ${expiryText(record)} and cannot be deleted.`);
  }

  /** The proxy answered the snapshot in `state`: a duration lock waiting for completion starts now. */
  snapshotReported(snapshotId: string, state: string): void {
    const record = this.locks.get(snapshotId);
    if (record === undefined || state !== "completed" || record.lockDurationStartTime !== undefined) {
      return;
    }
    const now = this.now();
    record.lockDurationStartTime = now;
    if (record.lockExpiresOn === undefined && record.lockDuration !== undefined) {
      record.lockExpiresOn = now + record.lockDuration * DAY_MS;
    }
  }

  /** Test control: the cooling-off period of a compliance lock lapses now. */
  endCoolOff(snapshotId: string): void {
    const record = this.live(snapshotId, "endCoolOff");
    const now = this.now();
    if (lockState(record, now) !== "compliance-cooloff") {
      throw new Error(`endCoolOff: the lock of ${snapshotId} is ${lockState(record, now)}, not in a cooling-off period`);
    }
    record.coolOffPeriodExpiresOn = now;
  }

  /** Test control: the lock expires now. */
  expireLock(snapshotId: string): void {
    this.live(snapshotId, "expireLock").lockExpiresOn = this.now();
  }

  lockOf(snapshotId: string): SnapshotLockView | undefined {
    const record = this.locks.get(snapshotId);
    return record === undefined ? undefined : view(record, this.now());
  }

  /** The snapshot is gone (deleted through the proxy). */
  forget(snapshotId: string): void {
    this.locks.delete(snapshotId);
  }

  clear(): void {
    this.locks.clear();
  }

  private live(snapshotId: string, control: string): LockRecord {
    const record = this.locks.get(snapshotId);
    if (record === undefined || lockState(record, this.now()) === "expired") {
      throw new Error(`${control}: ${snapshotId} has no live lock`);
    }
    return record;
  }
}

/** LockSnapshot's answer elements, in EC2's order. */
export function lockSnapshotFields(lock: SnapshotLockView): XmlElement[] {
  return presentFields([
    ["snapshotId", lock.snapshotId],
    ["lockState", lock.state],
    ["lockDuration", lock.lockDuration],
    ["coolOffPeriod", lock.coolOffPeriod],
    ["coolOffPeriodExpiresOn", lock.coolOffPeriodExpiresOn],
    ["lockCreatedOn", lock.lockCreatedOn],
    ["lockExpiresOn", lock.lockExpiresOn],
    ["lockDurationStartTime", lock.lockDurationStartTime],
  ]);
}

/** One `snapshotSet` item of DescribeLockedSnapshots (a LockedSnapshotsInfo), in EC2's order. */
export function lockedSnapshotFields(lock: SnapshotLockView): XmlElement[] {
  return presentFields([
    ["ownerId", lock.ownerId],
    ["snapshotId", lock.snapshotId],
    ["lockState", lock.state],
    ["lockDuration", lock.lockDuration],
    ["coolOffPeriod", lock.coolOffPeriod],
    ["coolOffPeriodExpiresOn", lock.coolOffPeriodExpiresOn],
    ["lockCreatedOn", lock.lockCreatedOn],
    ["lockDurationStartTime", lock.lockDurationStartTime],
    ["lockExpiresOn", lock.lockExpiresOn],
  ]);
}
