import { childElement, childElements, childText, removeChildren, setChildText, xmlElement, type XmlDocument, type XmlElement } from "../xmlTree";
import { Ec2Refusal } from "./ec2Refusal";
import { isoTime, presentFields } from "./ec2QueryAnswer";
import { booleanParam, integerParam, passesFilters, requiredParam, type QueryFilter } from "./ec2QueryParams";
import type { RuleHandle } from "./ruleHandle";
import type { SnapshotHold } from "./snapshotLifecycle";
import { countedHold } from "./countedHold";

/**
 * The EBS Snapshots Archive tier, which moto 5.2.1 lacks (moto 5.2.3 added it): ModifySnapshotTier,
 * RestoreSnapshotTier, DescribeSnapshotTierStatus, StorageTier and RestoreExpiryTime in
 * DescribeSnapshots answers, and CreateVolume refused from an archived snapshot.
 *
 * EC2's documented rules (https://docs.aws.amazon.com/ebs/latest/userguide/snapshot-archive.html and
 * the API reference of the three actions):
 * - Only a `completed` snapshot can be archived. Archiving takes time; here it is `archival-in-progress`
 *   with rising lastTieringProgress over the next `archiveDescribes` DescribeSnapshotTierStatus answers
 *   that include the snapshot (as a ProgressPlan: 3 gives 25, 50, 75), then `archival-completed` in the
 *   `archive` tier. The storage tier stays `standard` while archiving.
 * - A restore takes 24 to 72 hours, so here it stays in progress (still in the `archive` tier) until the
 *   test calls completeRestore. A temporary restore then sits in the `standard` tier until its
 *   restoreExpiryTime; a permanent one for good.
 * - RestoreSnapshotTier on a temporarily restored snapshot modifies the restore: a new
 *   TemporaryRestoreDays counts from now ("the new restore period is effective from the current
 *   date"), PermanentRestore=true makes it permanent. Both take effect at once (no data moves).
 * - An archived snapshot cannot be used (no CreateVolume) until restored.
 *
 * Refusals: IncorrectState for a snapshot whose state or tier forbids the action (the code EC2 uses for
 * a resource in the wrong state); InvalidParameterValue / InvalidParameterCombination / MissingParameter
 * for bad parameters. lastTieringOperationStatusDetail carries the proxy's own wording.
 */

export type StorageTier = "standard" | "archive";
export type TieringOperationStatus =
  "archival-in-progress" | "archival-completed" | "temporary-restore-in-progress" | "temporary-restore-completed" | "permanent-restore-in-progress" | "permanent-restore-completed";

/** How long archiving takes, counted in DescribeSnapshotTierStatus answers that include the snapshot. */
export interface TieringPlan {
  /** Answers that report `archival-in-progress` before the one that reports `archival-completed`; default 2. */
  archiveDescribes: number;
}

/** A snapshot's tiering as DescribeSnapshotTierStatus reports it; times are ISO 8601 strings. */
export interface SnapshotTierView {
  snapshotId: string;
  storageTier: StorageTier;
  lastTieringOperationStatus: TieringOperationStatus;
  lastTieringProgress: number;
  lastTieringStartTime: string;
  archivalCompleteTime?: string;
  restoreExpiryTime?: string;
}

/** A RestoreSnapshotTier request, validated. */
export interface RestoreRequest {
  snapshotId: string;
  /** Days of a temporary restore; undefined for a permanent one. */
  temporaryRestoreDays?: number;
  permanent: boolean;
}

interface Restore {
  startTime: number;
  permanent: boolean;
  days?: number;
}

interface TierRecord {
  snapshotId: string;
  storageTier: StorageTier;
  status: TieringOperationStatus;
  lastTieringStartTime: number;
  lastTieringProgress: number;
  archiveDescribes: number;
  describesSeen: number;
  archivalCompleteTime?: number;
  restore?: Restore;
  restoreExpiryTime?: number;
}

/** What DescribeSnapshotTierStatus reports of a snapshot besides its tiering. */
export interface TieredSnapshot {
  snapshotId: string;
  volumeId?: string;
  /** The snapshot's state as the proxy reports it. */
  status?: string;
  ownerId?: string;
  tagSet?: XmlElement;
}

const DAY_MS = 86_400_000;
const DEFAULT_PLAN: TieringPlan = { archiveDescribes: 2 };
export const TIER_STATUS_FILTERS: readonly string[] = ["snapshot-id", "volume-id", "last-tiering-operation"];

const DETAIL: Readonly<Record<TieringOperationStatus, string>> = {
  "archival-in-progress": "Archiving the snapshot",
  "archival-completed": "The snapshot is archived",
  "temporary-restore-in-progress": "Temporarily restoring the snapshot",
  "temporary-restore-completed": "The snapshot is temporarily restored",
  "permanent-restore-in-progress": "Permanently restoring the snapshot",
  "permanent-restore-completed": "The snapshot is permanently restored",
};

/** ModifySnapshotTier's parameters: the snapshot, and StorageTier, whose only value is `archive`. */
export function archiveRequest(params: Readonly<Record<string, string>>): string {
  const snapshotId = requiredParam(params, "SnapshotId");
  const tier = params["StorageTier"];
  if (tier !== undefined && tier !== "archive") {
    throw new Ec2Refusal("InvalidParameterValue", `Value (${tier}) for parameter StorageTier is invalid. StorageTier must be archive.`);
  }
  return snapshotId;
}

/** RestoreSnapshotTier's parameters: exactly one of TemporaryRestoreDays and PermanentRestore=true. */
export function restoreRequest(params: Readonly<Record<string, string>>): RestoreRequest {
  const snapshotId = requiredParam(params, "SnapshotId");
  const temporaryRestoreDays = integerParam(params, "TemporaryRestoreDays", 1, Number.POSITIVE_INFINITY);
  const permanent = booleanParam(params, "PermanentRestore") === true;
  if (permanent && temporaryRestoreDays !== undefined) {
    throw new Ec2Refusal("InvalidParameterCombination", "Specify either TemporaryRestoreDays or PermanentRestore=true, not both.");
  }
  if (!permanent && temporaryRestoreDays === undefined) {
    throw new Ec2Refusal("InvalidParameterCombination", "Specify either TemporaryRestoreDays (for a temporary restore) or PermanentRestore=true.");
  }
  return { snapshotId, permanent, ...(temporaryRestoreDays !== undefined ? { temporaryRestoreDays } : {}) };
}

function restoring(record: TierRecord): boolean {
  return record.status === "temporary-restore-in-progress" || record.status === "permanent-restore-in-progress";
}

function view(record: TierRecord): SnapshotTierView {
  const tier: SnapshotTierView = {
    snapshotId: record.snapshotId,
    storageTier: record.storageTier,
    lastTieringOperationStatus: record.status,
    lastTieringProgress: record.lastTieringProgress,
    lastTieringStartTime: new Date(record.lastTieringStartTime).toISOString(),
  };
  if (record.archivalCompleteTime !== undefined) {
    tier.archivalCompleteTime = new Date(record.archivalCompleteTime).toISOString();
  }
  if (record.restoreExpiryTime !== undefined) {
    tier.restoreExpiryTime = new Date(record.restoreExpiryTime).toISOString();
  }
  return tier;
}

/** Every snapshot the proxy has archived, with its tiering, plus the plan and holds for archiving. */
export class SnapshotTiers {
  private readonly records = new Map<string, TierRecord>();
  private readonly holds = new Map<string, number>();
  private plans: TieringPlan[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** Archives started from now on take `archiveDescribes` answers; removing the plan restores the previous one. */
  tieringPlan(plan: TieringPlan): RuleHandle {
    if (!Number.isInteger(plan.archiveDescribes) || plan.archiveDescribes < 0) {
      throw new RangeError(`archiveDescribes must be a non-negative integer, got ${plan.archiveDescribes}`);
    }
    const registered = { ...plan };
    this.plans.push(registered);
    return { remove: () => (this.plans = this.plans.filter((entry) => entry !== registered)) };
  }

  /** Keeps the snapshot's archiving in progress (progress frozen) until released; may precede ModifySnapshotTier. */
  holdTiering(snapshotId: string): SnapshotHold {
    return countedHold(this.holds, snapshotId);
  }

  /** ModifySnapshotTier(archive) of a snapshot in `snapshotState` (as the proxy reports it). */
  archive(snapshotId: string, snapshotState: string): { tieringStartTime: string } {
    if (snapshotState !== "completed") {
      throw new Ec2Refusal("IncorrectState", `Snapshot ${snapshotId} is in state ${snapshotState}; only completed snapshots can be archived.`);
    }
    const current = this.settled(snapshotId);
    if (current?.status === "archival-in-progress") {
      throw new Ec2Refusal("IncorrectState", `Snapshot ${snapshotId} is already being archived.`);
    }
    if (current?.storageTier === "archive") {
      throw new Ec2Refusal("IncorrectState", `Snapshot ${snapshotId} is already in the archive tier.`);
    }
    if (current?.status === "temporary-restore-completed") {
      throw new Ec2Refusal(
        "IncorrectState",
        `Snapshot ${snapshotId} is temporarily restored until ${isoTime(current.restoreExpiryTime) ?? "its restore period ends"}; it returns to the archive tier then.`,
      );
    }
    const now = this.now();
    this.records.set(snapshotId, {
      snapshotId,
      storageTier: "standard",
      status: "archival-in-progress",
      lastTieringStartTime: now,
      lastTieringProgress: 0,
      archiveDescribes: (this.plans.at(-1) ?? DEFAULT_PLAN).archiveDescribes,
      describesSeen: 0,
    });
    return { tieringStartTime: new Date(now).toISOString() };
  }

  /** RestoreSnapshotTier: starts a restore of an archived snapshot, or modifies a temporary restore. */
  restore(request: RestoreRequest): { restoreStartTime: string; restoreDuration?: number; isPermanentRestore: boolean } {
    const { snapshotId, permanent, temporaryRestoreDays } = request;
    const record = this.settled(snapshotId);
    const now = this.now();
    if (record?.status === "temporary-restore-completed" && record.storageTier === "standard" && record.restore !== undefined) {
      if (permanent) {
        record.status = "permanent-restore-completed";
        record.restore = { startTime: record.restore.startTime, permanent: true };
        delete record.restoreExpiryTime;
      } else {
        record.restore = { startTime: record.restore.startTime, permanent: false, days: temporaryRestoreDays ?? 1 };
        record.restoreExpiryTime = now + (temporaryRestoreDays ?? 1) * DAY_MS;
      }
      return restoreAnswer(record.restore);
    }
    if (record !== undefined && restoring(record)) {
      throw new Ec2Refusal("IncorrectState", `Snapshot ${snapshotId} is already being restored from the archive tier.`);
    }
    if (record?.status === "archival-in-progress") {
      throw new Ec2Refusal("IncorrectState", `Snapshot ${snapshotId} is still being archived; only archived snapshots can be restored.`);
    }
    if (record === undefined || record.storageTier !== "archive") {
      throw new Ec2Refusal("IncorrectState", `Snapshot ${snapshotId} is in the standard tier; only archived snapshots can be restored.`);
    }
    record.status = permanent ? "permanent-restore-in-progress" : "temporary-restore-in-progress";
    record.lastTieringStartTime = now;
    record.lastTieringProgress = 0;
    record.restore = { startTime: now, permanent, ...(temporaryRestoreDays !== undefined ? { days: temporaryRestoreDays } : {}) };
    delete record.restoreExpiryTime;
    return restoreAnswer(record.restore);
  }

  /** Test control: the restore in progress ends (EC2 takes 24 to 72 hours). */
  completeRestore(snapshotId: string): void {
    const record = this.records.get(snapshotId);
    if (record === undefined || !restoring(record) || record.restore === undefined) {
      throw new Error(`completeRestore: ${snapshotId} has no restore in progress`);
    }
    const now = this.now();
    record.storageTier = "standard";
    record.lastTieringProgress = 100;
    if (record.restore.permanent) {
      record.status = "permanent-restore-completed";
      delete record.restoreExpiryTime;
    } else {
      record.status = "temporary-restore-completed";
      record.restoreExpiryTime = now + (record.restore.days ?? 1) * DAY_MS;
    }
  }

  /** Test control: a temporary restore's period ends now; the snapshot is back in the archive tier. */
  expireRestore(snapshotId: string): void {
    const record = this.settled(snapshotId);
    if (record?.status !== "temporary-restore-completed" || record.storageTier !== "standard") {
      throw new Error(`expireRestore: ${snapshotId} is not temporarily restored`);
    }
    record.storageTier = "archive";
    record.restoreExpiryTime = this.now();
  }

  /** Why CreateVolume from the snapshot must be refused, or undefined when it may go ahead. */
  volumeRefusal(snapshotId: string): Ec2Refusal | undefined {
    if (this.settled(snapshotId)?.storageTier !== "archive") {
      return undefined;
    }
    return new Ec2Refusal("IncorrectState", `Snapshot ${snapshotId} is in the archive tier; restore it with RestoreSnapshotTier before creating a volume from it.`);
  }

  /**
   * DescribeSnapshotTierStatus over `snapshots`: one item per snapshot that passes the filters, each
   * answer advancing the archiving of the snapshots it includes by one step.
   */
  describe(snapshots: readonly TieredSnapshot[], filters: readonly QueryFilter[]): XmlElement[][] {
    return snapshots.flatMap((snapshot): XmlElement[][] => {
      if (!passesFilters(filters, "snapshot-id", snapshot.snapshotId) || !passesFilters(filters, "volume-id", snapshot.volumeId)) {
        return [];
      }
      const current = this.settled(snapshot.snapshotId);
      const next = current === undefined ? undefined : this.archiveStep(current);
      if (!passesFilters(filters, "last-tiering-operation", next?.status)) {
        return [];
      }
      if (next !== undefined) {
        this.records.set(snapshot.snapshotId, next);
      }
      return [tierStatusFields(snapshot, next)];
    });
  }

  tierOf(snapshotId: string): SnapshotTierView | undefined {
    const record = this.settled(snapshotId);
    return record === undefined ? undefined : view(record);
  }

  /** The snapshot is gone (deleted through the proxy). */
  forget(snapshotId: string): void {
    this.records.delete(snapshotId);
    this.holds.delete(snapshotId);
  }

  clear(): void {
    this.records.clear();
    this.holds.clear();
    this.plans = [];
  }

  /** The record, with a temporary restore whose period has passed moved back to the archive tier. */
  private settled(snapshotId: string): TierRecord | undefined {
    const record = this.records.get(snapshotId);
    if (record?.status === "temporary-restore-completed" && record.storageTier === "standard" && record.restoreExpiryTime !== undefined && record.restoreExpiryTime <= this.now()) {
      record.storageTier = "archive";
    }
    return record;
  }

  /** The record after one more DescribeSnapshotTierStatus answer, not yet stored (the filters decide). */
  private archiveStep(record: TierRecord): TierRecord {
    if (record.status !== "archival-in-progress" || (this.holds.get(record.snapshotId) ?? 0) > 0) {
      return record;
    }
    if (record.describesSeen < record.archiveDescribes) {
      const describesSeen = record.describesSeen + 1;
      return { ...record, describesSeen, lastTieringProgress: Math.floor((describesSeen * 100) / (record.archiveDescribes + 1)) };
    }
    return { ...record, status: "archival-completed", storageTier: "archive", lastTieringProgress: 100, archivalCompleteTime: this.now() };
  }
}

function restoreAnswer(restore: Restore): { restoreStartTime: string; restoreDuration?: number; isPermanentRestore: boolean } {
  return {
    restoreStartTime: new Date(restore.startTime).toISOString(),
    ...(restore.days !== undefined ? { restoreDuration: restore.days } : {}),
    isPermanentRestore: restore.permanent,
  };
}

/** One `snapshotTierStatusSet` item, in EC2's order; a snapshot never tiered is `standard` with no tiering fields. */
function tierStatusFields(snapshot: TieredSnapshot, record: TierRecord | undefined): XmlElement[] {
  const head = presentFields([
    ["snapshotId", snapshot.snapshotId],
    ["volumeId", snapshot.volumeId],
    ["status", snapshot.status],
    ["ownerId", snapshot.ownerId],
  ]);
  const tagSet = snapshot.tagSet ?? xmlElement("tagSet");
  const tiering = presentFields([
    ["storageTier", record?.storageTier ?? "standard"],
    ["lastTieringStartTime", isoTime(record?.lastTieringStartTime)],
    ["lastTieringProgress", record?.lastTieringProgress],
    ["lastTieringOperationStatus", record?.status],
    ["lastTieringOperationStatusDetail", record === undefined ? undefined : DETAIL[record.status]],
    ["archivalCompleteTime", isoTime(record?.archivalCompleteTime)],
    ["restoreExpiryTime", isoTime(record?.restoreExpiryTime)],
  ]);
  return [...head, tagSet, ...tiering];
}

/** DescribeSnapshots: StorageTier and RestoreExpiryTime from the tiering, which wins over a per-volume enrichment. */
export function rewriteDescribedTiers(document: XmlDocument, tiers: SnapshotTiers): void {
  const set = childElement(document.root, "snapshotSet");
  for (const item of set === undefined ? [] : childElements(set, "item")) {
    const tier = tiers.tierOf(childText(item, "snapshotId") ?? "");
    if (tier === undefined) {
      continue;
    }
    setChildText(item, "storageTier", tier.storageTier);
    if (tier.restoreExpiryTime !== undefined) {
      setChildText(item, "restoreExpiryTime", tier.restoreExpiryTime);
    } else {
      removeChildren(item, "restoreExpiryTime");
    }
  }
}

/** ModifySnapshotTier's answer elements. */
export function modifySnapshotTierFields(snapshotId: string, answer: { tieringStartTime: string }): XmlElement[] {
  return presentFields([
    ["snapshotId", snapshotId],
    ["tieringStartTime", answer.tieringStartTime],
  ]);
}

/** RestoreSnapshotTier's answer elements. */
export function restoreSnapshotTierFields(snapshotId: string, answer: { restoreStartTime: string; restoreDuration?: number; isPermanentRestore: boolean }): XmlElement[] {
  return presentFields([
    ["snapshotId", snapshotId],
    ["restoreStartTime", answer.restoreStartTime],
    ["restoreDuration", answer.restoreDuration],
    ["isPermanentRestore", answer.isPermanentRestore],
  ]);
}
