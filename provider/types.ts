/**
 * The plain shapes that cross the dynamic-provider boundary: what check, diff and the CRUD hooks receive
 * and return. They are JSON values only (no undefined, Date or class instances), because the host turns
 * every result into a protobuf Struct. Output names are a contract with every state file already written.
 */

/** Deadlines of the provider's own hooks, as duration strings ("90s", "10m", "2h"). */
export interface Timeouts {
  create?: string;
  update?: string;
  delete?: string;
}

export interface ProductCode {
  productCodeId: string;
  productCodeType: string;
}

export type SnapshotState = "pending" | "completed" | "error" | "recoverable" | "recovering";

/** Inputs of the `Snapshot` resource. */
export interface SnapshotInputs {
  volumeId: string;
  description?: string;
  outpostArn?: string;
  region?: string;
  tags?: Record<string, string>;
  waitForCompletion?: boolean;
  timeouts?: Timeouts;
  /** The resource's name in the program, set by the SDK class so that messages can name it. */
  __logicalName?: string;
  /** The resource's URN, set by the SDK class so that an interrupted create can be resumed. */
  __urn?: string;
}

/** State of the `Snapshot` resource: its inputs as given, plus what EC2 reports. */
export interface SnapshotOutputs extends SnapshotInputs {
  snapshotId: string;
  arn: string;
  state: SnapshotState;
  stateMessage?: string;
  /** Percent complete, 0-100. */
  progress?: number;
  encrypted?: boolean;
  kmsKeyId?: string;
  dataEncryptionKeyId?: string;
  ownerId?: string;
  ownerAlias?: string;
  /** GiB. */
  volumeSize?: number;
  startTime?: string;
  completionTime?: string;
  storageTier?: string;
  productCodes: ProductCode[];
  /** The snapshot's tags as EC2 has them (AWS's `aws:` tags and the provider's create token left out). */
  tags: Record<string, string>;
  /** The region the snapshot lives in, as resolved when it was created. */
  region: string;
}

/** Inputs of the `SnapshotSet` resource. */
export interface SnapshotSetInputs {
  instanceId: string;
  excludeBootVolume?: boolean;
  excludeDataVolumeIds?: string[];
  description?: string;
  copyTagsFromSource?: boolean;
  outpostArn?: string;
  region?: string;
  tags?: Record<string, string>;
  waitForCompletion?: boolean;
  timeouts?: Timeouts;
  __logicalName?: string;
  __urn?: string;
}

/** One volume's snapshot within a set. */
export interface SnapshotSetMember {
  snapshotId: string;
  volumeId: string;
  deviceName?: string;
  volumeSize?: number;
  encrypted?: boolean;
  kmsKeyId?: string;
  state: SnapshotState;
  stateMessage?: string;
  progress?: number;
  startTime?: string;
  tags: Record<string, string>;
  productCodes: ProductCode[];
}

export interface SnapshotSetOutputs extends SnapshotSetInputs {
  snapshotIds: string[];
  snapshots: SnapshotSetMember[];
  /** pending while any member is pending, error if any failed, completed when all are. */
  state: SnapshotState;
  /** True only if every member is encrypted. */
  encrypted: boolean;
  tags: Record<string, string>;
  region: string;
  /** Members recorded earlier that EC2 no longer has; present only when some are missing. */
  missingSnapshotIds?: string[];
}
