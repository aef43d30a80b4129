/**
 * The plain shapes that cross the dynamic-provider boundary: what check, diff and the CRUD hooks receive
 * and return. They are JSON values only (no undefined, Date or class instances), because the host turns
 * every result into a protobuf Struct. Output names are a contract with every state file already written.
 *
 * Each shape is inferred from the resource's spec (provider/resources/<name>/spec.ts), the one place
 * where inputs and outputs are declared.
 */
import type { SHARING, TIMEOUTS } from "./inputs/commonInputs";
import type { LOCK, RESTORE, STORAGE_TIER } from "./inputs/protectionInputs";
import type { InputsOf, ObjectOf, OutputsOf } from "./inputs/spec";
import type { SNAPSHOT_SPEC } from "./resources/snapshot/spec";
import type { SNAPSHOT_COPY_SPEC } from "./resources/snapshotCopy/spec";
import type { SNAPSHOT_SET_MEMBER, SNAPSHOT_SET_SPEC } from "./resources/snapshotSet/spec";
import type { PRODUCT_CODE, SNAPSHOT_STATE } from "./resources/snapshotTypes";
import type { ATTACH, INITIALIZATION, VOLUME_SET_ENTRY, VOLUME_SET_SPEC, VOLUME_SET_VOLUME, VOLUME_TYPE } from "./resources/volumeSet/spec";

/** Deadlines of the provider's own hooks, as duration strings ("90s", "10m", "2h"). */
export type Timeouts = ObjectOf<(typeof TIMEOUTS)["properties"]>;

/** Who may create volumes from a resource's snapshots. */
export type Sharing = ObjectOf<(typeof SHARING)["properties"]>;

/** An EBS Snapshot Lock: a mode, and a duration in days or an expiry time. */
export type Lock = ObjectOf<(typeof LOCK)["properties"]>;

/** How an archived snapshot is brought back to the standard tier. */
export type Restore = ObjectOf<(typeof RESTORE)["properties"]>;

export type StorageTier = (typeof STORAGE_TIER)["values"][number]["value"];

export type ProductCode = ObjectOf<(typeof PRODUCT_CODE)["properties"]>;

export type SnapshotState = (typeof SNAPSHOT_STATE)["values"][number]["value"];

/** The keys the SDK classes add to every resource's inputs, which the provider echoes in state. */
interface SdkBookkeeping {
  /** The resource's name in the program, set by the SDK class so that messages can name it. */
  __logicalName?: string;
  /** The resource's URN, set by the SDK class so that an interrupted create can be resumed. */
  __urn?: string;
}

/** Inputs of the `Snapshot` resource. */
export interface SnapshotInputs extends InputsOf<typeof SNAPSHOT_SPEC>, SdkBookkeeping {}

/** State of the `Snapshot` resource: its inputs as given, plus what EC2 reports. */
export interface SnapshotOutputs extends OutputsOf<typeof SNAPSHOT_SPEC>, SdkBookkeeping {}

/** Inputs of the `SnapshotSet` resource. */
export interface SnapshotSetInputs extends InputsOf<typeof SNAPSHOT_SET_SPEC>, SdkBookkeeping {}

/** One volume's snapshot within a set. */
export type SnapshotSetMember = ObjectOf<(typeof SNAPSHOT_SET_MEMBER)["properties"]>;

export interface SnapshotSetOutputs extends OutputsOf<typeof SNAPSHOT_SET_SPEC>, SdkBookkeeping {}

/** Inputs of the `SnapshotCopy` resource. */
export interface SnapshotCopyInputs extends InputsOf<typeof SNAPSHOT_COPY_SPEC>, SdkBookkeeping {}

/** State of the `SnapshotCopy` resource: its inputs as given, plus what EC2 reports of the copy. */
export interface SnapshotCopyOutputs extends OutputsOf<typeof SNAPSHOT_COPY_SPEC>, SdkBookkeeping {}

/** Inputs of the `VolumeSet` resource. */
export interface VolumeSetInputs extends InputsOf<typeof VOLUME_SET_SPEC>, SdkBookkeeping {}

/** State of the `VolumeSet` resource: its inputs as given, plus what EC2 reports of each volume. */
export interface VolumeSetOutputs extends OutputsOf<typeof VOLUME_SET_SPEC>, SdkBookkeeping {}

/** One snapshot a VolumeSet restores. */
export type VolumeSetEntry = ObjectOf<(typeof VOLUME_SET_ENTRY)["properties"]>;

/** One restored volume of a VolumeSet. */
export type VolumeSetVolume = ObjectOf<(typeof VOLUME_SET_VOLUME)["properties"]>;

export type VolumeSetAttach = ObjectOf<(typeof ATTACH)["properties"]>;

export type VolumeSetInitialization = ObjectOf<(typeof INITIALIZATION)["properties"]>;

export type VolumeType = (typeof VOLUME_TYPE)["values"][number]["value"];
