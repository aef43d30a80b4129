/**
 * What the hooks of one provider process share. Every hook of a deployment runs in one host process,
 * so the EC2 connections, the poll groups, the read batches, the request budgets, the per-volume admission queues and the
 * interrupted-create lookups are process-wide; they live here, in the provider module the host loads
 * with require(), and never in the serialized provider.
 *
 * One key scheme for all of them: the region first, then what narrows it, joined with "/"
 * (`us-east-1`, `us-east-1/vol-0123…`, `us-east-1/describe/1`), so that two registries never disagree
 * on what "the same place" is.
 */
export type ProcessScope = "connections" | "pollGroups" | "readBatches" | "requestBudgets" | "volumeAdmissions" | "interruptedLookups";

const registries = new Map<ProcessScope, Map<string, unknown>>();

/** The process-wide map of one scope; the same map for every caller. */
export function processRegistry<V>(scope: ProcessScope): Map<string, V> {
  let registry = registries.get(scope);
  if (registry === undefined) {
    registry = new Map<string, unknown>();
    registries.set(scope, registry);
  }
  return registry as Map<string, V>;
}

/** A key of the scheme: `<region>/<part>/…`; a region the SDK has yet to resolve is `-`. */
export function scopeKey(region: string | undefined, ...parts: readonly (string | number)[]): string {
  return [region ?? "-", ...parts].join("/");
}
