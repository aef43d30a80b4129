import type * as pulumi from "@pulumi/pulumi";

import type { Lock, Restore, Sharing, Timeouts, VolumeSetAttach, VolumeSetEntry, VolumeSetInitialization } from "../provider/types";

export type {
  Lock,
  ProductCode,
  Restore,
  Sharing,
  SnapshotSetMember,
  SnapshotState,
  StorageTier,
  Timeouts,
  VolumeSetAttach,
  VolumeSetEntry,
  VolumeSetInitialization,
  VolumeSetVolume,
  VolumeType,
} from "../provider/types";

/**
 * The provider's own deadlines. Pulumi's `customTimeouts` do not reach dynamic providers, so set these
 * instead. Each is `Timeouts` (from the spec) with Pulumi inputs, so the compiler keeps the two alike.
 */
export type TimeoutsArgs = { [K in keyof Timeouts]: pulumi.Input<NonNullable<Timeouts[K]>> };

/** Who may create volumes from the snapshots: `Sharing` (from the spec) with Pulumi inputs. */
export type SharingArgs = { [K in keyof Sharing]: pulumi.Input<NonNullable<Sharing[K]>> };

/** An EBS Snapshot Lock: `Lock` (from the spec) with Pulumi inputs. */
export type LockArgs = { [K in keyof Lock]: pulumi.Input<NonNullable<Lock[K]>> };

/** How an archived snapshot comes back: `Restore` (from the spec) with Pulumi inputs. */
export type RestoreArgs = { [K in keyof Restore]: pulumi.Input<NonNullable<Restore[K]>> };

/**
 * One snapshot to restore: `VolumeSetEntry` (from the spec) with Pulumi inputs. A SnapshotSet's
 * `snapshots` output fits it as it is.
 */
export type VolumeSetEntryArgs = { [K in keyof VolumeSetEntry]: pulumi.Input<NonNullable<VolumeSetEntry[K]>> };

/** Where restored volumes are attached: `VolumeSetAttach` (from the spec) with Pulumi inputs. */
export type VolumeSetAttachArgs = { [K in keyof VolumeSetAttach]: pulumi.Input<NonNullable<VolumeSetAttach[K]>> };

/** How restored volumes are initialized: `VolumeSetInitialization` (from the spec) with Pulumi inputs. */
export type VolumeSetInitializationArgs = { [K in keyof VolumeSetInitialization]: pulumi.Input<NonNullable<VolumeSetInitialization[K]>> };

/** The type token module of this package's resources: `pulumi-nodejs:dynamic/ebs-snapshots:<Type>`. */
export const MODULE = "ebs-snapshots";
