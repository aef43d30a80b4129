import type { IncomingHttpHeaders } from "node:http";
import { childElement, childElements, childText, parseXml, type XmlElement } from "../xmlTree";
import type { HttpAnswer, UpstreamForwarder } from "./upstreamForwarder";

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

/** moto could not be asked (connection refused or reset, the proxy closing). */
export class MotoUnreachable extends Error {
  override readonly name = "MotoUnreachable";
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

function errorCodeIn(root: XmlElement): string | undefined {
  const error = childElement(childElement(root, "Errors") ?? root, "Error");
  return error === undefined ? undefined : childText(error, "Code");
}

/**
 * Asks moto directly which snapshots exist, bypassing the proxy's rewrite: a lookup made on behalf of a
 * supplied action must not advance a progress plan or take an invisible lookup.
 *
 * moto checks no signature, but it picks the emulated service from the credential scope of the
 * Authorization header; a request without one is routed to its S3 backend. So a lookup carries the
 * client's own header (same account, same region) or, for an unsigned client, an us-east-1 EC2 scope.
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
    const root = await this.ask({ Action: "DescribeSnapshotAttribute", Version: "2016-11-15", SnapshotId: snapshotId, Attribute: "createVolumePermission" });
    const permissions = root === undefined ? undefined : childElement(root, "createVolumePermission");
    return (permissions === undefined ? [] : childElements(permissions, "item")).some((item) => childText(item, "group") === "all");
  }

  /** One request to moto with the caller's credential scope; undefined when moto answers with an error. */
  private async ask(params: Readonly<Record<string, string>>): Promise<XmlElement | undefined> {
    const body = Buffer.from(new URLSearchParams(params).toString(), "utf8");
    let answer: HttpAnswer;
    try {
      answer = await this.forwarder.forward("POST", "/", this.headers(), body);
    } catch (error) {
      throw new MotoUnreachable(`moto did not answer the proxy's ${params.Action}: ${String(error)}`);
    }
    return answer.status === 200 ? parseXml(answer.body.toString("utf8")).root : undefined;
  }

  private headers(): IncomingHttpHeaders {
    return {
      "content-type": "application/x-www-form-urlencoded; charset=utf-8",
      authorization: this.authorization ?? "AWS4-HMAC-SHA256 Credential=fault-proxy/20240101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=unsigned",
    };
  }

  private async describe(extra: Readonly<Record<string, string>>): Promise<MotoSnapshot[]> {
    const body = Buffer.from(new URLSearchParams({ Action: "DescribeSnapshots", Version: "2016-11-15", ...extra }).toString(), "utf8");
    let answer: HttpAnswer;
    try {
      answer = await this.forwarder.forward("POST", "/", this.headers(), body);
    } catch (error) {
      throw new MotoUnreachable(`moto did not answer the proxy's DescribeSnapshots: ${String(error)}`);
    }
    const text = answer.body.toString("utf8");
    const root = parseXml(text).root;
    if (answer.status === 200) {
      return snapshotsIn(root);
    }
    if (errorCodeIn(root) === "InvalidSnapshot.NotFound") {
      return [];
    }
    throw new Error(`moto answered the proxy's DescribeSnapshots with HTTP ${answer.status}: ${text}`);
  }
}
