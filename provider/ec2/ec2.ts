import {
  CopySnapshotCommand,
  ModifySnapshotAttributeCommand,
  type CopySnapshotCommandInput,
  CreateSnapshotCommand,
  CreateSnapshotsCommand,
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DeleteTagsCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  AttachVolumeCommand,
  CreateVolumeCommand,
  DeleteVolumeCommand,
  DescribeFastSnapshotRestoresCommand,
  DescribeVolumeStatusCommand,
  DescribeVolumesModificationsCommand,
  DetachVolumeCommand,
  DisableFastSnapshotRestoresCommand,
  EnableFastSnapshotRestoresCommand,
  ModifyVolumeCommand,
  type CreateVolumeCommandInput,
  type DescribeFastSnapshotRestoreSuccessItem,
  type ModifyVolumeCommandInput,
  type VolumeModification,
  type VolumeStatusItem,
  DescribeLockedSnapshotsCommand,
  DescribeSnapshotTierStatusCommand,
  LockSnapshotCommand,
  ModifySnapshotTierCommand,
  RestoreSnapshotTierCommand,
  UnlockSnapshotCommand,
  type LockSnapshotCommandInput,
  type LockedSnapshotsInfo,
  type SnapshotTierStatus,
  type CreateSnapshotCommandInput,
  type CreateSnapshotsCommandInput,
  type EC2Client,
  type Filter,
  type Instance,
  type ProductCode as EC2ProductCode,
  type Snapshot,
  type SnapshotInfo,
  type Volume,
} from "@aws-sdk/client-ec2";
import type { Deadline } from "../lifecycle/deadline";
import {
  adviceFor,
  classifyError,
  CredentialsError,
  retryReason,
  type ClassifiedError,
  Ec2OperationError,
  EndpointError,
  endpointIsWrong,
  type CredentialSource,
  type EndpointInfo,
  type ErrorKind,
} from "./errors";
import { connectEc2 } from "./client";
import { markerFilters, markerTags, matchesMarker, type CreationMarker } from "../lifecycle/creationMarker";
import { ANNOUNCE_AFTER_MS, clockTime, writeLine } from "../messages/log";
import { acquireRequestBudget, type Ec2Action } from "../scheduling/requestBudget";
import { withRetry } from "./retry";
import type { Settings } from "../runtime/settings";
import { CREATE_TOKEN_TAG, toEc2Tags, type TagMap } from "../inputs/tags";
import type { ProductCode } from "../types";

/** EC2 rejects filters with more values than this; ids are looked up in chunks of this size. */
export const IDS_PER_FILTER = 200;

/**
 * Connection failures that mean the endpoint is wrong still get this many quick attempts (an emulator
 * may be just starting), then fail for good: seconds, not the hook's deadline.
 */
const WRONG_ENDPOINT_ATTEMPTS = 3;

interface CallOptions<T> {
  retryOn?: readonly ErrorKind[];
  recoverAmbiguous?: (signal: AbortSignal) => Promise<T | undefined>;
}

/**
 * The EC2 calls the provider makes, each with its retry policy. An instance lives for one hook call and
 * is bounded by that hook's deadline; it is created inside the hook, never captured.
 */
export class Ec2 {
  /** Attempts EC2 refused as throttled, over this instance's calls: the shared poller stretches its rounds on them. */
  throttledAttempts = 0;

  private constructor(
    readonly client: EC2Client,
    readonly region: string,
    readonly settings: Settings,
    readonly deadline: Deadline,
    readonly endpoint: EndpointInfo,
    readonly credentialSource: CredentialSource,
    /** The resource the calls are for, as lines about waits name it. */
    readonly label: string,
  ) {}

  /** `inputName` is the input that gave `regionInput` ("region", or a copy's "sourceRegion"), for messages. */
  static async connect(settings: Settings, deadline: Deadline, regionInput?: string, label = "EC2", inputName = "region"): Promise<Ec2> {
    const { client, region, endpoint, credentialSource } = await connectEc2(settings, regionInput, inputName);
    return new Ec2(client, region, settings, deadline, endpoint, credentialSource, label);
  }

  /** The same connection, bounded by another deadline. */
  withDeadline(deadline: Deadline): Ec2 {
    return new Ec2(this.client, this.region, this.settings, deadline, this.endpoint, this.credentialSource, this.label);
  }

  async describeVolume(volumeId: string): Promise<Volume | undefined> {
    return this.optional("DescribeVolumes", volumeId, async (signal) => {
      const out = await this.send("DescribeVolumes", (c) => c.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] }), { abortSignal: signal }), signal);
      return out.Volumes?.[0];
    });
  }

  /**
   * The volumes with these ids that exist. "Not found" means absent here as in every lookup: EC2 fails
   * a whole DescribeVolumes for one unknown id, so then each id is looked up alone.
   */
  async describeVolumes(volumeIds: readonly string[]): Promise<Volume[]> {
    if (volumeIds.length === 0) {
      return [];
    }
    const all = await this.optional("DescribeVolumes", volumeIds.join(","), async (signal) => {
      const out = await this.send("DescribeVolumes", (c) => c.send(new DescribeVolumesCommand({ VolumeIds: [...volumeIds] }), { abortSignal: signal }), signal);
      return out.Volumes ?? [];
    });
    if (all !== undefined) {
      return all;
    }
    const each = await Promise.all(volumeIds.map((id) => this.describeVolume(id)));
    return each.filter((volume): volume is Volume => volume !== undefined);
  }

  async describeInstance(instanceId: string): Promise<Instance | undefined> {
    return this.optional("DescribeInstances", instanceId, async (signal) => {
      const out = await this.send("DescribeInstances", (c) => c.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }), { abortSignal: signal }), signal);
      return out.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === instanceId);
    });
  }

  /**
   * CreateSnapshot, retried through the volume's snapshot limits and throttling. After a fault that
   * hid whether EC2 acted, it looks for the lost request's snapshot (awaitMarked) before sending again,
   * so it never makes two on purpose; `uncertain` tells the caller to sweep for a late duplicate.
   */
  async createSnapshot(input: Omit<CreateSnapshotCommandInput, "TagSpecifications">, marker: CreationMarker, pace: Pace = unpaced): Promise<Created<Snapshot>> {
    const volumeId = input.VolumeId ?? "";
    const request: CreateSnapshotCommandInput = {
      ...input,
      TagSpecifications: [{ ResourceType: "snapshot", Tags: markerTags(marker) }],
    };
    let uncertain = false;
    const snapshot = await this.call(
      "CreateSnapshot for volume",
      volumeId,
      async (signal) => pace(() => this.send("CreateSnapshot", (c) => c.send(new CreateSnapshotCommand(request), { abortSignal: signal }), signal)),
      {
        retryOn: ["snapshotLimit", "volumeRate", "incorrectState"],
        recoverAmbiguous: async () => {
          uncertain = true;
          return (await this.awaitMarked(marker, 1))?.[0];
        },
      },
    );
    return { value: snapshot, uncertain };
  }

  /**
   * CopySnapshot into this connection's region, with the same retry and recovery rules as
   * createSnapshot. EC2 answers with the new id alone, so the copy starts out as a pending snapshot
   * of that id, to be described.
   */
  async copySnapshot(input: Omit<CopySnapshotCommandInput, "TagSpecifications">, marker: CreationMarker, pace: Pace = unpaced): Promise<Created<Snapshot>> {
    const request: CopySnapshotCommandInput = { ...input, TagSpecifications: [{ ResourceType: "snapshot", Tags: markerTags(marker) }] };
    let uncertain = false;
    const snapshot = await this.call(
      "CopySnapshot of",
      input.SourceSnapshotId ?? "",
      async (signal): Promise<Snapshot> => {
        const out = await pace(() => this.send("CopySnapshot", (c) => c.send(new CopySnapshotCommand(request), { abortSignal: signal }), signal));
        return { SnapshotId: out.SnapshotId, State: "pending" };
      },
      {
        retryOn: ["snapshotLimit", "incorrectState"],
        recoverAmbiguous: async () => {
          uncertain = true;
          return (await this.awaitMarked(marker, 1))?.[0];
        },
      },
    );
    return { value: snapshot, uncertain };
  }

  /**
   * CreateSnapshots for a whole instance, with the same retry and recovery rules as createSnapshot;
   * `expected` is how many snapshots the set should have, so that recovery does not settle for part of it.
   */
  async createSnapshots(
    input: Omit<CreateSnapshotsCommandInput, "TagSpecifications">,
    marker: CreationMarker,
    expected: number,
    pace: Pace = unpaced,
  ): Promise<Created<SnapshotInfo[]>> {
    const instanceId = input.InstanceSpecification?.InstanceId ?? "";
    const request: CreateSnapshotsCommandInput = {
      ...input,
      TagSpecifications: [{ ResourceType: "snapshot", Tags: markerTags(marker) }],
    };
    let uncertain = false;
    const infos = await this.call(
      "CreateSnapshots for instance",
      instanceId,
      async (signal) => {
        const out = await pace(() => this.send("CreateSnapshots", (c) => c.send(new CreateSnapshotsCommand(request), { abortSignal: signal }), signal));
        return out.Snapshots ?? [];
      },
      {
        retryOn: ["snapshotLimit", "volumeRate", "incorrectState"],
        recoverAmbiguous: async () => {
          uncertain = true;
          return this.awaitMarked(marker, expected);
        },
      },
    );
    return { value: infos, uncertain };
  }

  /**
   * After a fault that hid whether EC2 acted on a create, looks for the request's snapshots until
   * `expected` of them are listed or the visibility grace has passed: EC2 may not list a new snapshot for
   * a while, and sending the request again before then would make a second one. Returns what was found,
   * or undefined if nothing was (the request never reached EC2, so it is safe to send again).
   */
  private async awaitMarked(marker: CreationMarker, expected: number): Promise<Snapshot[] | undefined> {
    const until = Date.now() + this.settings.visibilityGraceMs;
    for (;;) {
      const found = await this.findMarked(marker);
      const left = until - Date.now();
      if (found.length >= expected || left <= 0) {
        return found.length > 0 ? found : undefined;
      }
      await this.deadline.sleep(Math.min(this.settings.pollMinMs, left));
    }
  }

  /** The snapshots that carry the token of one create request, oldest first. */
  async findMarked(marker: CreationMarker): Promise<Snapshot[]> {
    const candidates = await this.findSnapshots(markerFilters(marker), marker.token);
    return candidates.filter((snapshot) => matchesMarker(snapshot, marker)).sort((a, b) => (a.StartTime?.getTime() ?? 0) - (b.StartTime?.getTime() ?? 0));
  }

  /**
   * The snapshots with these ids that exist, by id. Looks them up with a `snapshot-id` filter rather
   * than `SnapshotIds`, so that one id EC2 does not show yet (eventual consistency) or any more does not
   * fail the lookup of all the others.
   */
  async describeSnapshots(ids: readonly string[]): Promise<Map<string, Snapshot>> {
    return byIdChunks(
      ids,
      (snapshot: Snapshot) => snapshot.SnapshotId,
      (chunk) => this.findSnapshots([{ Name: "snapshot-id", Values: chunk }], chunk.join(",")),
    );
  }

  /** Who may create volumes from the snapshot: the accounts it is shared with, and whether it is public. */
  async volumePermissions(snapshotId: string): Promise<{ accounts: string[]; public: boolean }> {
    // A snapshot EC2 stopped listing between two calls has no permissions to report, rather than failing a refresh.
    const out = await this.optional("DescribeSnapshotAttribute", snapshotId, async (signal) =>
      this.send(
        "DescribeSnapshotAttribute",
        (c) => c.send(new DescribeSnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: "createVolumePermission" }), { abortSignal: signal }),
        signal,
      ),
    );
    const permissions = out?.CreateVolumePermissions ?? [];
    return {
      accounts: permissions.flatMap((p) => (p.UserId !== undefined ? [p.UserId] : [])).sort(),
      public: permissions.some((p) => p.Group === "all"),
    };
  }

  /**
   * Adds or removes createVolumePermission entries, and only those: the attribute is never reset. Sent
   * in the flat form (OperationType, UserId.N, UserGroup.N), which EC2 and emulators alike apply.
   */
  async changeVolumePermissions(snapshotId: string, operation: "add" | "remove", accounts: readonly string[], everyone: boolean): Promise<void> {
    if (accounts.length === 0 && !everyone) {
      return;
    }
    await this.call("ModifySnapshotAttribute", snapshotId, async (signal) =>
      this.send(
        "ModifySnapshotAttribute",
        (c) =>
          c.send(
            new ModifySnapshotAttributeCommand({
              SnapshotId: snapshotId,
              Attribute: "createVolumePermission",
              OperationType: operation,
              ...(accounts.length > 0 ? { UserIds: [...accounts] } : {}),
              ...(everyone ? { GroupNames: ["all"] } : {}),
            }),
            { abortSignal: signal },
          ),
        signal,
      ),
    );
  }

  /**
   * A snapshot by id whoever owns it (one another account shared with this one, say), or undefined when
   * this account cannot see it. The other lookups list this account's snapshots only.
   */
  async describeAnySnapshot(snapshotId: string): Promise<Snapshot | undefined> {
    return this.optional("DescribeSnapshots", snapshotId, async (signal) => {
      const out = await this.send("DescribeSnapshots", (c) => c.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }), { abortSignal: signal }), signal);
      return out.Snapshots?.find((s) => s.SnapshotId === snapshotId);
    });
  }

  /**
   * DescribeSnapshotAttribute productCodes; EC2 answers one attribute of one snapshot per call. For a
   * snapshot just created, EC2 may answer NotFound for a while (eventual consistency): that is retried
   * for up to the visibility grace, rather than read as "no product codes".
   */
  async productCodes(snapshotId: string, justCreated = false): Promise<ProductCode[]> {
    const describe = async (signal: AbortSignal): Promise<EC2ProductCode[]> => {
      const out = await this.send(
        "DescribeSnapshotAttribute",
        (c) => c.send(new DescribeSnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: "productCodes" }), { abortSignal: signal }),
        signal,
      );
      return out.ProductCodes ?? [];
    };
    // Only NotFound is bounded by the grace; throttling and other faults are retried until the hook's deadline.
    const until = justCreated ? Date.now() + this.settings.visibilityGraceMs : 0;
    let codes = await this.optional("DescribeSnapshotAttribute", snapshotId, describe);
    while (codes === undefined && Date.now() < until) {
      await this.deadline.sleep(Math.min(this.settings.pollMinMs, until - Date.now()));
      codes = await this.optional("DescribeSnapshotAttribute", snapshotId, describe);
    }
    return (codes ?? [])
      .filter((code) => code.ProductCodeId !== undefined)
      .map((code) => ({ productCodeId: code.ProductCodeId ?? "", productCodeType: code.ProductCodeType ?? "" }));
  }

  /** Locks the snapshot, or changes its lock (EC2 decides what a change may do; locking.ts checks its rules first). */
  async lockSnapshot(input: Omit<LockSnapshotCommandInput, "DryRun">): Promise<LockedSnapshotsInfo> {
    const snapshotId = input.SnapshotId ?? "";
    const out = await this.call("LockSnapshot", snapshotId, async (signal) =>
      this.send("LockSnapshot", (c) => c.send(new LockSnapshotCommand(input), { abortSignal: signal }), signal),
    );
    const { $metadata: _metadata, ...info } = out;
    return info;
  }

  async unlockSnapshot(snapshotId: string): Promise<void> {
    await this.call("UnlockSnapshot", snapshotId, async (signal) =>
      this.send("UnlockSnapshot", (c) => c.send(new UnlockSnapshotCommand({ SnapshotId: snapshotId }), { abortSignal: signal }), signal),
    );
  }

  /** The locks of these snapshots, by id (expired ones included); a snapshot never locked is absent. */
  async lockedSnapshots(ids: readonly string[]): Promise<Map<string, LockedSnapshotsInfo>> {
    return this.pagedById("DescribeLockedSnapshots", ids, async (chunk, token, signal) => {
      const out = await this.send(
        "DescribeLockedSnapshots",
        (c) => c.send(new DescribeLockedSnapshotsCommand({ SnapshotIds: chunk, ...(token ? { NextToken: token } : {}) }), { abortSignal: signal }),
        signal,
      );
      return { items: out.Snapshots, next: out.NextToken };
    });
  }

  /** Starts archiving a completed snapshot. */
  async archiveSnapshot(snapshotId: string): Promise<void> {
    await this.call("ModifySnapshotTier", snapshotId, async (signal) =>
      this.send("ModifySnapshotTier", (c) => c.send(new ModifySnapshotTierCommand({ SnapshotId: snapshotId, StorageTier: "archive" }), { abortSignal: signal }), signal),
    );
  }

  /** Starts restoring an archived snapshot: for some days, or for good. */
  async restoreSnapshot(snapshotId: string, restore: { temporaryDays: number } | { permanent: true }): Promise<void> {
    const request = "temporaryDays" in restore ? { TemporaryRestoreDays: restore.temporaryDays } : { PermanentRestore: true };
    await this.call("RestoreSnapshotTier", snapshotId, async (signal) =>
      this.send("RestoreSnapshotTier", (c) => c.send(new RestoreSnapshotTierCommand({ SnapshotId: snapshotId, ...request }), { abortSignal: signal }), signal),
    );
  }

  /** The archive-tier status of these snapshots, by id. */
  async tierStatuses(ids: readonly string[]): Promise<Map<string, SnapshotTierStatus>> {
    return this.pagedById("DescribeSnapshotTierStatus", ids, async (chunk, token, signal) => {
      const out = await this.send(
        "DescribeSnapshotTierStatus",
        (c) =>
          c.send(new DescribeSnapshotTierStatusCommand({ Filters: [{ Name: "snapshot-id", Values: chunk }], ...(token ? { NextToken: token } : {}) }), { abortSignal: signal }),
        signal,
      );
      return { items: out.SnapshotTierStatuses, next: out.NextToken };
    });
  }

  /** A lookup of snapshots by id, IDS_PER_FILTER ids a call and every page of each, gathered by snapshot id. */
  private async pagedById<T extends { SnapshotId?: string }>(
    operation: Ec2Action,
    ids: readonly string[],
    page: (chunk: string[], token: string | undefined, signal: AbortSignal) => Promise<{ items: T[] | undefined; next: string | undefined }>,
  ): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    const unique = [...new Set(ids)].filter((id) => id !== "");
    for (let i = 0; i < unique.length; i += IDS_PER_FILTER) {
      const chunk = unique.slice(i, i + IDS_PER_FILTER);
      await this.call(operation, chunk.join(","), async (signal) => {
        let token: string | undefined;
        do {
          const { items, next } = await page(chunk, token, signal);
          for (const item of items ?? []) {
            if (item.SnapshotId !== undefined) {
              found.set(item.SnapshotId, item);
            }
          }
          token = next;
        } while (token);
      });
    }
    return found;
  }

  async createTags(resourceIds: readonly string[], tags: TagMap): Promise<void> {
    if (resourceIds.length === 0 || Object.keys(tags).length === 0) {
      return;
    }
    await this.call("CreateTags on", resourceIds.join(","), async (signal) =>
      this.send("CreateTags", (c) => c.send(new CreateTagsCommand({ Resources: [...resourceIds], Tags: toEc2Tags(tags) }), { abortSignal: signal }), signal),
    );
  }

  /**
   * Removes the given tag keys. Refuses an empty key list outright: EC2 reads DeleteTags without tags
   * as "delete every user tag".
   */
  async deleteTags(resourceIds: readonly string[], keys: readonly string[]): Promise<void> {
    if (resourceIds.length === 0 || keys.length === 0) {
      return;
    }
    await this.call("DeleteTags on", resourceIds.join(","), async (signal) =>
      this.send("DeleteTags", (c) => c.send(new DeleteTagsCommand({ Resources: [...resourceIds], Tags: keys.map((Key) => ({ Key })) }), { abortSignal: signal }), signal),
    );
  }

  /**
   * Deletes a snapshot; true if it was deleted, false if it was already gone. `InvalidSnapshot.InUse`
   * (an AMI uses it) is retried until the deadline.
   */
  async deleteSnapshot(snapshotId: string): Promise<boolean> {
    const deleted = await this.optional(
      "DeleteSnapshot",
      snapshotId,
      async (signal) => this.send("DeleteSnapshot", (c) => c.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }), { abortSignal: signal }), signal),
      { retryOn: ["inUse", "incorrectState", "ambiguous"] },
    );
    return deleted !== undefined;
  }

  /** AMIs of this account that use the snapshot. Best effort: used only to make an error message precise. */
  async imagesUsing(snapshotId: string): Promise<string[]> {
    try {
      const out = await this.send(
        "DescribeImages",
        (c) =>
          c.send(new DescribeImagesCommand({ Owners: ["self"], Filters: [{ Name: "block-device-mapping.snapshot-id", Values: [snapshotId] }] }), {
            abortSignal: this.deadline.signal,
          }),
        this.deadline.signal,
      );
      return (out.Images ?? []).map((image) => image.ImageId ?? "").filter((id) => id !== "");
    } catch {
      return [];
    }
  }

  /**
   * Those of the ids that anyone may create volumes from (public), in one DescribeSnapshots per 200 ids
   * (`RestorableByUserIds: ["all"]`) instead of one DescribeSnapshotAttribute per snapshot. An endpoint
   * that ignores the parameter lists every id; callers confirm a public one with volumePermissions.
   */
  async publicSnapshots(ids: readonly string[]): Promise<Map<string, Snapshot>> {
    return byIdChunks(
      ids,
      (snapshot: Snapshot) => snapshot.SnapshotId,
      (chunk) => this.findSnapshots([{ Name: "snapshot-id", Values: chunk }], `public among ${chunk.join(",")}`, ["all"]),
    );
  }

  /** Every snapshot of this account that matches all the filters (paged); `restorableBy: ["all"]` keeps the public ones. */
  async findSnapshots(filters: Filter[], what: string, restorableBy?: readonly string[]): Promise<Snapshot[]> {
    // Never send DescribeSnapshots without a filter: that lists every public snapshot in the region.
    if (filters.length === 0 || filters.some((f) => (f.Values ?? []).length === 0)) {
      return [];
    }
    return this.call("DescribeSnapshots", what, async (signal) => {
      const snapshots: Snapshot[] = [];
      let nextToken: string | undefined;
      do {
        const out = await this.send(
          "DescribeSnapshots",
          (c) =>
            c.send(
              new DescribeSnapshotsCommand({
                OwnerIds: ["self"],
                ...(restorableBy !== undefined ? { RestorableByUserIds: [...restorableBy] } : {}),
                Filters: filters,
                MaxResults: 1000,
                ...(nextToken ? { NextToken: nextToken } : {}),
              }),
              { abortSignal: signal },
            ),
          signal,
        );
        snapshots.push(...(out.Snapshots ?? []));
        nextToken = out.NextToken;
      } while (nextToken);
      return snapshots;
    });
  }

  /**
   * CreateVolume from a snapshot, tagged with the create's marker. `clientToken` makes EC2 answer a
   * repeated request with the volume the first one made; after a fault that hid the answer, the marked
   * volume of this snapshot is looked for as well, so a lost answer is adopted, never duplicated.
   */
  async createVolume(input: Omit<CreateVolumeCommandInput, "TagSpecifications" | "ClientToken">, marker: CreationMarker, clientToken: string): Promise<Created<Volume>> {
    const request: CreateVolumeCommandInput = { ...input, ClientToken: clientToken, TagSpecifications: [{ ResourceType: "volume", Tags: markerTags(marker) }] };
    let uncertain = false;
    const volume = await this.call(
      "CreateVolume from snapshot",
      input.SnapshotId ?? "",
      async (signal): Promise<Volume> => {
        const out = await this.send("CreateVolume", (c) => c.send(new CreateVolumeCommand(request), { abortSignal: signal }), signal);
        return { ...out };
      },
      {
        retryOn: ["volumeCapacity", "incorrectState"],
        recoverAmbiguous: async () => {
          uncertain = true;
          return (await this.findMarkedVolumes(marker)).find((v) => v.SnapshotId === input.SnapshotId);
        },
      },
    );
    return { value: volume, uncertain };
  }

  /** The volumes that carry the token of one create, oldest first. */
  async findMarkedVolumes(marker: CreationMarker): Promise<Volume[]> {
    const found = await this.findVolumes(markerFilters(marker), marker.token);
    return found.filter((v) => (v.Tags ?? []).some((tag) => tag.Key === CREATE_TOKEN_TAG && tag.Value === marker.token));
  }

  /** Every volume of the account that matches all the filters (paged), oldest first. */
  async findVolumes(filters: Filter[], what: string): Promise<Volume[]> {
    const found = await this.call("DescribeVolumes", what, async (signal) => {
      const volumes: Volume[] = [];
      let nextToken: string | undefined;
      do {
        const out = await this.send(
          "DescribeVolumes",
          (c) => c.send(new DescribeVolumesCommand({ Filters: filters, MaxResults: 500, ...(nextToken ? { NextToken: nextToken } : {}) }), { abortSignal: signal }),
          signal,
        );
        volumes.push(...(out.Volumes ?? []));
        nextToken = out.NextToken;
      } while (nextToken);
      return volumes;
    });
    return found.sort((a, b) => (a.CreateTime?.getTime() ?? 0) - (b.CreateTime?.getTime() ?? 0));
  }

  /**
   * The volumes with these ids that exist, by id: looked up with a `volume-id` filter, so that one
   * volume deleted outside Pulumi does not fail the lookup of the others.
   */
  async volumesById(ids: readonly string[]): Promise<Map<string, Volume>> {
    return byIdChunks(
      ids,
      (volume: Volume) => volume.VolumeId,
      (chunk) => this.findVolumes([{ Name: "volume-id", Values: chunk }], chunk.join(",")),
    );
  }

  /**
   * How far each volume's initialization has come (DescribeVolumeStatus), by id. Best effort: the
   * fields are informational, and some EC2-compatible endpoints do not serve the call, so any failure
   * gives no statuses instead of failing the hook.
   */
  async volumeStatuses(ids: readonly string[]): Promise<Map<string, VolumeStatusItem>> {
    const statuses = new Map<string, VolumeStatusItem>();
    if (ids.length === 0) {
      return statuses;
    }
    try {
      const out = await this.send(
        "DescribeVolumeStatus",
        (c) => c.send(new DescribeVolumeStatusCommand({ VolumeIds: [...ids] }), { abortSignal: this.deadline.signal }),
        this.deadline.signal,
      );
      for (const item of out.VolumeStatuses ?? []) {
        if (item.VolumeId !== undefined) {
          statuses.set(item.VolumeId, item);
        }
      }
    } catch {
      // Left out: the outputs then carry no initialization fields.
    }
    return statuses;
  }

  /**
   * AttachVolume; IncorrectState (the volume is not available yet) is waited through. After a fault that
   * hid whether EC2 acted, the volume is described first: attached (or attaching) there already is done.
   */
  async attachVolume(volumeId: string, instanceId: string, device: string): Promise<void> {
    const attached = async (): Promise<true | undefined> => {
      const volume = await this.describeVolume(volumeId);
      return (volume?.Attachments ?? []).some((a) => a.InstanceId === instanceId && a.Device === device && (a.State === "attached" || a.State === "attaching")) ? true : undefined;
    };
    await this.call(
      "AttachVolume",
      `${volumeId} to ${instanceId} at ${device}`,
      async (signal): Promise<true> => {
        await this.send("AttachVolume", (c) => c.send(new AttachVolumeCommand({ VolumeId: volumeId, InstanceId: instanceId, Device: device }), { abortSignal: signal }), signal);
        return true;
      },
      { retryOn: ["incorrectState"], recoverAmbiguous: attached },
    );
  }

  /**
   * DetachVolume; false when the volume or its attachment is already gone. After a fault that hid
   * whether EC2 acted, the volume is described first: no live attachment to the instance is done.
   */
  async detachVolume(volumeId: string, instanceId: string, device: string | undefined, force: boolean): Promise<boolean> {
    const detached = async (): Promise<true | undefined> => {
      const volume = await this.describeVolume(volumeId);
      return (volume?.Attachments ?? []).some((a) => a.InstanceId === instanceId && a.State !== "detached" && a.State !== "detaching") ? undefined : true;
    };
    const done = await this.optional(
      "DetachVolume",
      volumeId,
      async (signal): Promise<true> => {
        await this.send(
          "DetachVolume",
          (c) =>
            c.send(
              new DetachVolumeCommand({ VolumeId: volumeId, InstanceId: instanceId, ...(device !== undefined ? { Device: device } : {}), ...(force ? { Force: true } : {}) }),
              { abortSignal: signal },
            ),
          signal,
        );
        return true;
      },
      { retryOn: ["incorrectState"], recoverAmbiguous: detached },
    );
    return done !== undefined;
  }

  /** DeleteVolume; false when it was already gone. A volume still detaching (VolumeInUse, IncorrectState) is retried. */
  async deleteVolume(volumeId: string): Promise<boolean> {
    const deleted = await this.optional(
      "DeleteVolume",
      volumeId,
      async (signal) => this.send("DeleteVolume", (c) => c.send(new DeleteVolumeCommand({ VolumeId: volumeId }), { abortSignal: signal }), signal),
      { retryOn: ["incorrectState", "ambiguous"] },
    );
    return deleted !== undefined;
  }

  async modifyVolume(input: ModifyVolumeCommandInput): Promise<void> {
    await this.call(
      "ModifyVolume",
      input.VolumeId ?? "",
      async (signal) => this.send("ModifyVolume", (c) => c.send(new ModifyVolumeCommand(input), { abortSignal: signal }), signal),
      { retryOn: ["incorrectState"] },
    );
  }

  /** The latest modification of each volume, by id (DescribeVolumesModifications). */
  async volumeModifications(ids: readonly string[]): Promise<Map<string, VolumeModification>> {
    const out = await this.call("DescribeVolumesModifications", ids.join(","), async (signal) =>
      this.send("DescribeVolumesModifications", (c) => c.send(new DescribeVolumesModificationsCommand({ VolumeIds: [...ids] }), { abortSignal: signal }), signal),
    );
    const latest = new Map<string, VolumeModification>();
    for (const item of out.VolumesModifications ?? []) {
      const known = latest.get(item.VolumeId ?? "");
      if (item.VolumeId !== undefined && (known === undefined || (known.StartTime?.getTime() ?? 0) <= (item.StartTime?.getTime() ?? 0))) {
        latest.set(item.VolumeId, item);
      }
    }
    return latest;
  }

  /** Enables or disables fast snapshot restore of the snapshots in one zone; the refusals EC2 lists per snapshot are returned. */
  async fastSnapshotRestores(operation: "enable" | "disable", snapshotIds: readonly string[], zone: string): Promise<{ snapshotId: string; code: string; message: string }[]> {
    const action = operation === "enable" ? "EnableFastSnapshotRestores" : "DisableFastSnapshotRestores";
    const out = await this.call(action, snapshotIds.join(","), async (signal) =>
      operation === "enable"
        ? this.send(
            action,
            (c) => c.send(new EnableFastSnapshotRestoresCommand({ AvailabilityZones: [zone], SourceSnapshotIds: [...snapshotIds] }), { abortSignal: signal }),
            signal,
          )
        : this.send(
            action,
            (c) => c.send(new DisableFastSnapshotRestoresCommand({ AvailabilityZones: [zone], SourceSnapshotIds: [...snapshotIds] }), { abortSignal: signal }),
            signal,
          ),
    );
    return (out.Unsuccessful ?? []).flatMap((item) =>
      (item.FastSnapshotRestoreStateErrors ?? []).map((e) => ({ snapshotId: item.SnapshotId ?? "", code: e.Error?.Code ?? "Unknown", message: e.Error?.Message ?? "" })),
    );
  }

  /** Fast snapshot restore of these snapshots in one zone, by snapshot id (absent when disabled). */
  async fastSnapshotRestoreStates(snapshotIds: readonly string[], zone: string): Promise<Map<string, DescribeFastSnapshotRestoreSuccessItem>> {
    const found = new Map<string, DescribeFastSnapshotRestoreSuccessItem>();
    await this.call("DescribeFastSnapshotRestores", snapshotIds.join(","), async (signal) => {
      let nextToken: string | undefined;
      do {
        const out = await this.send(
          "DescribeFastSnapshotRestores",
          (c) =>
            c.send(
              new DescribeFastSnapshotRestoresCommand({
                Filters: [
                  { Name: "snapshot-id", Values: [...snapshotIds] },
                  { Name: "availability-zone", Values: [zone] },
                ],
                ...(nextToken ? { NextToken: nextToken } : {}),
              }),
              { abortSignal: signal },
            ),
          signal,
        );
        for (const item of out.FastSnapshotRestores ?? []) {
          if (item.SnapshotId !== undefined && item.AvailabilityZone === zone) {
            found.set(item.SnapshotId, item);
          }
        }
        nextToken = out.NextToken;
      } while (nextToken);
    });
    return found;
  }

  /** Like call, but "not found" is an answer (undefined), not an error. */
  private async optional<T>(operation: string, resourceId: string, run: (signal: AbortSignal) => Promise<T>, options: CallOptions<T> = {}): Promise<T | undefined> {
    try {
      return await this.call(operation, resourceId, run, options);
    } catch (error) {
      if (error instanceof Ec2OperationError && error.kind === "notFound") {
        return undefined;
      }
      throw error;
    }
  }

  /** Runs one call with retries; a final failure becomes an Ec2OperationError naming the resource. */
  private async call<T>(operation: string, resourceId: string, run: (signal: AbortSignal) => Promise<T>, options: CallOptions<T> = {}): Promise<T> {
    let wrongEndpoint = 0;
    const guarded = async (signal: AbortSignal): Promise<T> => {
      try {
        return await run(signal);
      } catch (error) {
        const failure = classifyError(error);
        if (endpointIsWrong(failure, this.endpoint)) {
          wrongEndpoint += 1;
          if (failure.kind === "notEc2" || wrongEndpoint >= WRONG_ENDPOINT_ATTEMPTS) {
            throw new EndpointError(this.endpoint, `${operation} ${resourceId}`, error, wrongEndpoint);
          }
        }
        throw error;
      }
    };
    // One line when a call starts waiting through a kind of refusal, not one per attempt.
    const announced = new Set<string>();
    const onRetry = (failure: ClassifiedError, delayMs: number): void => {
      if (failure.kind === "throttled") {
        this.throttledAttempts += 1;
      }
      if (announced.has(failure.code) || delayMs < ANNOUNCE_AFTER_MS) {
        return;
      }
      announced.add(failure.code);
      const answered = failure.httpStatus !== undefined ? `EC2 answered ${failure.code}` : `the connection failed (${failure.code})`;
      writeLine(
        `${this.label}: ${operation} ${resourceId}: ${answered}, because ${retryReason(failure.kind)}; ` +
          `retrying with backoff until it goes through, or until the deadline at ${clockTime(this.deadline.at)}`,
      );
    };
    try {
      return await withRetry(guarded, {
        onRetry,
        deadline: this.deadline,
        settings: this.settings,
        retryOn: options.retryOn ?? ["ambiguous"],
        ...(options.recoverAmbiguous ? { recoverAmbiguous: options.recoverAmbiguous } : {}),
      });
    } catch (error) {
      if (error instanceof Ec2OperationError || error instanceof EndpointError || classifyError(error).kind === "aborted") {
        throw error;
      }
      const { kind, code } = classifyError(error);
      if (kind === "credentials") {
        throw new CredentialsError(`${operation} ${resourceId}`, this.credentialSource, error);
      }
      throw new Ec2OperationError(operation, resourceId, error, adviceFor(kind, code));
    }
  }

  /** Every request passes through the account's request budget before it is sent. */
  private async send<T>(action: Ec2Action, request: (client: EC2Client) => Promise<T>, signal: AbortSignal): Promise<T> {
    await acquireRequestBudget(this.region, action, signal, (line, waitMs) => {
      if (waitMs >= ANNOUNCE_AFTER_MS) {
        writeLine(`${this.label}: ${line}`);
      }
    });
    return request(this.client);
  }
}

/** Looks ids up a filter's worth (IDS_PER_FILTER) at a time, so that one id EC2 does not list never fails the others; what is found, by id. */
async function byIdChunks<T>(ids: readonly string[], idOf: (item: T) => string | undefined, lookup: (chunk: string[]) => Promise<T[]>): Promise<Map<string, T>> {
  const found = new Map<string, T>();
  const unique = [...new Set(ids)].filter((id) => id !== "");
  for (let i = 0; i < unique.length; i += IDS_PER_FILTER) {
    for (const item of await lookup(unique.slice(i, i + IDS_PER_FILTER))) {
      const id = idOf(item);
      if (id !== undefined) {
        found.set(id, item);
      }
    }
  }
  return found;
}

/**
 * Sends one create request when the volume allows it (volumeAdmission's Admission.send): each attempt
 * goes through it, so per-volume spacing holds for retries too.
 */
export type Pace = <T>(request: () => Promise<T>) => Promise<T>;

const unpaced: Pace = (request) => request();

/** The result of a create call, and whether a fault hid the answer of one of its attempts. */
export interface Created<T> {
  value: T;
  uncertain: boolean;
}
