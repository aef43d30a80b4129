/**
 * A time-scaled, simulated EC2 for the waiting benchmark (issue #6): an HTTP server on 127.0.0.1 that
 * speaks the EC2 Query API for the calls the provider and the SDK waiter make, with
 * - per-snapshot completion times from a seeded distribution (snapshotTiming.ts) and a rising Progress;
 * - EC2's per-API token buckets in simulated time (throttling.ts), answering RequestLimitExceeded (503);
 * - the per-volume pending-snapshot limit (5, or 1 for st1/sc1: ConcurrentSnapshotLimitExceeded) and
 *   the 15-second spacing between two snapshots of one volume (SnapshotCreationPerVolumeRateExceeded);
 * - eventual consistency: a new snapshot is missing from DescribeSnapshots (and NotFound when named)
 *   for `visibilityDelayMs` simulated ms after its creation;
 * - multi-volume sets (CreateSnapshots, snapshotSets.ts) of seeded instances (simInstances.ts): every
 *   member pending together, each with its own drawn duration, and, for the instances named in
 *   `failingInstanceIds`, one member failing the whole set (every member in `error`, with a StateMessage).
 * It records every request (action, bucket, outcome, simulated time) and every snapshot's simulated
 * completion time, so that the bench computes its counts and detection lags exactly.
 *
 * Volumes and instances are seeded in memory (no CreateVolume, no RunInstances). Signatures are not
 * checked. There are no foreign or public snapshots, a single snapshot never ends in `error`, and each
 * answer is held for `latencyMs` (EC2's round trip) and no longer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SimClock } from "./clock";
import { Ec2Error } from "./ec2Error";
import { errorBody, filterParams, listParam, successBody, tagParams, type XmlFields, type XmlValue } from "./ec2Xml";
import { attachedVolumes, instanceXml, type SimInstance } from "./simInstances";
import { setFailure, setMembers } from "./snapshotSets";
import { progressAt, timingOf, type SnapshotTiming, type TimingModel } from "./snapshotTiming";
import { Throttle, type DescribeSnapshotsBuckets } from "./throttling";

export const ACCOUNT_ID = "123456789012";
/** EC2 accepts one new snapshot per volume every 15 s (SnapshotCreationPerVolumeRateExceeded). */
export const VOLUME_SPACING_MS = 15_000;
const MAX_FILTER_VALUES = 200;

export interface SimVolume {
  volumeId: string;
  sizeGiB: number;
  volumeType: "gp2" | "gp3" | "io1" | "io2" | "st1" | "sc1" | "standard";
  availabilityZone: string;
  encrypted?: boolean;
  kmsKeyId?: string;
  /** Marketplace product codes, propagated to the volume's snapshots (DescribeSnapshotAttribute). */
  productCodes?: { id: string; type: string }[];
  /** The instance it is attached to (which must be seeded) and its device name there. */
  attachment?: { instanceId: string; device: string };
  /** The volume's tags, which CreateSnapshots copies to its snapshots with `CopyTagsFromSource=volume`. */
  tags?: Record<string, string>;
}

export interface SimSnapshotRecord {
  snapshotId: string;
  volumeId: string;
  /** Which snapshot of its volume this is (0-based), the key of its drawn timing. */
  k: number;
  createdSim: number;
  /** When it completes, unless its set fails first. */
  completionSim: number;
  timing: SnapshotTiming;
  /** The CreateSnapshots request it belongs to (`set-N`), for a member of a multi-volume set. */
  setId?: string;
  /** The instance of that request. */
  instanceId?: string;
  /** When it (and every member of its set) went to `error`: only in a set the bench makes fail. */
  failedSim?: number;
}

export interface RequestRecord {
  action: string;
  bucket: string;
  atSim: number;
  /** "ok", or the EC2 error code answered, or "aborted" when the client hung up first. */
  outcome: string;
  /** The snapshot ids a DescribeSnapshots named (SnapshotId.N or a snapshot-id filter), for per-snapshot analysis. */
  snapshotIds?: string[];
  /** The volume of a CreateSnapshot. */
  volumeId?: string;
  /** The instance of a CreateSnapshots. */
  instanceId?: string;
}

export interface SimulatorOptions {
  scale: number;
  timing: TimingModel;
  describeSnapshotsBuckets?: DescribeSnapshotsBuckets;
  /** Simulated ms during which a new snapshot is not listed yet (EC2's eventual consistency). */
  visibilityDelayMs?: number;
  /**
   * Simulated ms each answer is held before it is sent (EC2's round trip). Under the virtual clock the
   * hold is a fake timer, so requests take simulated time even though this machine answers at once.
   */
  latencyMs?: number;
  volumes: readonly SimVolume[];
  instances?: readonly SimInstance[];
  /** Every CreateSnapshots of these instances makes a set in which one member fails (snapshotSets.ts). */
  failingInstanceIds?: readonly string[];
}

interface Snapshot extends SimSnapshotRecord {
  description: string;
  tags: Map<string, string>;
  visibleAtSim: number;
  deleted: boolean;
  stateMessage?: string;
}

interface VolumeState {
  volume: SimVolume;
  created: number;
  lastCreateSim: number;
  /** Its snapshots, for the pending limit (a scan of every snapshot per create would be quadratic at N = 2,000). */
  snapshots: Snapshot[];
}

interface InstanceState {
  instance: SimInstance;
  /** One reservation per instance, its id fixed at seeding. */
  reservationId: string;
  /** CreateSnapshots requests made of it so far: the key of each set's failure draw. */
  sets: number;
}

type SnapshotState = "pending" | "completed" | "error";

function stateAt(snapshot: SimSnapshotRecord, now: number): SnapshotState {
  if (snapshot.failedSim !== undefined && now >= snapshot.failedSim) {
    return "error";
  }
  return now >= snapshot.completionSim ? "completed" : "pending";
}

type Params = Readonly<Record<string, string>>;

function pendingLimit(volume: SimVolume): number {
  return volume.volumeType === "st1" || volume.volumeType === "sc1" ? 1 : 5;
}

function hexId(prefix: string, n: number): string {
  return `${prefix}-${n.toString(16).padStart(17, "0")}`;
}

/** A tag list of the Query API (`TagSpecification.N.Tag.M`) for ResourceType `snapshot`. */
function snapshotTagSpecifications(params: Params): Map<string, string> {
  const tags = new Map<string, string>();
  for (let i = 1; params[`TagSpecification.${i}.ResourceType`] !== undefined; i++) {
    if (params[`TagSpecification.${i}.ResourceType`] === "snapshot") {
      for (const tag of tagParams(params, `TagSpecification.${i}.Tag`)) {
        tags.set(tag.key, tag.value ?? "");
      }
    }
  }
  return tags;
}

export class Ec2Simulator {
  readonly clock: SimClock;
  readonly requests: RequestRecord[] = [];
  private readonly volumes = new Map<string, VolumeState>();
  private readonly instances = new Map<string, InstanceState>();
  private readonly failing: ReadonlySet<string>;
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly throttle: Throttle;
  private readonly visibilityDelayMs: number;
  private server: Server | undefined;
  private nextSnapshot = 0x1000;
  private nextSet = 0;
  private held = 0;
  private handlingMs = 0;

  constructor(private readonly options: SimulatorOptions) {
    this.clock = new SimClock(options.scale);
    this.throttle = new Throttle(options.describeSnapshotsBuckets ?? "strict");
    this.visibilityDelayMs = options.visibilityDelayMs ?? 2_000;
    for (const instance of options.instances ?? []) {
      this.instances.set(instance.instanceId, { instance, reservationId: hexId("r", 0xa000 + this.instances.size), sets: 0 });
    }
    for (const volume of options.volumes) {
      if (volume.attachment !== undefined && !this.instances.has(volume.attachment.instanceId)) {
        throw new Error(`volume ${volume.volumeId} is attached to ${volume.attachment.instanceId}, which is not seeded`);
      }
      this.volumes.set(volume.volumeId, { volume, created: 0, lastCreateSim: Number.NEGATIVE_INFINITY, snapshots: [] });
    }
    this.failing = new Set(options.failingInstanceIds ?? []);
  }

  /** Starts listening on 127.0.0.1 and returns the endpoint URL. */
  async start(): Promise<string> {
    const server = createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 60_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /** Answers being held for their modelled latency right now. */
  get heldResponses(): number {
    return this.held;
  }

  /**
   * Real ms spent in the synchronous part of request handling (parameters, model, XML, writing the
   * answer): the simulator's share of the worker's CPU time, which the client under test does not pay
   * against real EC2. Wall time of synchronous code, so it stands for CPU time on this one thread.
   */
  get handlingCpuMs(): number {
    return this.handlingMs;
  }

  /** Every snapshot ever created, with its simulated completion time. */
  snapshotRecords(): SimSnapshotRecord[] {
    return [...this.snapshots.values()].map(({ snapshotId, volumeId, k, createdSim, completionSim, timing, setId, instanceId, failedSim }) => ({
      snapshotId,
      volumeId,
      k,
      createdSim,
      completionSim,
      timing,
      ...(setId !== undefined ? { setId, instanceId } : {}),
      ...(failedSim !== undefined ? { failedSim } : {}),
    }));
  }

  /**
   * A completed snapshot of a seeded volume, made before the run (a refresh reads what earlier `up`s
   * made): listed at once, with these tags. `setId` groups the members of one set.
   */
  seedCompleted(volumeId: string, tags: Readonly<Record<string, string>>, set?: { setId: string; instanceId: string }): string {
    const state = this.volumes.get(volumeId);
    if (state === undefined) {
      throw new Error(`volume ${volumeId} is not seeded`);
    }
    const now = this.clock.now();
    const snapshot = this.newSnapshot(state, now, "", new Map(Object.entries(tags)), set);
    snapshot.completionSim = now;
    snapshot.visibleAtSim = now;
    state.lastCreateSim = Number.NEGATIVE_INFINITY;
    return snapshot.snapshotId;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const began = performance.now();
      const body = Buffer.concat(chunks).toString("utf8");
      const query = req.url?.includes("?") ? req.url.slice(req.url.indexOf("?") + 1) : "";
      const params: Record<string, string> = Object.fromEntries(new URLSearchParams(query));
      for (const [key, value] of new URLSearchParams(body)) {
        params[key] = value;
      }
      const action = params["Action"] ?? "";
      const now = this.clock.now();
      const bucket = this.throttle.bucketOf(action, params);
      const record: RequestRecord = { action, bucket, atSim: now, outcome: "ok" };
      if (action === "DescribeSnapshots") {
        const named = listParam(params, "SnapshotId");
        const filtered = filterParams(params).find((f) => f.name === "snapshot-id")?.values ?? [];
        record.snapshotIds = [...named, ...filtered];
      }
      if (action === "CreateSnapshot" && params["VolumeId"] !== undefined) {
        record.volumeId = params["VolumeId"];
      }
      if (action === "CreateSnapshots" && params["InstanceSpecification.InstanceId"] !== undefined) {
        record.instanceId = params["InstanceSpecification.InstanceId"];
      }
      this.requests.push(record);
      let status = 200;
      let xml: string;
      try {
        if (!this.throttle.admit(bucket, now)) {
          throw new Ec2Error("RequestLimitExceeded", "Request limit exceeded.", 503);
        }
        xml = successBody(action, this.dispatch(action, params, now));
      } catch (error) {
        const failure = error instanceof Ec2Error ? error : new Ec2Error("InternalError", `An internal error has occurred (${String(error)})`, 500);
        record.outcome = failure.code;
        status = failure.status;
        xml = errorBody(failure.code, failure.message);
      }
      res.on("close", () => {
        if (!res.writableFinished) {
          record.outcome = "aborted";
        }
      });
      const send = (): void => {
        const sending = performance.now();
        if (!res.destroyed) {
          res.writeHead(status, { "Content-Type": "text/xml;charset=UTF-8", "Content-Length": Buffer.byteLength(xml) });
          res.end(xml);
        }
        this.handlingMs += performance.now() - sending;
      };
      const latency = this.options.latencyMs ?? 0;
      this.handlingMs += performance.now() - began;
      if (latency > 0) {
        this.held += 1;
        setTimeout(() => {
          this.held -= 1;
          send();
        }, latency / this.options.scale);
      } else {
        send();
      }
    });
  }

  private dispatch(action: string, params: Params, now: number): XmlFields {
    switch (action) {
      case "DescribeVolumes":
        return this.describeVolumes(params);
      case "DescribeInstances":
        return this.describeInstances(params);
      case "CreateSnapshot":
        return this.createSnapshot(params, now);
      case "CreateSnapshots":
        return this.createSnapshots(params, now);
      case "DescribeSnapshots":
        return this.describeSnapshots(params, now);
      case "DescribeSnapshotAttribute":
        return this.describeSnapshotAttribute(params, now);
      case "CreateTags":
        return this.changeTags(params, now, "create");
      case "DeleteTags":
        return this.changeTags(params, now, "delete");
      case "DeleteSnapshot":
        return this.deleteSnapshot(params, now);
      default:
        throw new Ec2Error("InvalidAction", `The action ${action || "(none)"} is not valid for this web service.`);
    }
  }

  // ---- volumes and instances ------------------------------------------------------------------

  private volumeXml(volume: SimVolume): XmlFields {
    return {
      volumeId: volume.volumeId,
      size: volume.sizeGiB,
      snapshotId: "",
      availabilityZone: volume.availabilityZone,
      status: volume.attachment ? "in-use" : "available",
      createTime: new Date(this.clock.startedAt - 86_400_000).toISOString(),
      attachmentSet: volume.attachment
        ? [
            {
              volumeId: volume.volumeId,
              instanceId: volume.attachment.instanceId,
              device: volume.attachment.device,
              status: "attached",
              attachTime: new Date(this.clock.startedAt - 86_400_000).toISOString(),
              // As EC2 launches them: the root volume goes with the instance, attached data volumes stay.
              deleteOnTermination: this.instances.get(volume.attachment.instanceId)?.instance.rootDeviceName === volume.attachment.device,
            },
          ]
        : [],
      volumeType: volume.volumeType,
      encrypted: volume.encrypted ?? false,
      kmsKeyId: volume.encrypted ? volume.kmsKeyId : undefined,
      multiAttachEnabled: false,
    };
  }

  private describeVolumes(params: Params): XmlFields {
    const ids = listParam(params, "VolumeId");
    for (const id of ids) {
      if (!this.volumes.has(id)) {
        throw new Ec2Error("InvalidVolume.NotFound", `The volume '${id}' does not exist.`);
      }
    }
    const selected = ids.length > 0 ? ids.map((id) => this.volumes.get(id)!.volume) : [...this.volumes.values()].map((v) => v.volume);
    return { volumeSet: selected.map((v) => this.volumeXml(v)) };
  }

  private instanceOf(instanceId: string): InstanceState {
    if (!/^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/.test(instanceId)) {
      throw new Ec2Error("InvalidInstanceID.Malformed", `Invalid id: "${instanceId}"`);
    }
    const state = this.instances.get(instanceId);
    if (state === undefined) {
      throw new Ec2Error("InvalidInstanceID.NotFound", `The instance ID '${instanceId}' does not exist`);
    }
    return state;
  }

  /** `InstanceId.N` (each must exist, as on EC2), or every instance; one reservation per instance. No filters. */
  private describeInstances(params: Params): XmlFields {
    const ids = listParam(params, "InstanceId");
    const selected = ids.length > 0 ? ids.map((id) => this.instanceOf(id)) : [...this.instances.values()];
    const attachedAt = new Date(this.clock.startedAt - 86_400_000).toISOString();
    const volumes = [...this.volumes.values()].map((v) => v.volume);
    return {
      reservationSet: selected.map(({ instance, reservationId }) => ({
        reservationId,
        ownerId: ACCOUNT_ID,
        groupSet: [],
        instancesSet: [instanceXml(instance, attachedVolumes(instance, volumes), attachedAt)],
      })),
    };
  }

  // ---- snapshots -------------------------------------------------------------------------------

  private createSnapshot(params: Params, now: number): XmlFields {
    const volumeId = params["VolumeId"];
    if (!volumeId) {
      throw new Ec2Error("MissingParameter", "The request must contain the parameter VolumeId");
    }
    const state = this.volumes.get(volumeId);
    if (state === undefined) {
      throw new Ec2Error("InvalidVolume.NotFound", `The volume '${volumeId}' does not exist.`);
    }
    this.admitSnapshotOf(state, now);
    const snapshot = this.newSnapshot(state, now, params["Description"] ?? "", snapshotTagSpecifications(params));
    return this.snapshotFields(snapshot, now);
  }

  /**
   * A multi-volume set of one instance: every member is checked against its volume's limits before any
   * is made (EC2 takes the set as a whole or not at all), then all start together, each with the
   * duration drawn for its volume's k-th snapshot, as a CreateSnapshot of that volume would get.
   */
  private createSnapshots(params: Params, now: number): XmlFields {
    const instanceId = params["InstanceSpecification.InstanceId"];
    if (!instanceId) {
      throw new Ec2Error("MissingParameter", "The request must contain the parameter InstanceSpecification.InstanceId");
    }
    const instance = this.instanceOf(instanceId);
    const members = setMembers(
      params,
      instance.instance,
      attachedVolumes(
        instance.instance,
        [...this.volumes.values()].map((v) => v.volume),
      ),
    );
    const states = members.map((m) => this.volumes.get(m.volume.volumeId)!);
    states.forEach((state) => this.admitSnapshotOf(state, now));
    const requested = snapshotTagSpecifications(params);
    const copyTags = params["CopyTagsFromSource"] === "volume";
    const setId = `set-${this.nextSet++}`;
    // The request's own tags win over copied volume tags of the same key (the bench's choice; AWS does not say).
    const snapshots = states.map((state) =>
      this.newSnapshot(state, now, params["Description"] ?? "", new Map([...(copyTags ? Object.entries(state.volume.tags ?? {}) : []), ...requested]), { setId, instanceId }),
    );
    if (this.failing.has(instanceId)) {
      const failure = setFailure(
        this.options.timing.seed,
        instanceId,
        instance.sets,
        snapshots.map((s) => s.timing.durationMs),
      );
      const culprit = snapshots[failure.member];
      for (const snapshot of snapshots) {
        snapshot.failedSim = now + failure.afterMs;
        snapshot.stateMessage =
          snapshot === culprit
            ? `Snapshot of ${snapshot.volumeId} failed (simulated by the bench)`
            : `Multi-volume snapshot set failed: snapshot ${culprit.snapshotId} of ${culprit.volumeId} failed`;
      }
    }
    instance.sets += 1;
    return { snapshotSet: snapshots.map((s) => this.snapshotInfoFields(s, now)) };
  }

  /** The per-volume limits of EC2: pending snapshots (those in `error` count too, until deleted) and the 15-second spacing. */
  private admitSnapshotOf(state: VolumeState, now: number): void {
    const pending = state.snapshots.filter((s) => !s.deleted && stateAt(s, now) !== "completed").length;
    if (pending >= pendingLimit(state.volume)) {
      throw new Ec2Error("ConcurrentSnapshotLimitExceeded", "Maximum number of active snapshots has been reached for volume.");
    }
    if (now - state.lastCreateSim < VOLUME_SPACING_MS) {
      throw new Ec2Error(
        "SnapshotCreationPerVolumeRateExceeded",
        "The maximum per volume CreateSnapshot request rate has been exceeded. Use an increasing or variable sleep interval between requests.",
      );
    }
  }

  private newSnapshot(state: VolumeState, now: number, description: string, tags: Map<string, string>, set?: { setId: string; instanceId: string }): Snapshot {
    const k = state.created;
    const timing = timingOf(this.options.timing, state.volume.volumeId, k);
    const snapshot: Snapshot = {
      snapshotId: hexId("snap", this.nextSnapshot++),
      volumeId: state.volume.volumeId,
      k,
      createdSim: now,
      completionSim: now + timing.durationMs,
      timing,
      ...set,
      description,
      tags,
      visibleAtSim: now + this.visibilityDelayMs,
      deleted: false,
    };
    state.created += 1;
    state.lastCreateSim = now;
    state.snapshots.push(snapshot);
    this.snapshots.set(snapshot.snapshotId, snapshot);
    return snapshot;
  }

  /** Progress as EC2 shows it: 100% once completed; a failed snapshot keeps where it stopped. */
  private progressOf(snapshot: Snapshot, now: number, state: SnapshotState): string {
    if (state === "completed") {
      return "100%";
    }
    const at = state === "error" ? snapshot.failedSim! : now;
    return `${progressAt(snapshot.timing, at - snapshot.createdSim)}%`;
  }

  /** DescribeSnapshots' Snapshot (its state is `status`). */
  private snapshotFields(snapshot: Snapshot, now: number): XmlFields {
    const volume = this.volumes.get(snapshot.volumeId)!.volume;
    const state = stateAt(snapshot, now);
    const completed = state === "completed";
    const tagSet: XmlValue[] = [...snapshot.tags].map(([key, value]) => ({ key, value }));
    return {
      snapshotId: snapshot.snapshotId,
      volumeId: snapshot.volumeId,
      status: state,
      statusMessage: state === "error" ? snapshot.stateMessage : undefined,
      startTime: new Date(this.clock.toEpoch(snapshot.createdSim)).toISOString(),
      progress: this.progressOf(snapshot, now, state),
      ownerId: ACCOUNT_ID,
      volumeSize: volume.sizeGiB,
      description: snapshot.description,
      encrypted: volume.encrypted ?? false,
      kmsKeyId: volume.encrypted ? volume.kmsKeyId : undefined,
      storageTier: "standard",
      completionTime: completed ? new Date(this.clock.toEpoch(snapshot.completionSim)).toISOString() : undefined,
      tagSet: tagSet.length > 0 ? tagSet : undefined,
    };
  }

  /**
   * CreateSnapshots' SnapshotInfo: its state is `state`, not `status`, and it has no KmsKeyId,
   * StateMessage or StorageTier (NOTES.md), which is why the provider describes the set afterwards.
   */
  private snapshotInfoFields(snapshot: Snapshot, now: number): XmlFields {
    const volume = this.volumes.get(snapshot.volumeId)!.volume;
    const state = stateAt(snapshot, now);
    const tagSet: XmlValue[] = [...snapshot.tags].map(([key, value]) => ({ key, value }));
    return {
      description: snapshot.description,
      tagSet: tagSet.length > 0 ? tagSet : undefined,
      encrypted: volume.encrypted ?? false,
      volumeId: snapshot.volumeId,
      state,
      volumeSize: volume.sizeGiB,
      startTime: new Date(this.clock.toEpoch(snapshot.createdSim)).toISOString(),
      progress: this.progressOf(snapshot, now, state),
      ownerId: ACCOUNT_ID,
      snapshotId: snapshot.snapshotId,
      availabilityZone: volume.availabilityZone,
    };
  }

  private visible(snapshot: Snapshot | undefined, now: number): snapshot is Snapshot {
    return snapshot !== undefined && !snapshot.deleted && now >= snapshot.visibleAtSim;
  }

  private describeSnapshots(params: Params, now: number): XmlFields {
    const ids = listParam(params, "SnapshotId");
    const owners = listParam(params, "Owner");
    const restorableBy = listParam(params, "RestorableBy");
    const filters = filterParams(params);
    const maxRaw = params["MaxResults"];
    if (maxRaw !== undefined && ids.length > 0) {
      throw new Ec2Error("InvalidParameterCombination", "The parameter SnapshotIds cannot be used with the parameter MaxResults");
    }
    const maxResults = maxRaw === undefined ? undefined : Number(maxRaw);
    if (maxResults !== undefined && !(Number.isInteger(maxResults) && maxResults >= 5 && maxResults <= 1000)) {
      throw new Ec2Error("InvalidParameterValue", `Value ( ${maxRaw} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`);
    }
    for (const id of ids) {
      if (!/^snap-(?:[0-9a-f]{8}|[0-9a-f]{17})$/.test(id)) {
        throw new Ec2Error("InvalidSnapshotID.Malformed", `Invalid id: "${id}" (expecting "snap-...")`);
      }
      if (!this.visible(this.snapshots.get(id), now)) {
        throw new Ec2Error("InvalidSnapshot.NotFound", `The snapshot '${id}' does not exist.`);
      }
    }
    for (const filter of filters) {
      if (filter.values.length > MAX_FILTER_VALUES) {
        throw new Ec2Error("FilterLimitExceeded", `The maximum number of filter values specified on a single call is ${MAX_FILTER_VALUES}`);
      }
      if (!["snapshot-id", "volume-id", "status", "tag-key", "owner-id"].includes(filter.name) && !filter.name.startsWith("tag:")) {
        throw new Ec2Error("InvalidParameterValue", `The filter '${filter.name}' is invalid`);
      }
    }
    const ownsAll = owners.length === 0 || owners.some((o) => o === "self" || o === ACCOUNT_ID);
    let selected = [...this.snapshots.values()].filter((s) => this.visible(s, now) && ownsAll && (ids.length === 0 || ids.includes(s.snapshotId)));
    if (restorableBy.length > 0 && !restorableBy.some((r) => r === "self" || r === ACCOUNT_ID)) {
      selected = [];
    }
    for (const filter of filters) {
      const values = new Set(filter.values);
      selected = selected.filter((s) => {
        switch (filter.name) {
          case "snapshot-id":
            return values.has(s.snapshotId);
          case "volume-id":
            return values.has(s.volumeId);
          case "status":
            return values.has(stateAt(s, now));
          case "owner-id":
            return values.has(ACCOUNT_ID);
          case "tag-key":
            return [...s.tags.keys()].some((k) => values.has(k));
          default: {
            const value = s.tags.get(filter.name.slice("tag:".length));
            return value !== undefined && filter.values.some((pattern) => matchesFilterValue(value, pattern));
          }
        }
      });
    }
    // The token is a cursor (the last id of the page), not an offset: a snapshot that leaves the result
    // between two pages (one completing, under a status filter) must not shift another past the page
    // boundary, which would hide a snapshot that stayed in the result throughout. Ids grow with creation.
    const query = JSON.stringify([ids, owners, restorableBy, filters]);
    let after = "";
    const token = params["NextToken"];
    if (token !== undefined) {
      try {
        const decoded = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { a: unknown; q: string };
        if (decoded.q !== query || typeof decoded.a !== "string") {
          throw new Error("mismatch");
        }
        after = decoded.a;
      } catch {
        throw new Ec2Error("InvalidPaginationToken", `Invalid pagination token: ${token}`);
      }
    }
    const rest = selected.filter((s) => s.snapshotId > after).sort((a, b) => (a.snapshotId < b.snapshotId ? -1 : 1));
    const page = maxResults === undefined ? rest : rest.slice(0, maxResults);
    const more = page.length < rest.length;
    return {
      snapshotSet: page.map((s) => this.snapshotFields(s, now)),
      nextToken: more ? Buffer.from(JSON.stringify({ a: page[page.length - 1].snapshotId, q: query })).toString("base64url") : undefined,
    };
  }

  private describeSnapshotAttribute(params: Params, now: number): XmlFields {
    const snapshotId = params["SnapshotId"] ?? "";
    const attribute = params["Attribute"];
    const snapshot = this.snapshots.get(snapshotId);
    if (!this.visible(snapshot, now)) {
      throw new Ec2Error("InvalidSnapshot.NotFound", `The snapshot '${snapshotId}' does not exist.`);
    }
    if (attribute === "productCodes") {
      const codes = this.volumes.get(snapshot.volumeId)?.volume.productCodes ?? [];
      return { snapshotId, productCodes: codes.map((c) => ({ productCode: c.id, type: c.type })) };
    }
    if (attribute === "createVolumePermission") {
      return { snapshotId, createVolumePermission: [] };
    }
    throw new Ec2Error("InvalidParameterValue", `Value (${attribute ?? ""}) for parameter attribute is invalid.`);
  }

  private changeTags(params: Params, now: number, change: "create" | "delete"): XmlFields {
    const resources = listParam(params, "ResourceId");
    const tags = tagParams(params, "Tag");
    const targets = resources.map((id) => {
      const snapshot = this.snapshots.get(id);
      if (!this.visible(snapshot, now)) {
        throw new Ec2Error("InvalidSnapshot.NotFound", `The snapshot '${id}' does not exist.`);
      }
      return snapshot;
    });
    for (const snapshot of targets) {
      if (change === "create") {
        tags.forEach((t) => snapshot.tags.set(t.key, t.value ?? ""));
      } else if (tags.length === 0) {
        // EC2: DeleteTags without tags deletes every user tag.
        [...snapshot.tags.keys()].filter((k) => !k.startsWith("aws:")).forEach((k) => snapshot.tags.delete(k));
      } else {
        tags.filter((t) => t.value === undefined || snapshot.tags.get(t.key) === t.value).forEach((t) => snapshot.tags.delete(t.key));
      }
    }
    return { return: true };
  }

  private deleteSnapshot(params: Params, now: number): XmlFields {
    const snapshotId = params["SnapshotId"] ?? "";
    const snapshot = this.snapshots.get(snapshotId);
    if (!this.visible(snapshot, now)) {
      throw new Ec2Error("InvalidSnapshot.NotFound", `The snapshot '${snapshotId}' does not exist.`);
    }
    snapshot.deleted = true;
    return { return: true };
  }
}

/** Volume ids of the bench: `vol-` and 17 hex digits, deterministic. */
export function benchVolumeId(index: number): string {
  return hexId("vol", 0xb0000 + index);
}

/** Instance ids of the bench: `i-` and 17 hex digits, deterministic. */
export function benchInstanceId(index: number): string {
  return hexId("i", 0xc0000 + index);
}

/** EC2's filter values: `*` matches any run of characters, `?` any one character; the rest literally. */
function matchesFilterValue(value: string, pattern: string): boolean {
  if (!pattern.includes("*") && !pattern.includes("?")) {
    return value === pattern;
  }
  const source = [...pattern].map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[\\^$.+()[\]{}|]/g, "\\$&"))).join("");
  return new RegExp(`^${source}$`, "s").test(value);
}
