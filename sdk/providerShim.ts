/* eslint-disable @typescript-eslint/no-unsafe-argument -- pulumi.dynamic.ResourceProvider types every hook's properties as any; the provider's hooks take Props */
import type * as pulumi from "@pulumi/pulumi";

/**
 * The providers Pulumi serializes into each resource's state (`__provider`) and runs in its
 * dynamic-provider host. Each hook require()s the provider by package name when it runs, so:
 * - the serialized text stays a few KiB and holds no client, credential or environment value;
 * - the host runs the installed provider, including for `delete`, which always uses the provider text
 *   stored in state: old shims keep working as long as this entry point and the hook names do.
 * The serializer captures what these functions refer to; they refer only to `require`, the hook set's
 * name (a constant) and each other.
 */
type ProviderModule = typeof import("../provider/index");
/** The provider's exports that are a resource's hooks: `snapshotHooks`, `snapshotSetHooks`, … */
export type HookSet = { [K in keyof ProviderModule]: ProviderModule[K] extends { create: unknown; delete: unknown } ? K : never }[keyof ProviderModule];

/** The provider of one resource type, as each generated SDK class creates it once. */
export function shim(hookSet: HookSet): pulumi.dynamic.ResourceProvider {
  const provider = (): ProviderModule => require("pulumi-ebs-snapshots/provider") as ProviderModule;
  return {
    async configure(request) {
      provider().configure(request);
    },
    async check(olds, news) {
      return provider()[hookSet].check(olds, news);
    },
    async diff(id, olds, news) {
      return provider()[hookSet].diff(id, olds, news);
    },
    async create(inputs) {
      return provider()[hookSet].create(inputs);
    },
    async read(id, props) {
      return provider()[hookSet].read(id, props);
    },
    async update(id, olds, news) {
      return provider()[hookSet].update(id, olds, news);
    },
    async delete(id, props) {
      return provider()[hookSet].delete(id, props);
    },
  };
}
