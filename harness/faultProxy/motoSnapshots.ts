import { childElement, childElements, childText, type XmlElement } from "../xmlTree";
import { askMoto, motoErrorCode } from "./motoRequest";
import type { UpstreamForwarder } from "./upstreamForwarder";

/** What the proxy's supplied actions need to know of a snapshot moto holds. */
export interface MotoSnapshot {
  snapshotId: string;
  volumeId?: string;
  /** moto's state, always `completed`; the proxy's own report of the snapshot takes precedence. */
  status?: string;
  ownerId?: string;
  /** moto's `tagSet` element, as it answered it. */
  tagSet?: XmlElement;
}

function present<K extends string>(name: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [name]: value } as Partial<Record<K, string>>);
}

// moto's DescribeSnapshots wraps the snapshots in `snapshotSet`, each an `item`.
function snapshotsIn(root: XmlElement): MotoSnapshot[] {
  const set = childElement(root, "snapshotSet");
  return (set === undefined ? [] : childElements(set, "item")).flatMap((item): MotoSnapshot[] => {
    const snapshotId = childText(item, "snapshotId");
    if (snapshotId === undefined) {
      return [];
    }
    const tagSet = childElement(item, "tagSet");
    const snapshot: MotoSnapshot = {
      snapshotId,
      ...present("volumeId", childText(item, "volumeId")),
      ...present("status", childText(item, "status")),
      ...present("ownerId", childText(item, "ownerId")),
      ...(tagSet !== undefined ? { tagSet } : {}),
    };
    return [snapshot];
  });
}

/**
 * Asks moto directly which snapshots exist, bypassing the proxy's rewrite: a lookup made on behalf of a
 * supplied action must not advance a progress plan or take an invisible lookup (motoRequest.ts says
 * how it is signed).
 */
export class MotoSnapshots {
  constructor(
    private readonly forwarder: UpstreamForwarder,
    private readonly authorization: string | undefined,
  ) {}

  /** The snapshot, or undefined when moto does not know it. */
  async one(snapshotId: string): Promise<MotoSnapshot | undefined> {
    return (await this.describe({ "SnapshotId.1": snapshotId }))[0];
  }

  /** Every snapshot moto holds for the caller's account and region. */
  async all(): Promise<MotoSnapshot[]> {
    return this.describe({});
  }

  /** Whether anyone may create volumes from the snapshot (moto's createVolumePermission holds the group `all`). */
  async isPublic(snapshotId: string): Promise<boolean> {
    const answer = await askMoto(this.forwarder, this.authorization, { Action: "DescribeSnapshotAttribute", SnapshotId: snapshotId, Attribute: "createVolumePermission" });
    const permissions = answer.status === 200 ? childElement(answer.root, "createVolumePermission") : undefined;
    return (permissions === undefined ? [] : childElements(permissions, "item")).some((item) => childText(item, "group") === "all");
  }

  private async describe(extra: Readonly<Record<string, string>>): Promise<MotoSnapshot[]> {
    const answer = await askMoto(this.forwarder, this.authorization, { Action: "DescribeSnapshots", ...extra });
    if (answer.status === 200) {
      return snapshotsIn(answer.root);
    }
    if (motoErrorCode(answer.root) === "InvalidSnapshot.NotFound") {
      return [];
    }
    throw new Error(`moto answered the proxy's DescribeSnapshots with HTTP ${answer.status}: ${answer.text}`);
  }
}
