/**
 * The provider behind `pulumi-ebs-snapshots/provider`. The serialized provider that Pulumi stores in
 * each resource's state is a small shim (sdk/providerShim.ts) that require()s this module by package
 * name inside every hook, so the code that runs is always the installed version, and state never holds
 * a client, a credential or the provider's source.
 *
 * Stable contract: this entry point and the hook names below are read by every shim ever serialized.
 */
import type { ConfigureRequest } from "./lifecycle/hookTypes";
import { configureFromStack } from "./runtime/stackConfig";

/** Receives the stack's configuration (aws:region, aws:profile, ...), once per provider process. */
export function configure(request: ConfigureRequest): void {
  configureFromStack((key) => request.config.get(key));
}

// The hook sets, under the export names every shim ever serialized reads (resources/registry.ts lists them).
export * from "./resources/registry";

export type { ConfigureRequest };
export type {
  SnapshotCopyInputs,
  SnapshotCopyOutputs,
  SnapshotInputs,
  SnapshotOutputs,
  SnapshotSetInputs,
  SnapshotSetOutputs,
  SnapshotSetMember,
  ProductCode,
  Timeouts,
  SnapshotState,
  VolumeSetInputs,
  VolumeSetOutputs,
  VolumeSetEntry,
  VolumeSetVolume,
  VolumeSetAttach,
  VolumeSetInitialization,
  VolumeType,
} from "./types";
