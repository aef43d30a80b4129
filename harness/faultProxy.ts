/**
 * A fault-injecting HTTP proxy between the AWS SDK and moto (the local EC2 emulator).
 *
 * Without rules it relays every request to moto and every answer back unchanged, except that the
 * answers of CreateSnapshot, CreateSnapshots, DescribeSnapshots and DescribeSnapshotAttribute, and of
 * CreateVolume and DescribeVolumes, pass through an XML rewrite (byte-identical when no rule applies,
 * apart from the CreateSnapshots `state` and the volume fields below), and that it answers the Snapshot
 * Lock, archive-tier, DescribeVolumeStatus and fast snapshot restore actions itself (below). Everything
 * else a test observes about snapshots and volumes comes from moto.
 *
 * EC2 behaviours this proxy supplies, which moto 5.2.1 lacks (tests should attribute them here):
 * - Faults: EC2 error answers with any code and status (throttling RequestLimitExceeded/503,
 *   InternalError/500, snapshot limits, IncorrectState, InvalidSnapshot.InUse, ...), connections reset
 *   before EC2 sees a request or after it acted (a lost CreateSnapshot answer), and answers held back
 *   past a client's timeout.
 * - Snapshot lifecycle: `pending` with rising Progress over a number of DescribeSnapshots answers,
 *   then `completed` or `error` with a StatusMessage; snapshots held `pending`; snapshots forced into
 *   `error`. moto reports every snapshot `completed`/"100%" at once.
 * - `RestorableByUserIds: ["all"]` on DescribeSnapshots: only public snapshots are listed (moto ignores
 *   the parameter and lists them all); the proxy asks moto each listed snapshot's createVolumePermission.
 * - Eventual consistency: new snapshots missing from DescribeSnapshots for their first lookups, and
 *   InvalidSnapshot.NotFound ("The snapshot 'snap-…' does not exist.") when a request names one in
 *   `SnapshotId.N`.
 * - `state` on every CreateSnapshots item (moto sends none): `pending` under a lifecycle rule,
 *   otherwise `completed`, agreeing with moto's "100%".
 * - Per-volume snapshot fields: KmsKeyId (moto does not copy the volume's key), DataEncryptionKeyId,
 *   OwnerAlias, StorageTier, CompletionTime (in CreateSnapshot and DescribeSnapshots answers), and
 *   ProductCodes via DescribeSnapshotAttribute(productCodes), which moto ignores; for that attribute
 *   the answer carries `productCodes` (empty when none) instead of moto's `createVolumePermission`.
 * - Snapshot Lock (no moto version has it; `faultProxy/snapshotLocks.ts`): LockSnapshot (governance,
 *   compliance with a cooling-off period, creating and modifying locks by EC2's rules; a duration lock
 *   on a pending snapshot starts when the proxy first reports it completed), UnlockSnapshot,
 *   DescribeLockedSnapshots, and DeleteSnapshot refused (SnapshotLocked, not forwarded) while a lock
 *   holds. Tests end a cooling-off period or a lock with endCoolOff / expireLock.
 * - The archive tier (moto 5.2.3 has it, 5.2.1 does not; `faultProxy/snapshotTiers.ts`):
 *   ModifySnapshotTier of completed snapshots with archiving progress over DescribeSnapshotTierStatus
 *   answers, RestoreSnapshotTier (temporary or permanent, in progress until completeRestore, a
 *   temporary one back in the archive on expireRestore), DescribeSnapshotTierStatus, StorageTier and
 *   RestoreExpiryTime in DescribeSnapshots answers, and CreateVolume refused (IncorrectState, not
 *   forwarded) from an archived snapshot.
 * These actions answer InvalidSnapshot.NotFound for a snapshot moto does not hold; the proxy judges a
 * snapshot's state by what it last reported for it, else by moto's. Faults still take them first.
 * - CreateVolume idempotency (`faultProxy/volumeClientTokens.ts`): a CreateVolume whose ClientToken
 *   moto already answered successfully (even if that answer was lost) is answered by the proxy with
 *   that volume as it is now, in CreateVolume's shape, and not forwarded; the same token with other
 *   parameters is refused (IdempotentParameterMismatch), and so is a token whose volume is deleted.
 * - Volume creation states (`faultProxy/volumeLifecycle.ts`): `creating` for a number of DescribeVolumes
 *   answers, `error` for volumes whose creation fails; AttachVolume of a volume the proxy reports
 *   `creating`, `error` or detaching is refused (IncorrectState), as is one a test's refuseAttach rule
 *   picks by volume or source snapshot (`faultProxy/attachRefusals.ts`); neither is forwarded.
 * - Attachment transitions (`faultProxy/volumeAttachments.ts`): `attaching` before `attached`, and
 *   `in-use` with the attachment `detaching` before `available`; DeleteVolume of a volume still
 *   detaching is refused (VolumeInUse).
 * - AttachVolume on a device already in use on the instance is refused (InvalidParameterValue), and
 *   DetachVolume without InstanceId is forwarded with the instance moto has the volume attached to
 *   (request log label "amended").
 * - Volume initialization (`faultProxy/volumeInitialization.ts`, `volumeStatus.ts`):
 *   volumeInitializationRate in CreateVolume and DescribeVolumes answers (the rate refused outside
 *   100–300 or without SnapshotId), fastRestored for volumes created while their snapshot's fast
 *   snapshot restore was `enabled` in their zone, and DescribeVolumeStatus for the volumes moto holds
 *   (InvalidVolume.NotFound otherwise) with initialization progress over a number of answers.
 * - Fast snapshot restore (no moto version has it; `faultProxy/fastSnapshotRestores.ts`):
 *   EnableFastSnapshotRestores, DisableFastSnapshotRestores and DescribeFastSnapshotRestores per
 *   snapshot and zone, enabling → optimizing → enabled and disabling → disabled over describe answers,
 *   and an unsuccessful item with InvalidSnapshot.NotFound for a snapshot moto does not hold.
 *
 * What moto 5.2.1 gets wrong about volumes (measured), beyond what the proxy supplies above:
 * - CreateVolume ignores ClientToken (the same token makes a second volume); new volumes are
 *   `available` at once; VolumeInitializationRate is accepted and ignored.
 * - CreateVolume from an encrypted snapshot gives an encrypted volume (correct), but it accepts
 *   `Encrypted=false` silently and a `Size` smaller than the snapshot, both of which EC2 refuses. The
 *   proxy does not refuse these: a test that needs the refusal injects it.
 * - AttachVolume answers `attaching` but DescribeVolumes shows `attached`/`in-use` at once; a device
 *   already in use on the instance is accepted. DetachVolume without InstanceId is an HTML 500; with it
 *   the volume is `available` at once.
 * - ModifyVolume and DescribeVolumesModifications work, and are `completed` at once (relayed unchanged).
 * - DescribeVolumeStatus and Enable/Disable/DescribeFastSnapshotRestores are HTML 500s.
 * - DescribeVolumes of a missing volume says InvalidVolume.NotFound with the id printed as a Python set
 *   ("The volume '{'vol-…'}' does not exist."); relayed unchanged.
 *
 * The proxy learns snapshot and volume ids only from answers that pass through it, so rules for "new"
 * snapshots or volumes see only those created through the proxy after the rule was registered.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { XmlParseError, parseXml, serializeXml } from "./xmlTree";
import { defaultErrorMessage, defaultErrorStatus, ec2ErrorBody, snapshotNotFoundMessage } from "./faultProxy/ec2ErrorResponse";
import { FaultRules, faultLabel, type FaultHandle, type FaultRule } from "./faultProxy/faultRules";
import { RequestLog, decodeQueryParams, signingKeyId, type RecordedRequest } from "./faultProxy/requestLog";
import type { RuleHandle } from "./faultProxy/ruleHandle";
import {
  SNAPSHOT_ACTIONS,
  invisibleSnapshotNamed,
  rewriteCreateSnapshot,
  rewriteCreateSnapshots,
  learnCopySnapshot,
  rewriteDescribeSnapshotAttribute,
  rewriteDescribeSnapshots,
  keepRestorableByAll,
  type SnapshotModel,
} from "./faultProxy/snapshotAnswers";
import { VolumeEnrichments, type SnapshotEnrichment } from "./faultProxy/snapshotEnrichment";
import { SnapshotLifecycle, type ProgressPlan, type SnapshotHold, type SnapshotSelector, type VisibilityDelay } from "./faultProxy/snapshotLifecycle";
import type { SnapshotLockView } from "./faultProxy/snapshotLocks";
import type { SnapshotTierView, TieringPlan } from "./faultProxy/snapshotTiers";
import { MotoSnapshots } from "./faultProxy/motoSnapshots";
import { MotoUnreachable } from "./faultProxy/motoRequest";
import { MotoVolumes } from "./faultProxy/motoVolumes";
import { SuppliedActions, type SuppliedAnswer } from "./faultProxy/suppliedActions";
import { UpstreamForwarder, type HttpAnswer } from "./faultProxy/upstreamForwarder";
import type { AttachFault, AttachSelector } from "./faultProxy/attachRefusals";
import type { FastRestoreAction, FastRestorePlan, FastRestoreView } from "./faultProxy/fastSnapshotRestores";
import { VOLUME_ACTIONS, VolumeActions } from "./faultProxy/volumeActions";
import type { InitializationPlan } from "./faultProxy/volumeInitialization";
import type { CreatingPlan, VolumeSelector } from "./faultProxy/volumeLifecycle";

export type { DelayFault, ErrorFault, FaultHandle, FaultMatch, FaultRule, ResetFault } from "./faultProxy/faultRules";
export type { RecordedRequest } from "./faultProxy/requestLog";
export type { RuleHandle } from "./faultProxy/ruleHandle";
export type { ProductCode, SnapshotEnrichment } from "./faultProxy/snapshotEnrichment";
export type { LifecycleEnd, ProgressPlan, SnapshotHold, SnapshotSelector, VisibilityDelay } from "./faultProxy/snapshotLifecycle";
export type { LockMode, LockState, SnapshotLockView } from "./faultProxy/snapshotLocks";
export type { SnapshotTierView, StorageTier, TieringOperationStatus, TieringPlan } from "./faultProxy/snapshotTiers";
export type { AttachFault, AttachSelector } from "./faultProxy/attachRefusals";
export type { FastRestoreAction, FastRestorePlan, FastRestoreState, FastRestoreView } from "./faultProxy/fastSnapshotRestores";
export type { InitializationPlan } from "./faultProxy/volumeInitialization";
export type { CreatingPlan, VolumeSelector } from "./faultProxy/volumeLifecycle";

export interface FaultProxy {
  /** http://127.0.0.1:PORT, for the SDK's `endpoint` or AWS_ENDPOINT_URL_EC2. */
  readonly endpoint: string;
  readonly port: number;

  /** Every request received, in arrival order. */
  readonly requests: readonly RecordedRequest[];
  requestsFor(action: string): RecordedRequest[];
  count(action: string): number;
  clearRequests(): void;

  /** Registers a fault; the first live matching fault (in registration order) takes each request. */
  inject(rule: FaultRule): FaultHandle;
  clearFaults(): void;

  /** Snapshots created from now on go pending with rising progress, then end as the plan says. */
  progressNewSnapshots(plan: ProgressPlan): RuleHandle;
  /** Snapshots created from now on stay pending (progress frozen) until the hold is released. */
  holdNewSnapshots(selector?: SnapshotSelector): SnapshotHold;
  /** Keeps a known snapshot pending until released. */
  holdPending(snapshotId: string): SnapshotHold;
  /** Reports a snapshot as `error` with this StatusMessage until removed. */
  forceError(snapshotId: string, message: string): RuleHandle;
  /** Snapshots created from now on are invisible to their first DescribeSnapshots lookups. */
  hideNewSnapshots(delay: VisibilityDelay): RuleHandle;
  /** Adds fields moto lacks to the snapshots of a volume. */
  enrich(volumeId: string, enrichment: SnapshotEnrichment): RuleHandle;
  /** The volume of a snapshot, as learned from answers that passed through the proxy. */
  volumeOf(snapshotId: string): string | undefined;

  /** Snapshot Lock: the cooling-off period of the snapshot's compliance lock lapses now (throws if it has none running). */
  endCoolOff(snapshotId: string): void;
  /** Snapshot Lock: the snapshot's lock expires now (throws if it has no live lock). */
  expireLock(snapshotId: string): void;
  /** Snapshot Lock: the snapshot's lock as DescribeLockedSnapshots would report it (expired included), or undefined. */
  lockOf(snapshotId: string): SnapshotLockView | undefined;

  /** Archive tier: archives started from now on take `archiveDescribes` DescribeSnapshotTierStatus answers (default 2). */
  tieringPlan(plan: TieringPlan): RuleHandle;
  /** Archive tier: keeps the snapshot's archiving in progress (progress frozen) until released. */
  holdTiering(snapshotId: string): SnapshotHold;
  /** Archive tier: the snapshot's restore in progress completes now (EC2 takes 24 to 72 hours). */
  completeRestore(snapshotId: string): void;
  /** Archive tier: the snapshot's temporary restore period ends now; it is back in the archive tier. */
  expireRestore(snapshotId: string): void;
  /** Archive tier: the snapshot's tiering as DescribeSnapshotTierStatus would report it, or undefined if never tiered. */
  tierOf(snapshotId: string): SnapshotTierView | undefined;

  /** Volumes: the volumes created from the snapshot through the proxy, in creation order (deleted ones included). */
  volumeFromSnapshot(snapshotId: string): string[];
  /** Volumes: the snapshot a volume created through the proxy was created from, or undefined (an empty volume, or one the proxy did not see created). */
  snapshotOfVolume(volumeId: string): string | undefined;
  /** Volumes created from now on (matching the selector) report `creating` in their CreateVolume answer and in `describes` DescribeVolumes answers (default 2), then moto's state. */
  creatingVolumes(plan?: CreatingPlan): RuleHandle;
  /** Volumes created from now on (matching) report `creating` for one DescribeVolumes answer, then `error` until deleted (DeleteVolume reaches moto as usual). */
  failNewVolumes(selector: VolumeSelector, message?: string): RuleHandle;
  /** AttachVolume of a matching volume answers EC2's error (default IncorrectState, 400, "vol-… is not 'available'.") and is not forwarded. */
  refuseAttach(selector: AttachSelector, fault?: AttachFault): RuleHandle;
  /** Attaches and detaches from now on take `describes` DescribeVolumes answers (default 1): `attaching` before `attached`; `in-use`/`detaching` before `available`. */
  attachingVolumes(describes?: number): RuleHandle;
  /** Volumes created from now on take `describes` DescribeVolumeStatus answers to initialize (default 3). */
  initializationPlan(plan: InitializationPlan): RuleHandle;

  /** Fast snapshot restore: enables from now on take `enablingDescribes` DescribeFastSnapshotRestores answers before `enabled` (default 2). */
  fastRestorePlan(plan: FastRestorePlan): RuleHandle;
  /** Fast snapshot restore: keeps the snapshot's pairs (now and later enabled) `enabling` until released. */
  holdFastRestoreEnabling(snapshotId: string): SnapshotHold;
  /** Fast snapshot restore: the pair as the proxy reports it now (no describe counted), or undefined when not listed. */
  fastRestoreOf(snapshotId: string, availabilityZone: string): FastRestoreView | undefined;
  /** Fast snapshot restore: every pair of every Enable/Disable request received, in order, whatever its outcome. */
  fastRestoreHistory(): FastRestoreAction[];
  /** Fast snapshot restore: the pair is `enabled` at once, as if someone else had enabled it an hour ago (not in the history). */
  enableFastRestoreOutside(snapshotId: string, availabilityZone: string): void;

  /** Forgets faults, lifecycle rules, enrichments, learned snapshots and volumes, locks, tiering, fast snapshot restores and the request log (pair with moto's reset). */
  reset(): void;
  /** Stops listening, destroys open connections and abandons held answers; resolves within about a second. */
  close(): Promise<void>;
}

const CLOSE_BOUND_MS = 1_000;
// Longer than any test's idle gap, so the SDK's keep-alive pool never races a server-side idle close
// (which would surface as a spurious ECONNRESET that no rule injected).
const KEEP_ALIVE_MS = 600_000;

class FaultProxyServer implements FaultProxy {
  readonly endpoint: string;
  readonly port: number;
  private readonly log = new RequestLog();
  private readonly faults = new FaultRules();
  private readonly model: SnapshotModel = { lifecycle: new SnapshotLifecycle(), enrichments: new VolumeEnrichments() };
  private readonly supplied = new SuppliedActions();
  private readonly volumes = new VolumeActions();
  private readonly sockets = new Set<Socket>();
  private readonly sleepers = new Set<() => void>();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly server: Server,
    private readonly forwarder: UpstreamForwarder,
    port: number,
  ) {
    this.port = port;
    this.endpoint = `http://127.0.0.1:${port}`;
    server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
    });
    server.on("request", (request: IncomingMessage, response: ServerResponse) => {
      this.handle(request, response).catch((error: unknown) => {
        // A bug in the proxy must not look like an EC2 fault the test asked for: fail loudly and visibly.
        if (!response.headersSent && !response.destroyed) {
          this.send(response, this.errorAnswer("FaultProxyFailure", `fault proxy failure: ${String(error)}`, 500));
        }
      });
    });
  }

  get requests(): readonly RecordedRequest[] {
    return this.log.all;
  }

  requestsFor(action: string): RecordedRequest[] {
    return this.log.of(action);
  }

  count(action: string): number {
    return this.log.count(action);
  }

  clearRequests(): void {
    this.log.clear();
  }

  inject(rule: FaultRule): FaultHandle {
    return this.faults.inject(rule);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  progressNewSnapshots(plan: ProgressPlan): RuleHandle {
    return this.model.lifecycle.progressNewSnapshots(plan);
  }

  holdNewSnapshots(selector?: SnapshotSelector): SnapshotHold {
    return this.model.lifecycle.holdNewSnapshots(selector);
  }

  holdPending(snapshotId: string): SnapshotHold {
    return this.model.lifecycle.holdPending(snapshotId);
  }

  forceError(snapshotId: string, message: string): RuleHandle {
    return this.model.lifecycle.forceError(snapshotId, message);
  }

  hideNewSnapshots(delay: VisibilityDelay): RuleHandle {
    return this.model.lifecycle.hideNewSnapshots(delay);
  }

  enrich(volumeId: string, enrichment: SnapshotEnrichment): RuleHandle {
    return this.model.enrichments.add(volumeId, enrichment);
  }

  volumeOf(snapshotId: string): string | undefined {
    return this.model.lifecycle.volumeOf(snapshotId);
  }

  endCoolOff(snapshotId: string): void {
    this.supplied.locks.endCoolOff(snapshotId);
  }

  expireLock(snapshotId: string): void {
    this.supplied.locks.expireLock(snapshotId);
  }

  lockOf(snapshotId: string): SnapshotLockView | undefined {
    return this.supplied.locks.lockOf(snapshotId);
  }

  tieringPlan(plan: TieringPlan): RuleHandle {
    return this.supplied.tiers.tieringPlan(plan);
  }

  holdTiering(snapshotId: string): SnapshotHold {
    return this.supplied.tiers.holdTiering(snapshotId);
  }

  completeRestore(snapshotId: string): void {
    this.supplied.tiers.completeRestore(snapshotId);
  }

  expireRestore(snapshotId: string): void {
    this.supplied.tiers.expireRestore(snapshotId);
  }

  tierOf(snapshotId: string): SnapshotTierView | undefined {
    return this.supplied.tiers.tierOf(snapshotId);
  }

  volumeFromSnapshot(snapshotId: string): string[] {
    return this.volumes.model.lifecycle.volumesFrom(snapshotId);
  }

  snapshotOfVolume(volumeId: string): string | undefined {
    return this.volumes.model.lifecycle.snapshotOf(volumeId);
  }

  creatingVolumes(plan?: CreatingPlan): RuleHandle {
    return this.volumes.model.lifecycle.creatingVolumes(plan);
  }

  failNewVolumes(selector: VolumeSelector, message?: string): RuleHandle {
    return this.volumes.model.lifecycle.failNewVolumes(selector, message);
  }

  refuseAttach(selector: AttachSelector, fault?: AttachFault): RuleHandle {
    return this.volumes.refusals.refuseAttach(selector, fault);
  }

  attachingVolumes(describes?: number): RuleHandle {
    return this.volumes.model.attachments.attachingVolumes(describes);
  }

  initializationPlan(plan: InitializationPlan): RuleHandle {
    return this.volumes.model.initialization.initializationPlan(plan);
  }

  fastRestorePlan(plan: FastRestorePlan): RuleHandle {
    return this.volumes.model.fastRestores.fastRestorePlan(plan);
  }

  holdFastRestoreEnabling(snapshotId: string): SnapshotHold {
    return this.volumes.model.fastRestores.holdEnabling(snapshotId);
  }

  fastRestoreOf(snapshotId: string, availabilityZone: string): FastRestoreView | undefined {
    return this.volumes.model.fastRestores.fastRestoreOf(snapshotId, availabilityZone);
  }

  fastRestoreHistory(): FastRestoreAction[] {
    return this.volumes.model.fastRestores.history();
  }

  enableFastRestoreOutside(snapshotId: string, availabilityZone: string): void {
    this.volumes.enableFastRestoreOutside(snapshotId, availabilityZone);
  }

  reset(): void {
    this.faults.clear();
    this.model.lifecycle.clear();
    this.model.enrichments.clear();
    this.supplied.clear();
    this.volumes.clear();
    this.log.clear();
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CLOSE_BOUND_MS);
      this.server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      for (const wake of this.sleepers) {
        wake();
      }
      this.forwarder.abortAll();
      for (const socket of this.sockets) {
        socket.destroy();
      }
    });
    return this.closing;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let clientGone = false;
    response.on("close", () => {
      clientGone = !response.writableFinished;
    });
    const body = await readBody(request);
    const params = decodeQueryParams(request.url ?? "/", body.toString("utf8"));
    const action = params["Action"] ?? "";
    const accessKeyId = signingKeyId(request.headers.authorization);
    const entry = this.log.add({ action, params, ...(accessKeyId !== undefined ? { accessKeyId } : {}), at: Date.now(), status: 0, forwarded: false });
    const fault = this.faults.take(action, params, accessKeyId);
    if (fault !== undefined) {
      entry.fault = faultLabel(fault);
    }
    const answerFromEc2 = (): Promise<HttpAnswer> => this.ec2Answer(request, body, entry);
    const deliver = (answer: HttpAnswer): void => {
      if (!clientGone && this.closing === undefined) {
        entry.status = answer.status;
        this.send(response, answer);
      }
    };

    if (fault?.kind === "error" && fault.afterForward !== true) {
      deliver(this.errorFaultAnswer(fault));
      return;
    }
    if (fault?.kind === "reset" && fault.phase === "before-forward") {
      request.socket.destroy();
      return;
    }
    if (fault?.kind === "delay" && fault.forwardFirst === false) {
      await this.sleep(fault.ms);
      if (clientGone || this.closing !== undefined) {
        return;
      }
      deliver(await answerFromEc2());
      return;
    }

    const answer = await answerFromEc2();
    if (fault?.kind === "error") {
      deliver(this.errorFaultAnswer(fault));
    } else if (fault?.kind === "reset") {
      request.socket.destroy();
    } else if (fault?.kind === "delay") {
      await this.sleep(fault.ms);
      deliver(answer);
    } else {
      deliver(answer);
    }
  }

  /**
   * What "EC2" answers: the proxy's own answer to an action moto lacks (or its refusal of a relayed
   * one), moto's answer rewritten by the snapshot model, or EC2's own NotFound for an invisible snapshot.
   */
  private async ec2Answer(request: IncomingMessage, body: Buffer, entry: RecordedRequest): Promise<HttpAnswer> {
    const { action, params } = entry;
    const moto = { snapshots: new MotoSnapshots(this.forwarder, request.headers.authorization), volumes: new MotoVolumes(this.forwarder, request.headers.authorization) };
    let supplied: SuppliedAnswer | undefined;
    let forwardBody = body;
    try {
      const decision = await this.volumes.decide(action, params, moto);
      if (decision.kind === "answer") {
        supplied = decision.answer;
      } else {
        if (decision.params !== undefined) {
          // moto checks no signature, so the proxy may complete a request moto cannot take as EC2 sends it.
          forwardBody = Buffer.from(new URLSearchParams(decision.params).toString(), "utf8");
          entry.fault = [entry.fault, "amended"].filter((label) => label !== undefined).join(",");
        }
        supplied = await this.supplied.answer(action, params, moto.snapshots);
      }
    } catch (error) {
      if (error instanceof MotoUnreachable) {
        return this.errorAnswer("FaultProxyUpstreamUnreachable", error.message, 502);
      }
      throw error;
    }
    if (supplied !== undefined) {
      if (supplied.label !== undefined) {
        entry.fault = [entry.fault, supplied.label].filter((label) => label !== undefined).join(",");
      }
      return { status: supplied.status, headers: { "content-type": "text/xml;charset=UTF-8" }, body: Buffer.from(supplied.body, "utf8") };
    }
    if (action === "DescribeSnapshots") {
      const invisible = invisibleSnapshotNamed(params, this.model);
      if (invisible !== undefined) {
        entry.fault = [entry.fault, `invisible:${invisible}`].filter((label) => label !== undefined).join(",");
        return this.errorAnswer("InvalidSnapshot.NotFound", snapshotNotFoundMessage(invisible), 400);
      }
    }
    let answer: HttpAnswer;
    try {
      entry.forwarded = true;
      answer = await this.forwarder.forward(request.method ?? "POST", request.url ?? "/", request.headers, forwardBody);
    } catch (error) {
      return this.errorAnswer("FaultProxyUpstreamUnreachable", `moto did not answer: ${String(error)}`, 502);
    }
    if (answer.status !== 200) {
      return answer;
    }
    const readsVolumes = VOLUME_ACTIONS.has(action);
    if (!SNAPSHOT_ACTIONS.has(action) && !readsVolumes) {
      this.supplied.observe(action, params, undefined);
      this.volumes.observe(action, params, undefined);
      return answer;
    }
    try {
      const document = parseXml(answer.body.toString("utf8"));
      if (readsVolumes) {
        this.volumes.observe(action, params, document);
        this.supplied.observe(action, params, undefined);
        return { ...answer, body: Buffer.from(serializeXml(document), "utf8") };
      }
      if (action === "CreateSnapshot") {
        rewriteCreateSnapshot(document, this.model);
      } else if (action === "CreateSnapshots") {
        rewriteCreateSnapshots(document, this.model);
      } else if (action === "CopySnapshot") {
        learnCopySnapshot(document, this.model);
      } else if (action === "DescribeSnapshots") {
        rewriteDescribeSnapshots(document, this.model);
        await keepRestorableByAll(document, params, (snapshotId) => moto.snapshots.isPublic(snapshotId));
      } else {
        rewriteDescribeSnapshotAttribute(document, params, this.model);
      }
      this.supplied.observe(action, params, document);
      return { ...answer, body: Buffer.from(serializeXml(document), "utf8") };
    } catch (error) {
      if (error instanceof XmlParseError) {
        entry.fault = "rewrite-failed";
        return this.errorAnswer("FaultProxyRewriteFailed", `cannot rewrite moto's ${action} answer: ${error.message}`, 500);
      }
      throw error;
    }
  }

  private errorFaultAnswer(fault: FaultRule & { kind: "error" }): HttpAnswer {
    return this.errorAnswer(fault.code, fault.message ?? defaultErrorMessage(fault.code), fault.status ?? defaultErrorStatus(fault.code));
  }

  private errorAnswer(code: string, message: string, status: number): HttpAnswer {
    return { status, headers: { "content-type": "text/xml;charset=UTF-8" }, body: Buffer.from(ec2ErrorBody(code, message), "utf8") };
  }

  private send(response: ServerResponse, answer: HttpAnswer): void {
    response.writeHead(answer.status, { ...answer.headers, "content-length": String(answer.body.length) });
    response.end(answer.body);
  }

  /** Waits `ms`, or less if the proxy closes meanwhile. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

/** Starts the proxy on a free loopback port, relaying to `upstream` (moto's endpoint). */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const upstreamUrl = new URL(upstream);
  if (upstreamUrl.protocol !== "http:") {
    throw new Error(`the fault proxy relays plain HTTP only, got ${upstream}`);
  }
  const server = createServer();
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.removeListener("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") {
    server.close();
    throw new Error("the fault proxy did not get a TCP port");
  }
  return new FaultProxyServer(server, new UpstreamForwarder(upstreamUrl), address.port);
}
