/**
 * The outputs every resource of one snapshot reports of it (Snapshot, SnapshotCopy), declared once;
 * only the documentation that names the resource is each one's own.
 */
import { lockOutputSpecs, STORAGE_TIER, tierOutputSpecs } from "../inputs/protectionInputs";
import { t } from "../inputs/spec";
import { PRODUCT_CODE, SNAPSHOT_STATE } from "./snapshotTypes";

export interface SnapshotOutputDocs {
  encrypted: string;
  kmsKeyId: string;
  volumeSize: string;
  productCodes: string;
  tags: string;
  region: string;
}

export function snapshotOutputSpecs<const D extends SnapshotOutputDocs>(docs: D) {
  return {
    snapshotId: { type: t.string, required: true, doc: "The snapshot id, `snap-...` (also the resource's id)." },
    arn: {
      type: t.string,
      required: true,
      doc: "`arn:aws:ec2:<region>::snapshot/<id>`. The partition follows the region (`aws-cn`, `aws-us-gov`, ...).",
    },
    state: {
      type: t.enum(SNAPSHOT_STATE),
      required: true,
      doc: "`pending`, `completed` or `error` (also `recoverable`/`recovering` for archived snapshots).",
    },
    stateMessage: { type: t.string, doc: "EC2's explanation when the snapshot failed." },
    progress: { type: t.number, doc: "Percent complete, 0-100." },
    encrypted: { type: t.boolean, doc: docs.encrypted },
    kmsKeyId: { type: t.string, doc: docs.kmsKeyId },
    dataEncryptionKeyId: { type: t.string, doc: "The data encryption key identifier, when EC2 reports one." },
    ownerId: { type: t.string, doc: "The AWS account that owns the snapshot." },
    ownerAlias: { type: t.string, doc: "The AWS owner alias (such as `amazon`), when EC2 reports one." },
    volumeSize: { type: t.integer, doc: docs.volumeSize },
    startTime: { type: t.string, doc: "ISO 8601 time the snapshot was started." },
    completionTime: { type: t.string, doc: "ISO 8601 time the snapshot completed, when EC2 reports it." },
    storageTier: {
      type: t.enum(STORAGE_TIER),
      doc: "Where EC2 keeps the snapshot now, `standard` or `archive`, when EC2 reports it. A temporarily restored snapshot reports `standard` until its restore ends.",
    },
    ...tierOutputSpecs(),
    productCodes: {
      type: t.list(t.object(PRODUCT_CODE)),
      required: true,
      doc: docs.productCodes,
    },
    tags: {
      type: t.map(t.string),
      required: true,
      doc: docs.tags,
    },
    sharing: { echo: true, doc: "The sharing asked for, as given." },
    sharedWithAccounts: {
      type: t.list(t.string),
      doc: "The accounts EC2 says may create volumes from the snapshots, read back on refresh so that changes made outside Pulumi show. Present when the program declares `sharing`, or when the snapshot is public; otherwise left out (the accounts were not read), never stale.",
    },
    public: { type: t.boolean, doc: "True when EC2 says anyone may create volumes from the snapshots; read on every refresh, whether or not the program declares `sharing`." },
    ...lockOutputSpecs(),
    region: { type: t.string, required: true, doc: docs.region },
  } as const;
}
