import type { XmlDocument, XmlElement } from "../xmlTree";
import { ec2ErrorBody, snapshotNotFoundMessage } from "./ec2ErrorResponse";
import { ec2AnswerBody, itemSet } from "./ec2QueryAnswer";
import { filterParams, isDryRun, listParam } from "./ec2QueryParams";
import { Ec2Refusal, dryRunSucceeded } from "./ec2Refusal";
import { AttachRefusals } from "./attachRefusals";
import { FAST_RESTORE_FILTERS, FastSnapshotRestores, fastRestoreAnswerFields, fastRestoreRequest, type FastRestoreFailure, type FastRestoreView } from "./fastSnapshotRestores";
import type { MotoSnapshots } from "./motoSnapshots";
import type { MotoVolume, MotoVolumes } from "./motoVolumes";
import type { SuppliedAnswer } from "./suppliedActions";
import { AttachmentTransitions } from "./volumeAttachments";
import { VOLUME_ACTIONS, learnVolumeAction, replayedCreateVolumeFields, rewriteCreateVolume, rewriteDescribeVolumes, type VolumeModel } from "./volumeAnswers";
import { VolumeClientTokens } from "./volumeClientTokens";
import { VolumeInitialization, initializationRateParam } from "./volumeInitialization";
import { VolumeLifecycle } from "./volumeLifecycle";
import { volumeStatusFields, type VolumeCondition } from "./volumeStatus";

/** The volume actions the proxy answers itself: moto 5.2.1 answers each with an HTML 500. */
export const SUPPLIED_VOLUME_ACTIONS: ReadonlySet<string> = new Set([
  "DescribeVolumeStatus",
  "EnableFastSnapshotRestores",
  "DisableFastSnapshotRestores",
  "DescribeFastSnapshotRestores",
]);

export { VOLUME_ACTIONS };

// moto's default account, for a snapshot whose owner moto did not say.
const DEFAULT_OWNER_ID = "123456789012";

/** Asking moto directly, for actions the proxy answers or refuses. */
export interface MotoLookups {
  volumes: MotoVolumes;
  snapshots: MotoSnapshots;
}

/**
 * What the proxy does with a request before moto: answer it, or forward it (with amended parameters
 * when moto would crash on EC2's valid form).
 */
export type VolumeDecision = { kind: "answer"; answer: SuppliedAnswer } | { kind: "forward"; params?: Record<string, string> };

type Params = Readonly<Record<string, string>>;

const FORWARD: VolumeDecision = { kind: "forward" };

/**
 * Volumes, glued to the traffic: answers the supplied volume actions, replays CreateVolume for a known
 * ClientToken, refuses AttachVolume / DeleteVolume as EC2 would before they reach moto, completes a
 * DetachVolume moto cannot take, and learns from the answers that pass through.
 */
export class VolumeActions {
  readonly model: VolumeModel;
  readonly refusals = new AttachRefusals();

  constructor(private readonly now: () => number = Date.now) {
    this.model = {
      lifecycle: new VolumeLifecycle(),
      attachments: new AttachmentTransitions(),
      initialization: new VolumeInitialization(),
      fastRestores: new FastSnapshotRestores(now),
      tokens: new VolumeClientTokens(),
    };
  }

  async decide(action: string, params: Params, moto: MotoLookups): Promise<VolumeDecision> {
    try {
      return await this.dispatch(action, params, moto);
    } catch (error) {
      if (error instanceof Ec2Refusal) {
        const relayed = !SUPPLIED_VOLUME_ACTIONS.has(action);
        return { kind: "answer", answer: { status: error.status, body: ec2ErrorBody(error.code, error.message), ...(relayed ? { label: `refused:${error.code}` } : {}) } };
      }
      throw error;
    }
  }

  /** Learns from (and rewrites) a successful answer moto gave; `document` is undefined for actions whose answer is not read. */
  observe(action: string, params: Params, document: XmlDocument | undefined): void {
    if (action === "DeleteSnapshot") {
      this.model.fastRestores.forgetSnapshot(params["SnapshotId"] ?? "");
      return;
    }
    if (document === undefined) {
      return;
    }
    if (action === "CreateVolume") {
      rewriteCreateVolume(document, params, this.model);
    } else if (action === "DescribeVolumes") {
      rewriteDescribeVolumes(document, params, this.model);
    } else if (VOLUME_ACTIONS.has(action)) {
      learnVolumeAction(action, document, params, this.model);
    }
  }

  /** Test control: someone else (in moto's default account) enabled fast snapshot restore for the pair earlier. */
  enableFastRestoreOutside(snapshotId: string, availabilityZone: string): void {
    this.model.fastRestores.enableOutside(snapshotId, availabilityZone, DEFAULT_OWNER_ID);
  }

  clear(): void {
    this.model.lifecycle.clear();
    this.model.attachments.clear();
    this.model.initialization.clear();
    this.model.fastRestores.clear();
    this.model.tokens.clear();
    this.refusals.clear();
  }

  private async dispatch(action: string, params: Params, moto: MotoLookups): Promise<VolumeDecision> {
    switch (action) {
      case "CreateVolume":
        return this.createVolume(params, moto);
      case "AttachVolume":
        await this.refuseAttach(params, moto);
        return FORWARD;
      case "DetachVolume":
        return this.detachVolume(params, moto);
      case "DeleteVolume": {
        const volumeId = params["VolumeId"] ?? "";
        const instanceId = this.model.attachments.detachingFrom(volumeId);
        if (instanceId !== undefined) {
          throw new Ec2Refusal("VolumeInUse", `Volume ${volumeId} is currently attached to ${instanceId}`);
        }
        return FORWARD;
      }
      case "DescribeVolumeStatus":
        return this.describeVolumeStatus(params, moto);
      case "EnableFastSnapshotRestores":
      case "DisableFastSnapshotRestores":
        return this.changeFastRestores(action, params, moto);
      case "DescribeFastSnapshotRestores": {
        const filters = filterParams(params, FAST_RESTORE_FILTERS);
        dryRun(params);
        return ok(action, [itemSet("fastSnapshotRestoreSet", this.model.fastRestores.describe(filters))]);
      }
      default:
        return FORWARD;
    }
  }

  /** EC2 refuses a bad VolumeInitializationRate (moto does not), and answers a known ClientToken with the volume it created. */
  private async createVolume(params: Params, moto: MotoLookups): Promise<VolumeDecision> {
    initializationRateParam(params);
    if (isDryRun(params)) {
      return FORWARD;
    }
    const volumeId = this.model.tokens.earlierVolume(params);
    if (volumeId === undefined) {
      return FORWARD;
    }
    const volume = await moto.volumes.one(volumeId);
    if (volume === undefined) {
      throw new Ec2Refusal(
        "IdempotentParameterMismatch",
        "The client token you have provided is associated with a resource that is already deleted. Please use a different client token.",
      );
    }
    return { kind: "answer", answer: { status: 200, body: ec2AnswerBody("CreateVolume", replayedCreateVolumeFields(volume, this.model)), label: "replayed:ClientToken" } };
  }

  /**
   * AttachVolume refusals, before moto sees the request: a test's refuseAttach rule; a volume the proxy
   * reports `creating`, `error` or still detaching (EC2: IncorrectState); a device already in use on
   * the instance (moto accepts a second volume on the same device).
   */
  private async refuseAttach(params: Params, moto: MotoLookups): Promise<void> {
    const volumeId = params["VolumeId"] ?? "";
    const rule = this.refusals.refusalFor(volumeId, this.model.lifecycle.snapshotOf(volumeId));
    if (rule !== undefined) {
      throw rule;
    }
    if (this.model.lifecycle.currentState(volumeId) !== undefined || this.model.attachments.detachingFrom(volumeId) !== undefined) {
      throw new Ec2Refusal("IncorrectState", `${volumeId} is not 'available'.`);
    }
    const instanceId = params["InstanceId"];
    const device = params["Device"];
    if (instanceId === undefined || device === undefined || isDryRun(params)) {
      return;
    }
    const taken = (await moto.volumes.attachedTo(instanceId)).some(
      (volume) => volume.volumeId !== volumeId && volume.attachments.some((attachment) => attachment.instanceId === instanceId && attachment.device === device),
    );
    if (taken) {
      throw new Ec2Refusal("InvalidParameterValue", `Invalid value '${device}' for unixDevice. Attachment point ${device} is already in use`);
    }
  }

  /**
   * DetachVolume without InstanceId is valid on EC2 (a volume has one attachment unless Multi-Attach), and
   * crashes moto 5.2.1 with an HTML 500: the proxy names the volume's instance from moto's attachment.
   */
  private async detachVolume(params: Params, moto: MotoLookups): Promise<VolumeDecision> {
    const volumeId = params["VolumeId"];
    if (volumeId === undefined || (params["InstanceId"] ?? "") !== "") {
      return FORWARD;
    }
    const volume = await moto.volumes.one(volumeId);
    if (volume === undefined) {
      throw new Ec2Refusal("InvalidVolume.NotFound", `The volume '${volumeId}' does not exist.`);
    }
    const [attachment, ...others] = volume.attachments;
    if (attachment === undefined) {
      throw new Ec2Refusal("IncorrectState", `Volume '${volumeId}' is in the 'available' state.`);
    }
    if (others.length > 0) {
      throw new Ec2Refusal("InvalidParameterCombination", `Volume '${volumeId}' is attached to more than one instance; specify InstanceId.`);
    }
    return { kind: "forward", params: { ...params, InstanceId: attachment.instanceId } };
  }

  private async describeVolumeStatus(params: Params, moto: MotoLookups): Promise<VolumeDecision> {
    const requested = [...new Set(listParam(params, "VolumeId"))];
    dryRun(params);
    const held = await moto.volumes.all();
    const byId = new Map(held.map((volume) => [volume.volumeId, volume]));
    // EC2 fails the whole call for a volume it does not hold, as DescribeVolumes does.
    const missing = requested.find((volumeId) => !byId.has(volumeId));
    if (missing !== undefined) {
      throw new Ec2Refusal("InvalidVolume.NotFound", `The volume '${missing}' does not exist.`);
    }
    const volumes = requested.length === 0 ? held : requested.flatMap((volumeId) => byId.get(volumeId) ?? []);
    return ok("DescribeVolumeStatus", [
      itemSet(
        "volumeStatusSet",
        volumes.map((volume) => this.statusItem(volume)),
      ),
    ]);
  }

  private statusItem(volume: MotoVolume): XmlElement[] {
    const state = this.model.lifecycle.currentState(volume.volumeId);
    const condition: VolumeCondition =
      state === "creating" ? { kind: "creating" } : state === "error" ? { kind: "error", message: this.model.lifecycle.failureOf(volume.volumeId) ?? "" } : { kind: "ok" };
    const initialization = this.model.initialization.describe(
      { volumeId: volume.volumeId, ...(volume.snapshotId !== undefined ? { snapshotId: volume.snapshotId } : {}), ...(volume.size !== undefined ? { size: volume.size } : {}) },
      state === undefined,
    );
    return volumeStatusFields(volume, condition, initialization, this.now());
  }

  /** Enable/Disable: each snapshot × zone pair succeeds, or fails on its own (a snapshot moto does not hold). */
  private async changeFastRestores(action: "EnableFastSnapshotRestores" | "DisableFastSnapshotRestores", params: Params, moto: MotoLookups): Promise<VolumeDecision> {
    const request = fastRestoreRequest(params);
    dryRun(params);
    const enable = action === "EnableFastSnapshotRestores";
    const successful: FastRestoreView[] = [];
    const failures: FastRestoreFailure[] = [];
    for (const snapshotId of new Set(request.snapshotIds)) {
      const snapshot = await moto.snapshots.one(snapshotId);
      for (const availabilityZone of new Set(request.availabilityZones)) {
        this.model.fastRestores.requestedPair({ action: enable ? "enable" : "disable", snapshotId, availabilityZone });
        if (snapshot === undefined) {
          failures.push({ snapshotId, availabilityZone, code: "InvalidSnapshot.NotFound", message: snapshotNotFoundMessage(snapshotId) });
          continue;
        }
        const ownerId = snapshot.ownerId ?? DEFAULT_OWNER_ID;
        successful.push(enable ? this.model.fastRestores.enable(snapshotId, availabilityZone, ownerId) : this.model.fastRestores.disable(snapshotId, availabilityZone, ownerId));
      }
    }
    return ok(action, fastRestoreAnswerFields(successful, failures));
  }
}

function dryRun(params: Params): void {
  if (isDryRun(params)) {
    throw dryRunSucceeded();
  }
}

function ok(action: string, fields: readonly XmlElement[]): VolumeDecision {
  return { kind: "answer", answer: { status: 200, body: ec2AnswerBody(action, fields) } };
}
