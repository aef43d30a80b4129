import type { DescribeFastSnapshotRestoreSuccessItem, Snapshot, SnapshotTierStatus, Volume, VolumeModification } from "@aws-sdk/client-ec2";
import { Deadline, DeadlineExceededError } from "../lifecycle/deadline";
import { IDS_PER_FILTER, type Ec2 } from "../ec2/ec2";
import { CREATE_TOKEN_TAG } from "../inputs/tags";
import { classifyError } from "../ec2/errors";
import { ExplainedError, snapshotsNamed } from "../messages/failureMessage";
import { predictCompletion, type Observation } from "./pollSchedule";
import { formatDuration } from "../inputs/duration";
import { writeLine } from "../messages/log";
import { sleep } from "./sleep";
import { processRegistry } from "../runtime/processState";
import { boundToCall } from "../runtime/callContext";

/** What a wait reports after each poll in which something changed. */
export interface WaitProgress<T = Snapshot> {
  snapshots: ReadonlyMap<string, T>;
  /** Milliseconds until the next poll of this wait. */
  nextPollMs: number;
}

export interface WaitOptions<T = Snapshot> {
  deadline: Deadline;
  /** Snapshots as last known (for instance from the create call); ids without one are polled at once. */
  initial?: ReadonlyMap<string, T>;
  /** When the snapshots were created; until the visibility grace has passed, a missing id is not yet visible rather than gone. */
  createdAt?: number;
  /** Stop as soon as any snapshot is in `error` (a set fails as a whole). */
  stopOnError?: boolean;
  onProgress?: (progress: WaitProgress<T>) => void;
}

/** A snapshot that EC2 stopped listing while it was being waited on. */
export class SnapshotVanishedError extends ExplainedError {
  override readonly name = "SnapshotVanishedError";
  constructor(
    readonly snapshotIds: string[],
    readonly lastSeen: ReadonlyMap<string, Snapshot>,
  ) {
    super(
      `${snapshotsNamed(snapshotIds)} disappeared while being waited on (deleted outside Pulumi, or by EC2 after an error)`,
      `run \`pulumi refresh\` to drop ${snapshotIds.length === 1 ? "it" : "them"} from the state, then \`pulumi up\` to take a new one`,
    );
  }
}

/** A wait that ran out of time; carries the snapshots as last seen, for partial state. */
export class WaitTimeoutError<T = Snapshot> extends DeadlineExceededError {
  constructor(
    deadline: Deadline,
    readonly lastSeen: ReadonlyMap<string, T>,
  ) {
    super(deadline.operation, deadline.timeoutMs, undefined, deadline.timeoutName, deadline.cancelled);
  }
}

/** What the waits of a group know of an id, for a round that cannot name every id. */
interface Known<T> {
  lastSeen(id: string): T | undefined;
  /** True once a round's answer listed the id (so that EC2 lists it: missing now, it has left the listing). */
  listed(id: string): boolean;
  /** When the id's wait began. */
  createdAt(id: string): number;
  intervalMs: number;
}

/**
 * What one kind of wait polls: the snapshots' state (DescribeSnapshots), or their archive-tier status
 * (DescribeSnapshotTierStatus). Each kind has its own shared round per region.
 */
interface Probe<T> {
  readonly name: string;
  /** `known` says what the waits know of each id, for a lookup that cannot name every id. */
  describe(ec2: Ec2, ids: readonly string[], known: Known<T>): Promise<Map<string, T>>;
  done(item: T | undefined): boolean;
  /** Changes when the item moved on, so that a wait reports only polls in which something changed. */
  fingerprint(item: T): string;
  progress(item: T): number | undefined;
  startedAt(item: T): number | undefined;
  failed(item: T | undefined): boolean;
  vanished(ids: string[], latest: ReadonlyMap<string, T>): Error;
}

const TERMINAL = new Set(["completed", "error", "recoverable", "recovering"]);

const SNAPSHOTS: Probe<Snapshot> = {
  name: "DescribeSnapshots",
  describe: (ec2, ids, known) => (ids.length <= IDS_PER_FILTER ? ec2.describeSnapshots(ids) : inFlight(ec2, ids, known)),
  // CreateSnapshots answers without State; such a snapshot is pending.
  done: (snapshot) => snapshot?.State !== undefined && TERMINAL.has(snapshot.State),
  fingerprint: (snapshot) => `${snapshot.State}/${snapshot.Progress}`,
  progress: (snapshot) => {
    const progress = Number.parseFloat(snapshot.Progress ?? "");
    return Number.isFinite(progress) ? progress : undefined;
  },
  startedAt: (snapshot) => snapshot.StartTime?.getTime(),
  failed: (snapshot) => snapshot?.State === "error",
  vanished: (ids, latest) => new SnapshotVanishedError(ids, latest),
};

/**
 * More snapshots pending than one filter may name (EC2 takes 200 values): rather than one call per 200,
 * one call for every pending or failed snapshot of the account that carries the provider's create
 * token (bounded by what is in flight, EC2 allowing 5 pending per volume). A snapshot seen pending that
 * has left that answer has completed; one deleted meanwhile shows only when the create marks it recorded
 * (CreateTags on it fails) or at the next refresh. One never listed is not inferred: EC2 may not list a
 * new snapshot yet, so it is named in a call of its own once two intervals have passed.
 */
async function inFlight(ec2: Ec2, ids: readonly string[], known: Known<Snapshot>): Promise<Map<string, Snapshot>> {
  const wanted = new Set(ids);
  const found = new Map<string, Snapshot>();
  const filters = [
    { Name: "status", Values: ["pending", "error"] },
    { Name: "tag-key", Values: [CREATE_TOKEN_TAG] },
  ];
  for (const snapshot of await ec2.findSnapshots(filters, `${ids.length} pending snapshots`)) {
    if (snapshot.SnapshotId !== undefined && wanted.has(snapshot.SnapshotId)) {
      found.set(snapshot.SnapshotId, snapshot);
    }
  }
  const unlisted: string[] = [];
  const now = Date.now();
  for (const id of ids.filter((i) => !found.has(i))) {
    const seen = known.lastSeen(id);
    if (known.listed(id) && seen !== undefined) {
      found.set(id, { ...seen, State: "completed", Progress: "100%" });
    } else if (now - known.createdAt(id) > 2 * known.intervalMs) {
      // Never listed for two rounds: not a new snapshot EC2 does not list yet, but one that completed
      // before any round saw it pending, or is gone. Only such ids are named, in one more call.
      unlisted.push(id);
    }
  }
  if (unlisted.length > 0) {
    for (const [id, snapshot] of await ec2.describeSnapshots(unlisted.slice(0, IDS_PER_FILTER))) {
      found.set(id, snapshot);
    }
  }
  return found;
}

/** Tiering statuses that are still moving: an archive the provider waits for. */
const TIERING = new Set(["archival-in-progress"]);

const TIER_STATUSES: Probe<SnapshotTierStatus> = {
  name: "DescribeSnapshotTierStatus",
  describe: (ec2, ids) => ec2.tierStatuses(ids),
  done: (status) => status !== undefined && !TIERING.has(status.LastTieringOperationStatus ?? ""),
  fingerprint: (status) => `${status.LastTieringOperationStatus}/${status.LastTieringProgress}`,
  progress: (status) => status.LastTieringProgress,
  startedAt: (status) => status.LastTieringStartTime?.getTime(),
  failed: (status) => status?.LastTieringOperationStatus?.endsWith("-failed") === true,
  vanished: (ids) => new SnapshotVanishedError(ids, new Map()),
};

/** A volume that EC2 stopped listing while it was being waited on. */
export class VolumeVanishedError extends ExplainedError {
  override readonly name = "VolumeVanishedError";
  constructor(readonly volumeIds: string[]) {
    super(
      `${volumeIds.length === 1 ? `volume ${volumeIds[0]}` : `volumes ${volumeIds.join(", ")}`} disappeared while being waited on (deleted outside Pulumi, or by EC2 after an error)`,
      "run `pulumi refresh`, then `pulumi up` to restore the set again",
    );
  }
}

const MOVING_VOLUME = new Set(["creating", "deleting"]);
const MOVING_ATTACHMENT = new Set(["attaching", "detaching"]);

/**
 * Volumes being made, attached or detached: a volume is done once neither it nor any attachment of it
 * is moving. One round serves every restore of the region, as for snapshots.
 */
const VOLUMES: Probe<Volume> = {
  name: "DescribeVolumes",
  describe: (ec2, ids) => ec2.volumesById(ids),
  done: (volume) => volume?.State !== undefined && !MOVING_VOLUME.has(volume.State) && !(volume.Attachments ?? []).some((a) => MOVING_ATTACHMENT.has(a.State ?? "")),
  fingerprint: (volume) => `${volume.State}/${(volume.Attachments ?? []).map((a) => `${a.InstanceId}:${a.State}`).join(",")}`,
  progress: () => undefined,
  startedAt: (volume) => volume.CreateTime?.getTime(),
  failed: (volume) => volume?.State === "error",
  vanished: (ids) => new VolumeVanishedError(ids),
};

/** A volume modification is applied once EC2 reports it `optimizing` (the new settings are in effect) or `completed`. */
const MODIFICATIONS: Probe<VolumeModification> = {
  name: "DescribeVolumesModifications",
  describe: (ec2, ids) => ec2.volumeModifications(ids),
  done: (modification) => modification?.ModificationState !== undefined && modification.ModificationState !== "modifying",
  fingerprint: (modification) => `${modification.ModificationState}/${modification.Progress}`,
  progress: (modification) => modification.Progress,
  startedAt: (modification) => modification.StartTime?.getTime(),
  failed: (modification) => modification?.ModificationState === "failed",
  vanished: (ids) => new VolumeVanishedError(ids),
};

/** Fast snapshot restore ids are `<snapshot id>@<availability zone>`, one per pair EC2 tracks. */
export function fastRestoreKey(snapshotId: string, zone: string): string {
  return `${snapshotId}@${zone}`;
}

/** Fast snapshot restore moves through `enabling` and `optimizing` to `enabled`; a pair that went back to `disabled` or out of the listing failed to enable. */
const FAST_RESTORES: Probe<DescribeFastSnapshotRestoreSuccessItem> = {
  name: "DescribeFastSnapshotRestores",
  describe: async (ec2, ids) => {
    const byZone = new Map<string, string[]>();
    for (const id of ids) {
      const [snapshotId, zone] = id.split("@");
      byZone.set(zone, [...(byZone.get(zone) ?? []), snapshotId]);
    }
    const found = new Map<string, DescribeFastSnapshotRestoreSuccessItem>();
    for (const [zone, snapshotIds] of byZone) {
      for (const [snapshotId, item] of await ec2.fastSnapshotRestoreStates(snapshotIds, zone)) {
        found.set(fastRestoreKey(snapshotId, zone), item);
      }
    }
    return found;
  },
  done: (item) => item?.State === "enabled" || item?.State === "disabled" || item?.State === "disabling",
  fingerprint: (item) => `${item.State}`,
  progress: () => undefined,
  startedAt: (item) => item.EnablingTime?.getTime(),
  failed: (item) => item?.State === "disabled" || item?.State === "disabling",
  vanished: (ids) =>
    new ExplainedError(
      `fast snapshot restore of ${ids.join(", ")} stopped being listed while it was being enabled (disabled outside Pulumi, or EC2 could not enable it)`,
      "check the snapshots' fast snapshot restore in the EC2 console, then run `pulumi up` again",
    ),
};

interface Watch<T> {
  ids: string[];
  options: WaitOptions<T>;
  latest: Map<string, T>;
  observations: Map<string, Observation[]>;
  createdAt: number;
  settle: (error: Error | undefined) => void;
}

/**
 * A prediction is trusted only this far: a snapshot predicted to complete in 10 minutes may complete in
 * 5 (progress curves steepen), so rounds are skipped only until half the predicted time has passed.
 */
const PREDICTION_TRUST = 0.5;

/**
 * One poller per region and process. Every snapshot being waited on, by any Snapshot or SnapshotSet of
 * the deployment (the host runs them all in one process), is looked up in the same batched
 * DescribeSnapshots call, so the cost of a poll does not grow with the number of resources.
 */
class PollGroup<T> {
  private readonly watches = new Set<Watch<T>>();
  private wake: AbortController | undefined;
  private running = false;
  private lastRoundAt: number | undefined;
  private readonly startedAt = Date.now();
  /** Doubles the interval after a throttled round, halves it back after each clean one. */
  private backoff = 1;

  constructor(
    private readonly probe: Probe<T>,
    private ec2: Ec2,
    private readonly onIdle: () => void,
  ) {}

  /** Ids some round's answer listed: missing from a later listing, they have left it. */
  private readonly listed = new Set<string>();

  /** What the waits know of their ids, gathered once per round. */
  private known(): Known<T> {
    const seen = new Map<string, T>();
    const created = new Map<string, number>();
    for (const watch of this.watches) {
      for (const id of watch.ids) {
        const latest = watch.latest.get(id);
        if (latest !== undefined) {
          seen.set(id, latest);
        }
        created.set(id, Math.min(created.get(id) ?? Number.POSITIVE_INFINITY, watch.createdAt));
      }
    }
    return {
      lastSeen: (id) => seen.get(id),
      listed: (id) => this.listed.has(id),
      createdAt: (id) => created.get(id) ?? Date.now(),
      intervalMs: this.intervalMs,
    };
  }

  add(watch: Watch<T>, ec2: Ec2): void {
    this.ec2 = ec2;
    this.watches.add(watch);
    const abort = (): void => this.finish(watch, new WaitTimeoutError(watch.options.deadline, watch.latest));
    watch.options.deadline.signal.addEventListener("abort", abort, { once: true });
    const settle = watch.settle;
    watch.settle = (error) => {
      watch.options.deadline.signal.removeEventListener("abort", abort);
      settle(error);
    };
    if (watch.options.deadline.expired) {
      abort();
      return;
    }
    this.wake?.abort();
    if (!this.running) {
      this.running = true;
      // On a microtask: waits added in the same tick then share the first round.
      queueMicrotask(() => void this.loop());
    }
  }

  private finish(watch: Watch<T>, error: Error | undefined): void {
    if (this.watches.delete(watch)) {
      watch.settle(error);
      // With one wait fewer, the next round may be due earlier, or not at all.
      this.wake?.abort();
    }
  }

  private async loop(): Promise<void> {
    try {
      while (this.watches.size > 0) {
        const dueAt = this.nextRoundAt();
        const wait = dueAt - Date.now();
        if (wait > 0) {
          this.wake = new AbortController();
          try {
            await sleep(wait, this.wake.signal);
          } catch {
            continue; // a watch with an earlier due time arrived, or one left
          } finally {
            this.wake = undefined;
          }
        }
        await this.poll();
      }
    } finally {
      this.running = false;
      if (this.watches.size > 0) {
        this.running = true;
        void this.loop();
      } else {
        this.onIdle();
      }
    }
  }

  /** The least time between two rounds: the rate budget (describeIntervalMs), stretched while EC2 throttles. */
  private get intervalMs(): number {
    const { describeIntervalMs, pollMaxMs } = this.ec2.settings;
    return Math.max(describeIntervalMs, Math.min(pollMaxMs, describeIntervalMs * this.backoff));
  }

  /**
   * When the next shared round is due. Rounds come as often as the rate budget allows while anything is
   * pending, whatever their number: one call per round, so a snapshot's detection lag is at most one
   * interval plus a round trip, at N = 1 as at N = 500. Predictions only skip rounds, when no pending
   * snapshot can be near completion (every one has a progress trend that puts it further than the next
   * round), and never for longer than pollMaxMs. A snapshot not seen yet is looked at in the first
   * round the budget allows.
   */
  private nextRoundAt(): number {
    const watches = [...this.watches];
    const unseen = watches.some((w) => w.ids.some((id) => !w.latest.has(id)));
    if (this.lastRoundAt === undefined) {
      return unseen ? Date.now() : this.startedAt + this.intervalMs;
    }
    const due = this.lastRoundAt + this.intervalMs;
    return unseen ? due : Math.max(due, this.quietUntil(due) ?? due);
  }

  /** The earliest time a pending snapshot can complete, when that is after `due`; undefined when one may complete sooner. */
  private quietUntil(due: number): number | undefined {
    // Measured from the last round, not from now: a wake in between must not move the skipped round.
    const from = this.lastRoundAt ?? Date.now();
    let earliest = Number.POSITIVE_INFINITY;
    for (const watch of this.watches) {
      for (const id of watch.ids) {
        const latest = watch.latest.get(id);
        if (this.probe.done(latest)) {
          continue;
        }
        const startedAt = (latest !== undefined ? this.probe.startedAt(latest) : undefined) ?? watch.createdAt;
        const predicted = predictCompletion(startedAt, watch.observations.get(id) ?? []);
        if (predicted === undefined) {
          return undefined;
        }
        earliest = Math.min(earliest, from + Math.max(0, predicted - from) * PREDICTION_TRUST);
      }
    }
    if (!(earliest > due)) {
      return undefined;
    }
    return Math.min(earliest, from + this.ec2.settings.pollMaxMs);
  }

  /** After each round: a throttled one stretches the interval (said in one line), a clean one shrinks it back. */
  private paceAfter(throttled: boolean): void {
    const before = this.intervalMs;
    const { describeIntervalMs, pollMaxMs } = this.ec2.settings;
    // Held at the cap, so that recovery starts at once when EC2 stops throttling.
    const most = Math.max(1, pollMaxMs / describeIntervalMs);
    this.backoff = throttled ? Math.min(most, this.backoff * 2) : Math.max(1, this.backoff / 2);
    const after = this.intervalMs;
    if (throttled && after > before) {
      writeLine(`EC2 ${this.ec2.region}: EC2 throttled ${this.probe.name}; the shared poll now comes every ${formatDuration(after)} instead of every ${formatDuration(before)}`);
    } else if (!throttled && after < before && after === this.ec2.settings.describeIntervalMs) {
      writeLine(`EC2 ${this.ec2.region}: ${this.probe.name} no longer throttled; the shared poll comes every ${formatDuration(after)} again`);
    }
  }

  private async poll(): Promise<void> {
    this.lastRoundAt = Date.now();
    const watches = [...this.watches];
    const ids = [...new Set(watches.flatMap((w) => w.ids.filter((id) => !this.probe.done(w.latest.get(id)))))];
    if (ids.length === 0) {
      watches.forEach((w) => this.evaluate(w, new Map()));
      return;
    }
    // A round may take as long as the longest wait it serves; each wait still ends at its own deadline.
    const longest = Math.max(...watches.map((w) => w.options.deadline.remainingMs()));
    const round = Deadline.after(Math.max(1, longest), `${this.probe.name} while waiting`);
    let found: Map<string, T>;
    const roundEc2 = this.ec2.withDeadline(round);
    try {
      found = await this.probe.describe(roundEc2, ids, this.known());
      this.paceAfter(roundEc2.throttledAttempts > 0);
      for (const id of found.keys()) {
        this.listed.add(id);
      }
    } catch (error) {
      if (classifyError(error).kind === "aborted") {
        return; // the waits' own deadlines report this
      }
      for (const watch of watches) {
        this.finish(watch, error instanceof Error ? error : new Error(String(error)));
      }
      return;
    } finally {
      round.dispose();
    }
    const changed = watches.filter((watch) => this.watches.has(watch) && this.evaluate(watch, found));
    if (changed.length > 0 && this.watches.size > 0) {
      // Every wait is served by every round: report when the next round comes, not what one wait wished.
      const nextPollMs = Math.max(0, this.nextRoundAt() - Date.now());
      changed.forEach((watch) => watch.options.onProgress?.({ snapshots: watch.latest, nextPollMs }));
    }
  }

  /** Takes in one round's answer for a wait; true when the wait goes on and something about it changed. */
  private evaluate(watch: Watch<T>, found: ReadonlyMap<string, T>): boolean {
    const now = Date.now();
    const settings = this.ec2.settings;
    let changed = false;
    const vanished: string[] = [];
    for (const id of watch.ids) {
      const previous = watch.latest.get(id);
      if (this.probe.done(previous)) {
        continue;
      }
      const item = found.get(id);
      if (item === undefined) {
        // Right after a create EC2 may not list the snapshot yet; only after the grace is it gone.
        if (now - watch.createdAt >= settings.visibilityGraceMs) {
          vanished.push(id);
        }
        continue;
      }
      if (previous === undefined || this.probe.fingerprint(previous) !== this.probe.fingerprint(item)) {
        changed = true;
      }
      watch.latest.set(id, item);
      const progress = this.probe.progress(item);
      const history = watch.observations.get(id) ?? [];
      history.push({ at: now, ...(progress !== undefined ? { progress } : {}) });
      watch.observations.set(id, history.slice(-20));
    }
    if (vanished.length > 0) {
      this.finish(watch, this.probe.vanished(vanished, watch.latest));
      return false;
    }
    const items = watch.ids.map((id) => watch.latest.get(id));
    const done = items.every((item) => this.probe.done(item)) || (!!watch.options.stopOnError && items.some((item) => this.probe.failed(item)));
    if (done) {
      this.finish(watch, undefined);
      return false;
    }
    return changed;
  }
}

const groups = processRegistry<PollGroup<unknown>>("pollGroups");

function known<T>(ids: readonly string[], latest: ReadonlyMap<string, T>): Map<string, T> {
  return new Map(ids.flatMap((id) => (latest.has(id) ? [[id, latest.get(id) as T] as const] : [])));
}

/** One wait in the shared round of its kind and region. */
function waitFor<T>(probe: Probe<T>, ec2: Ec2, ids: readonly string[], options: WaitOptions<T>): Promise<Map<string, T>> {
  return new Promise((resolve, reject) => {
    const latest = new Map(options.initial ?? []);
    const createdAt = options.createdAt ?? Date.now();
    const watch: Watch<T> = {
      ids: [...new Set(ids)],
      // The shared round runs in the context of the call that started it; each wait's progress lines
      // belong to the call that waits (the plugin face sends them to the engine under its resource).
      options: options.onProgress === undefined ? options : { ...options, onProgress: boundToCall(options.onProgress) },
      latest,
      observations: new Map(),
      createdAt,
      settle: (error) => (error ? reject(error) : resolve(known(watch.ids, watch.latest))),
    };
    if (watch.ids.every((id) => probe.done(latest.get(id)))) {
      resolve(known(watch.ids, latest));
      return;
    }
    // The snapshot rounds keep the key they always had; other kinds are keyed by their call.
    const key = probe === (SNAPSHOTS as Probe<unknown>) ? ec2.region : `${probe.name}:${ec2.region}`;
    let group = groups.get(key) as PollGroup<T> | undefined;
    if (group === undefined) {
      group = new PollGroup(probe, ec2, () => groups.delete(key));
      groups.set(key, group as PollGroup<unknown>);
    }
    group.add(watch, ec2);
  });
}

/**
 * Waits until every snapshot is out of `pending` (or one is in `error`, with `stopOnError`), and returns
 * them as last described. Rejects with WaitTimeoutError at the deadline, carrying what was last seen, and
 * with SnapshotVanishedError if a snapshot disappears. Waits of other resources carry on either way.
 */
export function waitForSnapshots(ec2: Ec2, ids: readonly string[], options: WaitOptions): Promise<Map<string, Snapshot>> {
  return waitFor(SNAPSHOTS, ec2, ids, options);
}

/**
 * Waits until no snapshot is being archived any more (archival-completed or -failed), sharing one
 * DescribeSnapshotTierStatus round per region among every archive being waited for. Rejects like
 * waitForSnapshots at the deadline, carrying the statuses last seen.
 */
export function waitForTiering(ec2: Ec2, ids: readonly string[], options: WaitOptions<SnapshotTierStatus>): Promise<Map<string, SnapshotTierStatus>> {
  return waitFor(TIER_STATUSES, ec2, ids, options);
}

/**
 * Waits until no volume is being created, deleted, attached or detached (or one is in `error`, with
 * `stopOnError`), sharing one DescribeVolumes round per region among every restore being waited for.
 */
export function waitForVolumes(ec2: Ec2, ids: readonly string[], options: WaitOptions<Volume>): Promise<Map<string, Volume>> {
  return waitFor(VOLUMES, ec2, ids, options);
}

/** Waits until each volume's latest modification is `optimizing`, `completed` or `failed`. */
export function waitForModifications(ec2: Ec2, ids: readonly string[], options: WaitOptions<VolumeModification>): Promise<Map<string, VolumeModification>> {
  return waitFor(MODIFICATIONS, ec2, ids, options);
}

/** Waits until fast snapshot restore of each `fastRestoreKey` pair is `enabled` (or failed). */
export function waitForFastRestores(
  ec2: Ec2,
  keys: readonly string[],
  options: WaitOptions<DescribeFastSnapshotRestoreSuccessItem>,
): Promise<Map<string, DescribeFastSnapshotRestoreSuccessItem>> {
  return waitFor(FAST_RESTORES, ec2, keys, options);
}
