import { xmlElement, type XmlDocument, type XmlElement } from "../xmlTree";
import { ec2ErrorBody } from "./ec2ErrorResponse";
import { ec2AnswerBody, itemSet } from "./ec2QueryAnswer";
import { filterParams, isDryRun, listParam, passesFilters, requiredParam } from "./ec2QueryParams";
import { Ec2Refusal, dryRunSucceeded, snapshotNotFound } from "./ec2Refusal";
import type { MotoSnapshot, MotoSnapshots } from "./motoSnapshots";
import { ReportedSnapshotStates, statesInAnswer } from "./reportedSnapshotStates";
import { SnapshotLocks, lockRequest, lockSnapshotFields, lockedSnapshotFields } from "./snapshotLocks";
import { SnapshotTiers, TIER_STATUS_FILTERS, archiveRequest, modifySnapshotTierFields, restoreRequest, restoreSnapshotTierFields, rewriteDescribedTiers } from "./snapshotTiers";

/** The actions the proxy answers itself: moto 5.2.1 would answer them "not implemented". */
export const SUPPLIED_ACTIONS: ReadonlySet<string> = new Set([
  "LockSnapshot",
  "UnlockSnapshot",
  "DescribeLockedSnapshots",
  "ModifySnapshotTier",
  "RestoreSnapshotTier",
  "DescribeSnapshotTierStatus",
]);

// moto's default account, for a lock on a snapshot whose owner moto did not say.
const DEFAULT_OWNER_ID = "123456789012";

/** The proxy's own answer: a body with its status, and for a relayed action it refused, a request-log label. */
export interface SuppliedAnswer {
  status: number;
  body: string;
  label?: string;
}

type Params = Readonly<Record<string, string>>;

/**
 * Snapshot Lock and the archive tier, glued to the traffic: answers the supplied actions, refuses a
 * DeleteSnapshot of a locked snapshot and a CreateVolume from an archived one before they reach moto,
 * and learns from the answers that pass through (snapshot states, deletions).
 */
export class SuppliedActions {
  readonly locks: SnapshotLocks;
  readonly tiers: SnapshotTiers;
  private readonly states = new ReportedSnapshotStates();

  constructor(private readonly now: () => number = Date.now) {
    this.locks = new SnapshotLocks(now);
    this.tiers = new SnapshotTiers(now);
  }

  /** The proxy's answer to the request, or undefined when it goes on to moto. */
  async answer(action: string, params: Params, moto: MotoSnapshots): Promise<SuppliedAnswer | undefined> {
    try {
      return await this.dispatch(action, params, moto);
    } catch (error) {
      if (error instanceof Ec2Refusal) {
        const relayed = !SUPPLIED_ACTIONS.has(action);
        return { status: error.status, body: ec2ErrorBody(error.code, error.message), ...(relayed ? { label: `refused:${error.code}` } : {}) };
      }
      throw error;
    }
  }

  /** Learns from a successful answer moto gave, after the proxy's rewrite and before it is sent. */
  observe(action: string, params: Params, document: XmlDocument | undefined): void {
    if (action === "DeleteSnapshot") {
      const snapshotId = params["SnapshotId"] ?? "";
      this.locks.forget(snapshotId);
      this.tiers.forget(snapshotId);
      this.states.forget(snapshotId);
      return;
    }
    if (document === undefined) {
      return;
    }
    for (const { snapshotId, state } of statesInAnswer(action, document)) {
      this.states.report(snapshotId, state);
      this.locks.snapshotReported(snapshotId, state);
    }
    if (action === "DescribeSnapshots") {
      rewriteDescribedTiers(document, this.tiers);
    }
  }

  clear(): void {
    this.locks.clear();
    this.tiers.clear();
    this.states.clear();
  }

  private async dispatch(action: string, params: Params, moto: MotoSnapshots): Promise<SuppliedAnswer | undefined> {
    switch (action) {
      case "LockSnapshot": {
        const request = lockRequest(params, this.now());
        dryRun(params);
        const snapshot = await this.existing(moto, request.snapshotId);
        const lock = this.locks.lock(request, { state: this.stateOf(snapshot), ownerId: snapshot.ownerId ?? DEFAULT_OWNER_ID });
        return ok(action, lockSnapshotFields(lock));
      }
      case "UnlockSnapshot": {
        const snapshotId = requiredParam(params, "SnapshotId");
        dryRun(params);
        await this.existing(moto, snapshotId);
        this.locks.unlock(snapshotId);
        return ok(action, [xmlElement("snapshotId", snapshotId)]);
      }
      case "DescribeLockedSnapshots": {
        const filters = filterParams(params, ["lock-state"]);
        dryRun(params);
        const locks = this.locks.describe(listParam(params, "SnapshotId"), (lock) => passesFilters(filters, "lock-state", lock.state));
        return ok(action, [itemSet("snapshotSet", locks.map(lockedSnapshotFields))]);
      }
      case "ModifySnapshotTier": {
        const snapshotId = archiveRequest(params);
        dryRun(params);
        const snapshot = await this.existing(moto, snapshotId);
        return ok(action, modifySnapshotTierFields(snapshotId, this.tiers.archive(snapshotId, this.stateOf(snapshot))));
      }
      case "RestoreSnapshotTier": {
        const request = restoreRequest(params);
        dryRun(params);
        await this.existing(moto, request.snapshotId);
        return ok(action, restoreSnapshotTierFields(request.snapshotId, this.tiers.restore(request)));
      }
      case "DescribeSnapshotTierStatus": {
        const filters = filterParams(params, TIER_STATUS_FILTERS);
        dryRun(params);
        const snapshots = (await moto.all()).map((snapshot) => ({ ...snapshot, status: this.stateOf(snapshot) }));
        return ok(action, [itemSet("snapshotTierStatusSet", this.tiers.describe(snapshots, filters))]);
      }
      case "DeleteSnapshot": {
        const refusal = this.locks.deleteRefusal(params["SnapshotId"] ?? "");
        if (refusal !== undefined) {
          throw refusal;
        }
        return undefined;
      }
      case "CreateVolume": {
        const snapshotId = params["SnapshotId"];
        const refusal = snapshotId === undefined ? undefined : this.tiers.volumeRefusal(snapshotId);
        if (refusal !== undefined) {
          throw refusal;
        }
        return undefined;
      }
      default:
        return undefined;
    }
  }

  private async existing(moto: MotoSnapshots, snapshotId: string): Promise<MotoSnapshot> {
    const snapshot = await moto.one(snapshotId);
    if (snapshot === undefined) {
      throw snapshotNotFound(snapshotId);
    }
    return snapshot;
  }

  /** The state the proxy last reported for the snapshot, else moto's. */
  private stateOf(snapshot: MotoSnapshot): string {
    return this.states.stateOf(snapshot.snapshotId) ?? snapshot.status ?? "completed";
  }
}

function dryRun(params: Params): void {
  if (isDryRun(params)) {
    throw dryRunSucceeded();
  }
}

function ok(action: string, fields: readonly XmlElement[]): SuppliedAnswer {
  return { status: 200, body: ec2AnswerBody(action, fields) };
}
