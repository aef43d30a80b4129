/**
 * The provider behind `pulumi-ebs-snapshots/provider`. The serialized provider that Pulumi stores in
 * each resource's state is a small shim (sdk/providerShim.ts) that require()s this module by package
 * name inside every hook, so the code that runs is always the installed version, and state never holds
 * a client, a credential or the provider's source.
 *
 * Stable contract: this entry point and the hook names below are read by every shim ever serialized.
 */
import * as snapshot from "./resources/snapshot/hooks";
import * as snapshotSet from "./resources/snapshotSet/hooks";
import { configureFromStack } from "./runtime/stackConfig";

export interface ConfigureRequest {
  config: { get(key: string): unknown };
}

/** Receives the stack's configuration (aws:region, aws:profile, ...), once per provider process. */
export function configure(request: ConfigureRequest): void {
  configureFromStack((key) => request.config.get(key));
}

export const snapshotHooks = {
  check: snapshot.check,
  diff: snapshot.diff,
  create: snapshot.create,
  read: snapshot.read,
  update: snapshot.update,
  delete: snapshot.remove,
};

export const snapshotSetHooks = {
  check: snapshotSet.check,
  diff: snapshotSet.diff,
  create: snapshotSet.create,
  read: snapshotSet.read,
  update: snapshotSet.update,
  delete: snapshotSet.remove,
};

export type { SnapshotInputs, SnapshotOutputs, SnapshotSetInputs, SnapshotSetOutputs, SnapshotSetMember, ProductCode, Timeouts, SnapshotState } from "./types";
