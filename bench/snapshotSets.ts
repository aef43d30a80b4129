/**
 * CreateSnapshots in the simulated EC2: which of an instance's volumes one request covers, what EC2
 * refuses, and how a set fails when the bench asks one to.
 *
 * From the EC2 user guide and API reference (NOTES.md): a set covers at most 40 volumes; listing the
 * root volume in ExcludeDataVolumeIds is an error (ExcludeBootVolume leaves it out); there are no sets
 * of instances with hibernation enabled; and if one snapshot of a set fails, all of them show `error`.
 * The error codes of those refusals and the StateMessage wording are the bench's own choices (AWS does
 * not document them); the provider refuses all of them before it calls CreateSnapshots anyway.
 */
import { Ec2Error } from "./ec2Error";
import { listParam } from "./ec2Xml";
import { mulberry32, seedOf, uniform } from "./random";
import type { AttachedVolume, SimInstance } from "./simInstances";

export const MAX_SET_VOLUMES = 40;

/**
 * The volumes one CreateSnapshots covers, or the Ec2Error EC2 answers. The SDK serializes
 * `ExcludeDataVolumeIds` as `InstanceSpecification.ExcludeDataVolumeId.N` (its XML name); the API
 * reference names the list `ExcludeDataVolumeIds.N`, so both spellings are read.
 */
export function setMembers(params: Readonly<Record<string, string>>, instance: SimInstance, attached: readonly AttachedVolume[]): AttachedVolume[] {
  const { instanceId } = instance;
  if (instance.hibernation === true) {
    throw new Ec2Error("UnsupportedOperation", `Instance ${instanceId} has hibernation enabled; multi-volume snapshots of it are not supported.`);
  }
  const excludeBoot = params["InstanceSpecification.ExcludeBootVolume"] === "true";
  const excluded = new Set([...listParam(params, "InstanceSpecification.ExcludeDataVolumeId"), ...listParam(params, "InstanceSpecification.ExcludeDataVolumeIds")]);
  for (const volumeId of excluded) {
    const volume = attached.find((a) => a.volume.volumeId === volumeId);
    if (volume === undefined) {
      throw new Ec2Error("InvalidParameterValue", `The volume ${volumeId} is not attached to instance ${instanceId}.`);
    }
    if (volume.root) {
      throw new Ec2Error("InvalidParameterValue", `The volume ${volumeId} is the root volume of instance ${instanceId}; use ExcludeBootVolume to exclude it.`);
    }
  }
  const members = attached.filter((a) => !excluded.has(a.volume.volumeId) && !(a.root && excludeBoot));
  if (members.length === 0) {
    throw new Ec2Error("InvalidParameterValue", `Every EBS volume of instance ${instanceId} is excluded; there is nothing to snapshot.`);
  }
  if (members.length > MAX_SET_VOLUMES) {
    throw new Ec2Error("InvalidParameterValue", `A snapshot set covers at most ${MAX_SET_VOLUMES} volumes; instance ${instanceId} would need ${members.length}.`);
  }
  return members;
}

export interface SetFailure {
  /** Which member fails (index into the set's members). */
  member: number;
  /** When, simulated ms after the request: before any member would have completed, so that all of them show `error`. */
  afterMs: number;
}

/**
 * The failure of the `n`-th set of an instance, drawn from the seed alone (so both modes see the same
 * one): a member chosen at random fails between 20% and 80% of the way to the first completion.
 */
export function setFailure(seed: number, instanceId: string, n: number, durationsMs: readonly number[]): SetFailure {
  const random = mulberry32(seedOf(seed, "set-failure", instanceId, n));
  const member = Math.min(durationsMs.length - 1, Math.floor(random() * durationsMs.length));
  return { member, afterMs: uniform(random, 0.2, 0.8) * Math.min(...durationsMs) };
}
