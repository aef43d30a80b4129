import type * as pulumi from "@pulumi/pulumi";

/**
 * The providers Pulumi serializes into each resource's state (`__provider`) and runs in its
 * dynamic-provider host. Each hook require()s the provider by package name when it runs, so:
 * - the serialized text stays a few KiB and holds no client, credential or environment value;
 * - the host runs the installed provider, including for `delete`, which always uses the provider text
 *   stored in state: old shims keep working as long as this entry point and the hook names do.
 * Nothing here may refer to a value outside the function bodies; the serializer would capture it.
 */
type ProviderModule = typeof import("../provider/index");

export const snapshotProvider: pulumi.dynamic.ResourceProvider = {
  async configure(request) {
    (require("pulumi-ebs-snapshots/provider") as ProviderModule).configure(request);
  },
  async check(olds, news) {
    return (require("pulumi-ebs-snapshots/provider") as ProviderModule).snapshotHooks.check(olds, news);
  },
  async diff(id, olds, news) {
    return (require("pulumi-ebs-snapshots/provider") as ProviderModule).snapshotHooks.diff(id, olds, news);
  },
  async create(inputs) {
    return (require("pulumi-ebs-snapshots/provider") as ProviderModule).snapshotHooks.create(inputs);
  },
  async read(id, props) {
    return (require("pulumi-ebs-snapshots/provider") as ProviderModule).snapshotHooks.read(id, props);
  },
  async update(id, olds, news) {
    return (require("pulumi-ebs-snapshots/provider") as ProviderModule).snapshotHooks.update(id, olds, news);
  },
  async delete(id, props) {
    return (require("pulumi-ebs-snapshots/provider") as ProviderModule).snapshotHooks.delete(id, props);
  },
};
