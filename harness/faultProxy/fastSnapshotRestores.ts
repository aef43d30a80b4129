import { xmlElement, type XmlElement } from "../xmlTree";
import { itemSet, presentFields } from "./ec2QueryAnswer";
import { listParam, passesFilters, type QueryFilter } from "./ec2QueryParams";
import { Ec2Refusal } from "./ec2Refusal";
import type { RuleHandle } from "./ruleHandle";
import type { SnapshotHold } from "./snapshotLifecycle";
import { countedHold } from "./countedHold";

/**
 * Fast snapshot restore (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-fast-snapshot-restore.html),
 * which no moto version has: EnableFastSnapshotRestores, DisableFastSnapshotRestores and
 * DescribeFastSnapshotRestores, per snapshot and Availability Zone.
 *
 * EC2's documented states: enabling → optimizing → enabled, and disabling → disabled. Here:
 * - Enabling takes `enablingDescribes` DescribeFastSnapshotRestores answers that include the pair
 *   (default 2): the last of them reports `optimizing`, the ones before `enabling`, the next `enabled`.
 *   The Enable answer itself reports `enabling`. A hold keeps a snapshot's pairs `enabling`.
 * - The Disable answer reports `disabling`, the next answer `disabling`, the one after `disabled`; then
 *   the pair leaves the listing.
 * - Enabling a pair that is enabling, optimizing or enabled changes nothing and answers its state, as
 *   does disabling a pair that is disabling. Disabling a pair that has no fast snapshot restore answers
 *   it successful and `disabled` (EC2 does not document this answer; the proxy treats it as done).
 * - stateTransitionReason is `Client.UserInitiated` for enabling and disabling, and
 *   `Client.UserInitiated - Lifecycle state transition` for the states that follow, as EC2 documents.
 */

export type FastRestoreState = "enabling" | "optimizing" | "enabled" | "disabling" | "disabled";

export interface FastRestorePlan {
  /** DescribeFastSnapshotRestores answers that report `enabling`/`optimizing` before `enabled`; default 2. */
  enablingDescribes?: number;
}

/** One pair as DescribeFastSnapshotRestores reports it; times are ISO 8601 strings. */
export interface FastRestoreView {
  snapshotId: string;
  availabilityZone: string;
  state: FastRestoreState;
  stateTransitionReason: string;
  ownerId: string;
  enablingTime?: string;
  optimizingTime?: string;
  enabledTime?: string;
  disablingTime?: string;
  disabledTime?: string;
}

/** One pair of an Enable or Disable request the proxy received (answered successfully or not). */
export interface FastRestoreAction {
  action: "enable" | "disable";
  snapshotId: string;
  availabilityZone: string;
}

/** A pair EC2 could not act on: the unsuccessful item's zone and error. */
export interface FastRestoreFailure {
  snapshotId: string;
  availabilityZone: string;
  code: string;
  message: string;
}

export const FAST_RESTORE_FILTERS: readonly string[] = ["snapshot-id", "availability-zone", "state", "owner-id"];

interface PairRecord {
  snapshotId: string;
  availabilityZone: string;
  ownerId: string;
  state: FastRestoreState;
  enablingDescribes: number;
  describesSeen: number;
  enablingTime?: number;
  optimizingTime?: number;
  enabledTime?: number;
  disablingTime?: number;
  disabledTime?: number;
}

const DEFAULT_PLAN = { enablingDescribes: 2 };
const USER_INITIATED = "Client.UserInitiated";
const LIFECYCLE_TRANSITION = "Client.UserInitiated - Lifecycle state transition";
// How long before `enableFastRestoreOutside` someone else is taken to have enabled the pair.
const OUTSIDE_ENABLED_AGO_MS = 3_600_000;

function key(snapshotId: string, availabilityZone: string): string {
  return `${snapshotId} ${availabilityZone}`;
}

function view(record: PairRecord): FastRestoreView {
  const fastRestore: FastRestoreView = {
    snapshotId: record.snapshotId,
    availabilityZone: record.availabilityZone,
    state: record.state,
    stateTransitionReason: record.state === "enabling" || record.state === "disabling" ? USER_INITIATED : LIFECYCLE_TRANSITION,
    ownerId: record.ownerId,
  };
  const times: Array<[keyof FastRestoreView & `${string}Time`, number | undefined]> = [
    ["enablingTime", record.enablingTime],
    ["optimizingTime", record.optimizingTime],
    ["enabledTime", record.enabledTime],
    ["disablingTime", record.disablingTime],
    ["disabledTime", record.disabledTime],
  ];
  for (const [name, time] of times) {
    if (time !== undefined) {
      fastRestore[name] = new Date(time).toISOString();
    }
  }
  return fastRestore;
}

/** Enable/Disable's parameters: the snapshots and the zones, each pair of the two lists. */
export function fastRestoreRequest(params: Readonly<Record<string, string>>): { snapshotIds: string[]; availabilityZones: string[] } {
  const snapshotIds = listParam(params, "SourceSnapshotId");
  const availabilityZones = listParam(params, "AvailabilityZone");
  if (snapshotIds.length === 0) {
    throw new Ec2Refusal("MissingParameter", "The request must contain the parameter SourceSnapshotId");
  }
  if (availabilityZones.length === 0) {
    // EC2 also takes AvailabilityZoneId.N; the proxy knows zones by name only and says so.
    const byId = listParam(params, "AvailabilityZoneId").length > 0;
    throw new Ec2Refusal(
      byId ? "InvalidParameterValue" : "MissingParameter",
      byId ? "The fault proxy supports AvailabilityZone.N only, not AvailabilityZoneId.N" : "The request must contain the parameter AvailabilityZone",
    );
  }
  return { snapshotIds, availabilityZones };
}

export class FastSnapshotRestores {
  private readonly records = new Map<string, PairRecord>();
  private readonly holds = new Map<string, number>();
  private readonly requested: FastRestoreAction[] = [];
  private plans: Array<{ enablingDescribes: number }> = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** Enables from now on take `enablingDescribes` answers; removing the plan restores the previous one. */
  fastRestorePlan(plan: FastRestorePlan = {}): RuleHandle {
    const enablingDescribes = plan.enablingDescribes ?? DEFAULT_PLAN.enablingDescribes;
    if (!Number.isInteger(enablingDescribes) || enablingDescribes < 0) {
      throw new RangeError(`enablingDescribes must be a non-negative integer, got ${enablingDescribes}`);
    }
    const registered = { enablingDescribes };
    this.plans.push(registered);
    return { remove: () => (this.plans = this.plans.filter((entry) => entry !== registered)) };
  }

  /** Keeps the snapshot's pairs (now and later enabled) `enabling` until released. */
  holdEnabling(snapshotId: string): SnapshotHold {
    return countedHold(this.holds, snapshotId);
  }

  /** Records one pair of a request, whatever its outcome, for `history()`. */
  requestedPair(action: FastRestoreAction): void {
    this.requested.push({ ...action });
  }

  /** EnableFastSnapshotRestores of one pair whose snapshot exists. */
  enable(snapshotId: string, availabilityZone: string, ownerId: string): FastRestoreView {
    const current = this.records.get(key(snapshotId, availabilityZone));
    if (current !== undefined && (current.state === "enabling" || current.state === "optimizing" || current.state === "enabled")) {
      return view(current);
    }
    const record: PairRecord = {
      snapshotId,
      availabilityZone,
      ownerId,
      state: "enabling",
      enablingDescribes: (this.plans.at(-1) ?? DEFAULT_PLAN).enablingDescribes,
      describesSeen: 0,
      enablingTime: this.now(),
    };
    this.records.set(key(snapshotId, availabilityZone), record);
    return view(record);
  }

  /** DisableFastSnapshotRestores of one pair whose snapshot exists. */
  disable(snapshotId: string, availabilityZone: string, ownerId: string): FastRestoreView {
    const record = this.records.get(key(snapshotId, availabilityZone));
    if (record === undefined || record.state === "disabled") {
      const now = this.now();
      return view({ snapshotId, availabilityZone, ownerId, state: "disabled", enablingDescribes: 0, describesSeen: 0, disablingTime: now, disabledTime: now });
    }
    if (record.state !== "disabling") {
      record.state = "disabling";
      record.describesSeen = 0;
      record.disablingTime = this.now();
    }
    return view(record);
  }

  /** Test control: the pair is `enabled` as if someone else had enabled it an hour ago; not in `history()`. */
  enableOutside(snapshotId: string, availabilityZone: string, ownerId: string): void {
    const since = this.now() - OUTSIDE_ENABLED_AGO_MS;
    this.records.set(key(snapshotId, availabilityZone), {
      snapshotId,
      availabilityZone,
      ownerId,
      state: "enabled",
      enablingDescribes: 0,
      describesSeen: 0,
      enablingTime: since,
      optimizingTime: since,
      enabledTime: since,
    });
  }

  /**
   * DescribeFastSnapshotRestores: one item per listed pair that passes the filters (judged on its state
   * in this answer), each answer moving the pairs it includes one step.
   */
  describe(filters: readonly QueryFilter[]): XmlElement[][] {
    const items: XmlElement[][] = [];
    for (const [pairKey, record] of [...this.records.entries()]) {
      if (!passesFilters(filters, "snapshot-id", record.snapshotId) || !passesFilters(filters, "availability-zone", record.availabilityZone)) {
        continue;
      }
      if (!passesFilters(filters, "owner-id", record.ownerId)) {
        continue;
      }
      const next = this.step(record);
      if (next === undefined) {
        // A `disabled` pair is listed in one answer, then gone.
        this.records.delete(pairKey);
        continue;
      }
      if (!passesFilters(filters, "state", next.state)) {
        continue;
      }
      this.records.set(pairKey, next);
      items.push(fastRestoreFields(view(next)));
    }
    return items;
  }

  /** The pair as the proxy reports it now (no step taken), or undefined when it is not listed. */
  fastRestoreOf(snapshotId: string, availabilityZone: string): FastRestoreView | undefined {
    const record = this.records.get(key(snapshotId, availabilityZone));
    return record === undefined ? undefined : view(record);
  }

  /** Whether volumes created now from the snapshot in the zone are fast restored. */
  enabledFor(snapshotId: string, availabilityZone: string | undefined): boolean {
    return availabilityZone !== undefined && this.records.get(key(snapshotId, availabilityZone))?.state === "enabled";
  }

  history(): FastRestoreAction[] {
    return this.requested.map((action) => ({ ...action }));
  }

  /** The snapshot is gone (deleted through the proxy): so are its fast snapshot restores. */
  forgetSnapshot(snapshotId: string): void {
    for (const [pairKey, record] of [...this.records.entries()]) {
      if (record.snapshotId === snapshotId) {
        this.records.delete(pairKey);
      }
    }
  }

  clear(): void {
    this.records.clear();
    this.holds.clear();
    this.requested.length = 0;
    this.plans = [];
  }

  /** The record after one more answer that includes it, not yet stored (the filters decide); undefined once it leaves the listing. */
  private step(record: PairRecord): PairRecord | undefined {
    const now = this.now();
    switch (record.state) {
      case "enabling":
      case "optimizing": {
        if ((this.holds.get(record.snapshotId) ?? 0) > 0) {
          return record;
        }
        if (record.describesSeen < record.enablingDescribes) {
          const describesSeen = record.describesSeen + 1;
          if (describesSeen < record.enablingDescribes) {
            return { ...record, describesSeen, state: "enabling" };
          }
          return { ...record, describesSeen, state: "optimizing", optimizingTime: record.optimizingTime ?? now };
        }
        return { ...record, state: "enabled", optimizingTime: record.optimizingTime ?? now, enabledTime: now };
      }
      case "enabled":
        return record;
      case "disabling":
        if (record.describesSeen < 1) {
          return { ...record, describesSeen: record.describesSeen + 1 };
        }
        return { ...record, state: "disabled", disabledTime: now };
      case "disabled":
        return undefined;
    }
  }
}

/** One successful item (Enable, Disable and Describe share its shape), in EC2's order. */
export function fastRestoreFields(fastRestore: FastRestoreView): XmlElement[] {
  return presentFields([
    ["snapshotId", fastRestore.snapshotId],
    ["availabilityZone", fastRestore.availabilityZone],
    ["state", fastRestore.state],
    ["stateTransitionReason", fastRestore.stateTransitionReason],
    ["ownerId", fastRestore.ownerId],
    ["enablingTime", fastRestore.enablingTime],
    ["optimizingTime", fastRestore.optimizingTime],
    ["enabledTime", fastRestore.enabledTime],
    ["disablingTime", fastRestore.disablingTime],
    ["disabledTime", fastRestore.disabledTime],
  ]);
}

/** Enable/Disable's answer: `successful` items, and `unsuccessful` ones grouped by snapshot, each zone with its error. */
export function fastRestoreAnswerFields(successful: readonly FastRestoreView[], failures: readonly FastRestoreFailure[]): XmlElement[] {
  const failedSnapshots = [...new Set(failures.map((failure) => failure.snapshotId))];
  const unsuccessful = failedSnapshots.map((snapshotId): XmlElement[] => [
    xmlElement("snapshotId", snapshotId),
    itemSet(
      "fastSnapshotRestoreStateErrorSet",
      failures
        .filter((failure) => failure.snapshotId === snapshotId)
        .map((failure): XmlElement[] => [
          xmlElement("availabilityZone", failure.availabilityZone),
          { name: "error", attributes: [], selfClosing: false, children: [xmlElement("code", failure.code), xmlElement("message", failure.message)] },
        ]),
    ),
  ]);
  return [itemSet("unsuccessful", unsuccessful), itemSet("successful", successful.map(fastRestoreFields))];
}
