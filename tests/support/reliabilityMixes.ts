/**
 * Faults mixed at random, reproducibly: fast-check draws the mixes from a fixed seed, so every run of the
 * suite injects the same combinations in the same order.
 */
import * as fc from "fast-check";
import type { FaultRule } from "../../harness/faultProxy";
import type { ResourceKind } from "./reliabilityReport";
import type { Scenario } from "./reliabilityScenario";

/** The seed of every random mix in the suite. */
export const MIX_SEED = 20_250_611;

export type MixedFault =
  | { kind: "throttle"; action: string; times: number }
  | { kind: "createError"; code: string; times: number }
  | { kind: "reset"; action: string; phase: "before-forward" | "after-forward" }
  | { kind: "slow"; action: string; ms: number }
  | { kind: "invisible"; lookups: number }
  | { kind: "notFoundAfterCreate"; times: number }
  | { kind: "endInError" };

/** The calls each resource makes over create, tag update, refresh and destroy. */
export const CALLS: Readonly<Record<ResourceKind, readonly string[]>> = {
  Snapshot: ["DescribeVolumes", "DescribeInstances", "CreateSnapshot", "DescribeSnapshots", "DescribeSnapshotAttribute", "CreateTags", "DeleteTags", "DeleteSnapshot"],
  SnapshotSet: ["DescribeInstances", "DescribeVolumes", "CreateSnapshots", "DescribeSnapshots", "DescribeSnapshotAttribute", "CreateTags", "DeleteTags", "DeleteSnapshot"],
  VolumeSet: [
    "DescribeSnapshots",
    "DescribeInstances",
    "CreateVolume",
    "DescribeVolumes",
    "AttachVolume",
    "DescribeVolumeStatus",
    "CreateTags",
    "DeleteTags",
    "DetachVolume",
    "DeleteVolume",
  ],
};

export const CREATE_CALL: Readonly<Record<ResourceKind, string>> = { Snapshot: "CreateSnapshot", SnapshotSet: "CreateSnapshots", VolumeSet: "CreateVolume" };

/** EC2's refusals of a create that say "not now" rather than "never". */
export const CREATE_REFUSALS = ["ConcurrentSnapshotLimitExceeded", "PendingSnapshotLimitExceeded", "SnapshotCreationPerVolumeRateExceeded", "IncorrectState"] as const;

function faultArbitrary(resource: ResourceKind): fc.Arbitrary<MixedFault> {
  const calls = CALLS[resource];
  return fc.oneof(
    fc.record({ kind: fc.constant("throttle" as const), action: fc.constantFrom(...calls), times: fc.integer({ min: 1, max: 4 }) }),
    fc.record({ kind: fc.constant("createError" as const), code: fc.constantFrom(...CREATE_REFUSALS), times: fc.integer({ min: 1, max: 3 }) }),
    fc.record({
      kind: fc.constant("reset" as const),
      action: fc.constantFrom(CREATE_CALL[resource], "DescribeSnapshots", "CreateTags", "DeleteSnapshot"),
      phase: fc.constantFrom("before-forward" as const, "after-forward" as const),
    }),
    // Slow, but within the shared host's socket timeout: the answer arrives late, not never.
    fc.record({ kind: fc.constant("slow" as const), action: fc.constantFrom(...calls), ms: fc.integer({ min: 50, max: 400 }) }),
    fc.record({ kind: fc.constant("invisible" as const), lookups: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ kind: fc.constant("notFoundAfterCreate" as const), times: fc.integer({ min: 1, max: 2 }) }),
    fc.constant({ kind: "endInError" as const }),
  );
}

/** `count` mixes of two to five faults for one resource, the same on every run. */
export function faultMixes(resource: ResourceKind, count: number, seed: number = MIX_SEED): MixedFault[][] {
  return fc.sample(fc.array(faultArbitrary(resource), { minLength: 2, maxLength: 5 }), { seed, numRuns: count });
}

export function describeMix(mix: readonly MixedFault[]): string {
  return mix
    .map((fault) => {
      switch (fault.kind) {
        case "throttle":
          return `throttle ${fault.action}×${fault.times}`;
        case "createError":
          return `${fault.code}×${fault.times}`;
        case "reset":
          return `reset ${fault.action} ${fault.phase}`;
        case "slow":
          return `slow ${fault.action} ${fault.ms}ms`;
        case "invisible":
          return `invisible for ${fault.lookups} lookup${fault.lookups === 1 ? "" : "s"}`;
        case "notFoundAfterCreate":
          return `InvalidSnapshot.NotFound×${fault.times} after create`;
        case "endInError":
          return "ends in error";
      }
    })
    .join(", ");
}

/** Registers one mix on the scenario; `volumeIds` are the volumes whose new snapshots lifecycle faults apply to. */
export function injectMix(scenario: Scenario, resource: ResourceKind, mix: readonly MixedFault[], volumeIds: readonly string[], errorVolumeIds: readonly string[]): void {
  for (const fault of mix) {
    let rule: FaultRule | undefined;
    switch (fault.kind) {
      case "throttle":
        rule = { kind: "error", action: fault.action, code: "RequestLimitExceeded", times: fault.times };
        break;
      case "createError":
        rule = { kind: "error", action: CREATE_CALL[resource], code: fault.code, times: fault.times };
        break;
      case "reset":
        rule = { kind: "reset", action: fault.action, phase: fault.phase };
        break;
      case "slow":
        rule = { kind: "delay", action: fault.action, ms: fault.ms };
        break;
      case "notFoundAfterCreate":
        rule = { kind: "error", action: "DescribeSnapshotAttribute", code: "InvalidSnapshot.NotFound", times: fault.times };
        break;
      case "invisible":
        scenario.hide(volumeIds, fault.lookups);
        break;
      case "endInError":
        scenario.endInError(errorVolumeIds, "The volume is impaired (injected)");
        break;
    }
    if (rule !== undefined) {
      scenario.inject(rule);
    }
  }
}

/** Faults of a VolumeSet's calls and of the volumes themselves, mixed as for the snapshot resources. */
export type VolumeMixedFault =
  | { kind: "throttle"; action: string; times: number }
  | { kind: "reset"; action: string; phase: "before-forward" | "after-forward" }
  | { kind: "internalAfterForward"; action: string }
  | { kind: "slow"; action: string; ms: number }
  | { kind: "creating"; describes: number }
  | { kind: "volumeError"; entry: number }
  | { kind: "refuseAttach"; entry: number };

/** The calls a VolumeSet makes that change something in EC2. */
const VOLUME_MUTATIONS = ["CreateVolume", "AttachVolume", "DetachVolume", "DeleteVolume", "CreateTags"] as const;

function volumeFaultArbitrary(entries: number): fc.Arbitrary<VolumeMixedFault> {
  const calls = CALLS.VolumeSet;
  return fc.oneof(
    fc.record({ kind: fc.constant("throttle" as const), action: fc.constantFrom(...calls), times: fc.integer({ min: 1, max: 4 }) }),
    fc.record({
      kind: fc.constant("reset" as const),
      action: fc.constantFrom(...VOLUME_MUTATIONS, "DescribeVolumes"),
      phase: fc.constantFrom("before-forward" as const, "after-forward" as const),
    }),
    fc.record({ kind: fc.constant("internalAfterForward" as const), action: fc.constantFrom(...VOLUME_MUTATIONS) }),
    // Slow, but within the shared host's socket timeout: the answer arrives late, not never.
    fc.record({ kind: fc.constant("slow" as const), action: fc.constantFrom(...calls), ms: fc.integer({ min: 50, max: 400 }) }),
    fc.record({ kind: fc.constant("creating" as const), describes: fc.integer({ min: 1, max: 5 }) }),
    fc.record({ kind: fc.constant("volumeError" as const), entry: fc.integer({ min: 0, max: entries - 1 }) }),
    fc.record({ kind: fc.constant("refuseAttach" as const), entry: fc.integer({ min: 0, max: entries - 1 }) }),
  );
}

/** `count` mixes of two to five faults for a VolumeSet of `entries` snapshots, the same on every run. */
export function volumeFaultMixes(count: number, entries: number, seed: number = MIX_SEED): VolumeMixedFault[][] {
  return fc.sample(fc.array(volumeFaultArbitrary(entries), { minLength: 2, maxLength: 5 }), { seed: seed + 2, numRuns: count });
}

export function describeVolumeMix(mix: readonly VolumeMixedFault[]): string {
  return mix
    .map((fault) => {
      switch (fault.kind) {
        case "throttle":
          return `throttle ${fault.action}×${fault.times}`;
        case "reset":
          return `reset ${fault.action} ${fault.phase}`;
        case "internalAfterForward":
          return `InternalError after ${fault.action} acted`;
        case "slow":
          return `slow ${fault.action} ${fault.ms}ms`;
        case "creating":
          return `creating for ${fault.describes} poll${fault.describes === 1 ? "" : "s"}`;
        case "volumeError":
          return `volume ${fault.entry + 1} ends in error`;
        case "refuseAttach":
          return `attach of volume ${fault.entry + 1} refused`;
      }
    })
    .join(", ");
}

/** Registers one mix on the scenario; `snapshotIds` are the restore's snapshots, in the entries' order. */
export function injectVolumeMix(scenario: Scenario, mix: readonly VolumeMixedFault[], snapshotIds: readonly string[]): void {
  for (const fault of mix) {
    switch (fault.kind) {
      case "throttle":
        scenario.inject({ kind: "error", action: fault.action, code: "RequestLimitExceeded", times: fault.times });
        break;
      case "reset":
        scenario.inject({ kind: "reset", action: fault.action, phase: fault.phase });
        break;
      case "internalAfterForward":
        scenario.inject({ kind: "error", action: fault.action, code: "InternalError", afterForward: true });
        break;
      case "slow":
        scenario.inject({ kind: "delay", action: fault.action, ms: fault.ms });
        break;
      case "creating":
        // EC2's normal behaviour (proxy), not a fault: new volumes are `creating` for a few polls.
        scenario.world.proxy.creatingVolumes({ describes: fault.describes });
        break;
      case "volumeError":
        scenario.failVolumes(snapshotIds[fault.entry], "The volume could not be created (injected)");
        break;
      case "refuseAttach":
        scenario.refuseAttach({ snapshotId: snapshotIds[fault.entry] }, { code: "UnsupportedOperation", message: "The instance does not support this volume (injected)." });
        break;
    }
  }
}
