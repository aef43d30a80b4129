import type { Instance } from "@aws-sdk/client-ec2";

/** CreateSnapshots: a multi-volume snapshot set covers at most 40 volumes. */
export const MAX_SET_VOLUMES = 40;

export interface PlannedVolume {
  volumeId: string;
  deviceName: string;
  root: boolean;
}

export interface SetPlanInput {
  instanceId: string;
  excludeBootVolume?: boolean;
  excludeDataVolumeIds?: readonly string[];
}

/** Either the volumes CreateSnapshots will cover, or why the set cannot be taken. */
export type SetPlan = { ok: true; volumes: PlannedVolume[]; attached: PlannedVolume[] } | { ok: false; reason: string; next: string };

/**
 * Decides, before any snapshot is taken, what CreateSnapshots will cover, and refuses what EC2 refuses
 * (or, in emulators, silently ignores): hibernation, a listed root volume, exclusions that are not
 * attached, an empty set and more than 40 volumes.
 */
export function planSnapshotSet(input: SetPlanInput, instance: Instance | undefined, region: string): SetPlan {
  const { instanceId } = input;
  if (instance === undefined) {
    return { ok: false, reason: `instance ${instanceId} does not exist in ${region} (EC2 InvalidInstanceID.NotFound)`, next: "check instanceId and region" };
  }
  const state = instance.State?.Name;
  if (state === "terminated" || state === "shutting-down") {
    return {
      ok: false,
      reason: `instance ${instanceId} is ${state}, so there is nothing to snapshot`,
      next: "point instanceId at a running or stopped instance, or remove the resource",
    };
  }
  // EC2 user guide: no multi-volume snapshots of instances with hibernation enabled, nor of hibernated ones.
  if (instance.HibernationOptions?.Configured === true) {
    return {
      ok: false,
      reason: `instance ${instanceId} has hibernation enabled, and EC2 takes no multi-volume snapshot sets of such instances`,
      next: "snapshot its volumes one by one with Snapshot resources instead",
    };
  }
  if (instance.StateReason?.Code === "Client.UserInitiatedHibernate") {
    return {
      ok: false,
      reason: `instance ${instanceId} is hibernated, and EC2 takes no multi-volume snapshot sets of hibernated instances`,
      next: "start the instance, or snapshot its volumes one by one with Snapshot resources",
    };
  }
  const attached: PlannedVolume[] = (instance.BlockDeviceMappings ?? [])
    .filter((m) => m.Ebs?.VolumeId !== undefined)
    .map((m) => ({ volumeId: m.Ebs!.VolumeId!, deviceName: m.DeviceName ?? "", root: m.DeviceName !== undefined && m.DeviceName === instance.RootDeviceName }));
  const excluded = new Set(input.excludeDataVolumeIds ?? []);
  const root = attached.find((v) => v.root);
  if (root !== undefined && excluded.has(root.volumeId)) {
    return {
      ok: false,
      reason: `excludeDataVolumeIds lists ${root.volumeId}, the root volume (${root.deviceName}) of instance ${instanceId}, and EC2 rejects that`,
      next: "use excludeBootVolume: true to leave the root volume out",
    };
  }
  const notAttached = [...excluded].filter((id) => !attached.some((v) => v.volumeId === id));
  if (notAttached.length > 0) {
    return {
      ok: false,
      reason: `excludeDataVolumeIds lists ${notAttached.join(", ")}, not attached to instance ${instanceId}`,
      next: "remove those ids from excludeDataVolumeIds",
    };
  }
  const volumes = attached.filter((v) => !excluded.has(v.volumeId) && !(v.root && input.excludeBootVolume === true));
  if (volumes.length === 0) {
    return {
      ok: false,
      reason: `nothing to snapshot: every EBS volume of instance ${instanceId} is excluded`,
      next: "exclude fewer volumes (excludeBootVolume, excludeDataVolumeIds)",
    };
  }
  if (volumes.length > MAX_SET_VOLUMES) {
    return {
      ok: false,
      reason: `instance ${instanceId} would need a set of ${volumes.length} volumes, and EC2 allows at most ${MAX_SET_VOLUMES}`,
      next: "exclude some with excludeDataVolumeIds",
    };
  }
  return { ok: true, volumes, attached };
}
