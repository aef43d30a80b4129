import type { RuleHandle } from "./ruleHandle";

export interface ProductCode {
  id: string;
  type: "marketplace" | "devpay";
}

/** Snapshot fields EC2 reports and moto does not, set per source volume by a test. */
export interface SnapshotEnrichment {
  kmsKeyId?: string;
  dataEncryptionKeyId?: string;
  ownerAlias?: string;
  storageTier?: "standard" | "archive";
  /** Answered by DescribeSnapshotAttribute(productCodes) only, as on EC2. */
  productCodes?: readonly ProductCode[];
  /** Adds CompletionTime: the moment the proxy first reported the snapshot `completed`. */
  completionTime?: boolean;
}

interface Registration {
  volumeId: string;
  enrichment: SnapshotEnrichment;
}

/** Enrichments by volume; several registrations for one volume merge, later fields winning. */
export class VolumeEnrichments {
  private registrations: Registration[] = [];

  add(volumeId: string, enrichment: SnapshotEnrichment): RuleHandle {
    const registration: Registration = { volumeId, enrichment: { ...enrichment } };
    this.registrations.push(registration);
    return {
      remove: () => {
        this.registrations = this.registrations.filter((entry) => entry !== registration);
      },
    };
  }

  forVolume(volumeId: string | undefined): SnapshotEnrichment | undefined {
    if (volumeId === undefined) {
      return undefined;
    }
    const matching = this.registrations.filter((entry) => entry.volumeId === volumeId);
    if (matching.length === 0) {
      return undefined;
    }
    return Object.assign({}, ...matching.map((entry) => entry.enrichment)) as SnapshotEnrichment;
  }

  clear(): void {
    this.registrations = [];
  }
}
