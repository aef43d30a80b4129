import { childElement, childElements, childText, type XmlElement } from "../xmlTree";
import { askMoto, motoErrorCode } from "./motoRequest";
import type { UpstreamForwarder } from "./upstreamForwarder";

/** One attachment of a volume, as moto's DescribeVolumes reports it. */
export interface MotoAttachment {
  instanceId: string;
  device?: string;
}

/** What the proxy's volume actions need to know of a volume moto holds. */
export interface MotoVolume {
  volumeId: string;
  /** moto's state: `available` or `in-use` (it has no `creating`). */
  status?: string;
  availabilityZone?: string;
  size?: number;
  snapshotId?: string;
  attachments: MotoAttachment[];
  /** moto's whole `item`, for answers the proxy rebuilds from it (a replayed CreateVolume). */
  item: XmlElement;
}

function present<K extends string>(name: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [name]: value } as Partial<Record<K, string>>);
}

function volumesIn(root: XmlElement): MotoVolume[] {
  const set = childElement(root, "volumeSet");
  return (set === undefined ? [] : childElements(set, "item")).flatMap((item): MotoVolume[] => {
    const volumeId = childText(item, "volumeId");
    if (volumeId === undefined) {
      return [];
    }
    const attachmentSet = childElement(item, "attachmentSet");
    const attachments = (attachmentSet === undefined ? [] : childElements(attachmentSet, "item")).flatMap((attachment): MotoAttachment[] => {
      const instanceId = childText(attachment, "instanceId");
      return instanceId === undefined ? [] : [{ instanceId, ...present("device", childText(attachment, "device")) }];
    });
    const size = childText(item, "size");
    const volume: MotoVolume = {
      volumeId,
      ...present("status", childText(item, "status")),
      ...present("availabilityZone", childText(item, "availabilityZone")),
      ...present("snapshotId", childText(item, "snapshotId")),
      ...(size !== undefined && /^\d+$/.test(size) ? { size: Number(size) } : {}),
      attachments,
      item,
    };
    return [volume];
  });
}

/**
 * Asks moto directly which volumes exist, bypassing the proxy's rewrite: a lookup made on behalf of an
 * action the proxy answers or refuses must not count as a DescribeVolumes answer (it would advance a
 * `creating` or `attaching` plan). Signed like MotoSnapshots, for the same reason (moto routes by the
 * credential scope).
 */
export class MotoVolumes {
  constructor(
    private readonly forwarder: UpstreamForwarder,
    private readonly authorization: string | undefined,
  ) {}

  /** The volume, or undefined when moto does not know it. */
  async one(volumeId: string): Promise<MotoVolume | undefined> {
    return (await this.describe({ "VolumeId.1": volumeId }))[0];
  }

  /** Every volume moto holds for the caller's account and region. */
  async all(): Promise<MotoVolume[]> {
    return this.describe({});
  }

  /** The volumes moto has attached to the instance (its root volume included). */
  async attachedTo(instanceId: string): Promise<MotoVolume[]> {
    return this.describe({ "Filter.1.Name": "attachment.instance-id", "Filter.1.Value.1": instanceId });
  }

  private async describe(extra: Readonly<Record<string, string>>): Promise<MotoVolume[]> {
    const answer = await askMoto(this.forwarder, this.authorization, { Action: "DescribeVolumes", ...extra });
    if (answer.status === 200) {
      return volumesIn(answer.root);
    }
    if (motoErrorCode(answer.root) === "InvalidVolume.NotFound") {
      return [];
    }
    throw new Error(`moto answered the proxy's DescribeVolumes with HTTP ${answer.status}: ${answer.text}`);
  }
}
