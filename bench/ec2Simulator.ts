/**
 * A time-scaled, simulated EC2 for the waiting benchmark (issue #6): an HTTP server on 127.0.0.1 that
 * speaks the EC2 Query API for the calls the provider and the SDK waiter make, with
 * - per-snapshot completion times from a seeded distribution (snapshotTiming.ts) and a rising Progress;
 * - EC2's per-API token buckets in simulated time (throttling.ts), answering RequestLimitExceeded (503);
 * - the per-volume pending-snapshot limit (5, or 1 for st1/sc1: ConcurrentSnapshotLimitExceeded) and
 *   the 15-second spacing between two snapshots of one volume (SnapshotCreationPerVolumeRateExceeded);
 * - eventual consistency: a new snapshot is missing from DescribeSnapshots (and NotFound when named)
 *   for `visibilityDelayMs` simulated ms after its creation.
 * It records every request (action, bucket, outcome, simulated time) and every snapshot's simulated
 * completion time, so that the bench computes its counts and detection lags exactly.
 *
 * Volumes are seeded in memory (no CreateVolume). Signatures are not checked. There are no foreign or
 * public snapshots, no snapshot ever ends in `error`, and the server answers without added latency.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SimClock } from "./clock";
import { errorBody, filterParams, listParam, successBody, tagParams, type XmlFields, type XmlValue } from "./ec2Xml";
import { progressAt, timingOf, type SnapshotTiming, type TimingModel } from "./snapshotTiming";
import { Throttle, type DescribeSnapshotsBuckets } from "./throttling";

export const ACCOUNT_ID = "123456789012";
const VOLUME_SPACING_MS = 15_000;
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
  attachment?: { instanceId: string; device: string };
}

export interface SimSnapshotRecord {
  snapshotId: string;
  volumeId: string;
  /** Which snapshot of its volume this is (0-based), the key of its drawn timing. */
  k: number;
  createdSim: number;
  completionSim: number;
  timing: SnapshotTiming;
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
}

interface Snapshot extends SimSnapshotRecord {
  description: string;
  tags: Map<string, string>;
  visibleAtSim: number;
  deleted: boolean;
}

interface VolumeState {
  volume: SimVolume;
  created: number;
  lastCreateSim: number;
}

class Ec2Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

type Params = Readonly<Record<string, string>>;

function pendingLimit(volume: SimVolume): number {
  return volume.volumeType === "st1" || volume.volumeType === "sc1" ? 1 : 5;
}

function hexId(prefix: string, n: number): string {
  return `${prefix}-${n.toString(16).padStart(17, "0")}`;
}

export class Ec2Simulator {
  readonly clock: SimClock;
  readonly requests: RequestRecord[] = [];
  private readonly volumes = new Map<string, VolumeState>();
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly throttle: Throttle;
  private readonly visibilityDelayMs: number;
  private server: Server | undefined;
  private nextSnapshot = 0x1000;
  private held = 0;

  constructor(private readonly options: SimulatorOptions) {
    this.clock = new SimClock(options.scale);
    this.throttle = new Throttle(options.describeSnapshotsBuckets ?? "strict");
    this.visibilityDelayMs = options.visibilityDelayMs ?? 2_000;
    for (const volume of options.volumes) {
      this.volumes.set(volume.volumeId, { volume, created: 0, lastCreateSim: Number.NEGATIVE_INFINITY });
    }
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

  /** Every snapshot ever created, with its simulated completion time. */
  snapshotRecords(): SimSnapshotRecord[] {
    return [...this.snapshots.values()].map(({ snapshotId, volumeId, k, createdSim, completionSim, timing }) => ({
      snapshotId,
      volumeId,
      k,
      createdSim,
      completionSim,
      timing,
    }));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
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
        if (!res.destroyed) {
          res.writeHead(status, { "Content-Type": "text/xml;charset=UTF-8", "Content-Length": Buffer.byteLength(xml) });
          res.end(xml);
        }
      };
      const latency = this.options.latencyMs ?? 0;
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
              deleteOnTermination: false,
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

  private describeInstances(params: Params): XmlFields {
    const ids = listParam(params, "InstanceId");
    if (ids.length > 0) {
      throw new Ec2Error("InvalidInstanceID.NotFound", `The instance ID '${ids[0]}' does not exist`);
    }
    return { reservationSet: [] };
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
    const pending = [...this.snapshots.values()].filter((s) => !s.deleted && s.volumeId === volumeId && now < s.completionSim).length;
    if (pending >= pendingLimit(state.volume)) {
      throw new Ec2Error("ConcurrentSnapshotLimitExceeded", "Maximum number of active snapshots has been reached for volume.");
    }
    if (now - state.lastCreateSim < VOLUME_SPACING_MS) {
      throw new Ec2Error(
        "SnapshotCreationPerVolumeRateExceeded",
        "The maximum per volume CreateSnapshot request rate has been exceeded. Use an increasing or variable sleep interval between requests.",
      );
    }
    const tags = new Map<string, string>();
    for (let i = 1; params[`TagSpecification.${i}.ResourceType`] !== undefined; i++) {
      if (params[`TagSpecification.${i}.ResourceType`] === "snapshot") {
        for (const tag of tagParams(params, `TagSpecification.${i}.Tag`)) {
          tags.set(tag.key, tag.value ?? "");
        }
      }
    }
    const k = state.created;
    const timing = timingOf(this.options.timing, volumeId, k);
    const snapshot: Snapshot = {
      snapshotId: hexId("snap", this.nextSnapshot++),
      volumeId,
      k,
      createdSim: now,
      completionSim: now + timing.durationMs,
      timing,
      description: params["Description"] ?? "",
      tags,
      visibleAtSim: now + this.visibilityDelayMs,
      deleted: false,
    };
    state.created += 1;
    state.lastCreateSim = now;
    this.snapshots.set(snapshot.snapshotId, snapshot);
    return this.snapshotFields(snapshot, now);
  }

  private snapshotFields(snapshot: Snapshot, now: number): XmlFields {
    const volume = this.volumes.get(snapshot.volumeId)!.volume;
    const completed = now >= snapshot.completionSim;
    const tagSet: XmlValue[] = [...snapshot.tags].map(([key, value]) => ({ key, value }));
    return {
      snapshotId: snapshot.snapshotId,
      volumeId: snapshot.volumeId,
      status: completed ? "completed" : "pending",
      startTime: new Date(this.clock.toEpoch(snapshot.createdSim)).toISOString(),
      progress: completed ? "100%" : `${progressAt(snapshot.timing, now - snapshot.createdSim)}%`,
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
            return values.has(now >= s.completionSim ? "completed" : "pending");
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
    const query = JSON.stringify([ids, owners, restorableBy, filters]);
    let offset = 0;
    const token = params["NextToken"];
    if (token !== undefined) {
      try {
        const decoded = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { o: number; q: string };
        if (decoded.q !== query || !Number.isInteger(decoded.o) || decoded.o < 0) {
          throw new Error("mismatch");
        }
        offset = decoded.o;
      } catch {
        throw new Ec2Error("InvalidPaginationToken", `Invalid pagination token: ${token}`);
      }
    }
    const page = maxResults === undefined ? selected.slice(offset) : selected.slice(offset, offset + maxResults);
    const next = maxResults !== undefined && offset + page.length < selected.length ? offset + page.length : undefined;
    return {
      snapshotSet: page.map((s) => this.snapshotFields(s, now)),
      nextToken: next === undefined ? undefined : Buffer.from(JSON.stringify({ o: next, q: query })).toString("base64url"),
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

/** EC2's filter values: `*` matches any run of characters, `?` any one character; the rest literally. */
function matchesFilterValue(value: string, pattern: string): boolean {
  if (!pattern.includes("*") && !pattern.includes("?")) {
    return value === pattern;
  }
  const source = [...pattern].map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[\\^$.+()[\]{}|]/g, "\\$&"))).join("");
  return new RegExp(`^${source}$`, "s").test(value);
}
