/**
 * What the VolumeSet scenarios restore, and how they check a restore against the emulator: a source
 * instance's data volumes snapshotted outside Pulumi (the provider must never delete or adopt those
 * snapshots), restored onto a second instance in the same zone at the devices they had.
 */
import * as assert from "node:assert/strict";
import { CreateSnapshotCommand, type Volume } from "@aws-sdk/client-ec2";
import type { ResourceState } from "../../harness/deployment";
import { seedInstance, type SeededInstance } from "../../harness/seed";
import { allVolumes, type Scenario } from "./reliabilityScenario";
import { TOKEN_TAG } from "./reliabilityInputs";

/** One entry of a VolumeSet's `snapshots`. */
export interface RestoreEntry {
  snapshotId: string;
  deviceName: string;
}

/** One restored volume as the VolumeSet's state records it. */
export interface RecordedVolume {
  volumeId: string;
  snapshotId: string;
  deviceName?: string;
  state: string;
  attachmentState?: string;
}

export interface RestoreSource {
  source: SeededInstance;
  /** The snapshots of the source's data volumes, each with the device its volume had. */
  entries: RestoreEntry[];
  /** An instance with only a root volume, in the same zone: where the set is restored. */
  targetId: string;
}

/**
 * Seeds a source instance with three data volumes (10, 11 and 12 GiB, the second encrypted), snapshots
 * them on moto directly (marked foreign on the scenario), and a target instance in the same zone.
 */
export async function seedRestore(s: Scenario): Promise<RestoreSource> {
  const ec2 = s.world.ec2;
  const source = await seedInstance(ec2, [{}, { encrypted: true }, {}]);
  const entries: RestoreEntry[] = [];
  for (const volume of source.dataVolumes) {
    const snapshot = await ec2.send(new CreateSnapshotCommand({ VolumeId: volume.volumeId, Description: "restore drill source" }));
    assert.ok(snapshot.SnapshotId, "moto returned no SnapshotId");
    s.foreign.add(snapshot.SnapshotId);
    entries.push({ snapshotId: snapshot.SnapshotId, deviceName: volume.device });
  }
  const targetId = (await seedInstance(ec2, [])).instanceId;
  assert.ok(targetId, "moto returned no instance");
  return { source, entries, targetId };
}

export function recordedVolumes(resource: ResourceState): RecordedVolume[] {
  return resource.outputs.volumes as unknown as RecordedVolume[];
}

/** The volumes in the emulator made from the restore's snapshots by the provider (not the test's own), by snapshot id (moto read directly). */
export async function restoredVolumes(s: Scenario, entries: readonly RestoreEntry[]): Promise<Map<string, Volume[]>> {
  const volumes = (await allVolumes(s.world.ec2)).filter((v) => !s.foreign.has(v.VolumeId ?? ""));
  return new Map(entries.map((entry) => [entry.snapshotId, volumes.filter((v) => v.SnapshotId === entry.snapshotId)]));
}

/** The ids of every volume in the emulator made from the restore's snapshots, sorted. */
export async function restoredVolumeIds(s: Scenario, entries: readonly RestoreEntry[]): Promise<string[]> {
  return [...(await restoredVolumes(s, entries)).values()]
    .flat()
    .map((v) => v.VolumeId ?? "")
    .sort();
}

/** A volume's tags without the provider's create token. */
export function userTags(volume: Volume): Record<string, string> {
  return Object.fromEntries((volume.Tags ?? []).filter((t) => t.Key !== TOKEN_TAG).map((t) => [t.Key ?? "", t.Value ?? ""]));
}

/**
 * The recorded set is whole: one volume per entry, in the entries' order, at each entry's device; the
 * emulator holds exactly one volume per snapshot, and those are the recorded ones; with `attachedTo`,
 * each is attached to that instance at its entry's device (moto's own attachment, read directly).
 */
export async function assertWholeRestore(s: Scenario, resource: ResourceState, entries: readonly RestoreEntry[], attachedTo?: string): Promise<Volume[]> {
  const recorded = recordedVolumes(resource);
  assert.deepEqual(
    recorded.map((v) => [v.snapshotId, v.deviceName]),
    entries.map((e) => [e.snapshotId, e.deviceName]),
    "the recorded set does not restore every entry once, in order",
  );
  assert.deepEqual(
    resource.outputs.volumeIds,
    recorded.map((v) => v.volumeId),
  );
  const bySnapshot = await restoredVolumes(s, entries);
  const found: Volume[] = [];
  entries.forEach((entry, i) => {
    const made = bySnapshot.get(entry.snapshotId) ?? [];
    assert.deepEqual(
      made.map((v) => v.VolumeId),
      [recorded[i].volumeId],
      `snapshot ${entry.snapshotId}: the emulator holds ${made.length} volumes from it, not the one recorded`,
    );
    found.push(made[0]);
  });
  if (attachedTo !== undefined) {
    assert.deepEqual(
      found.map((v) => [v.State, (v.Attachments ?? []).map((a) => [a.InstanceId, a.Device, a.State])]),
      entries.map((e) => ["in-use", [[attachedTo, e.deviceName, "attached"]]]),
    );
    assert.deepEqual([resource.outputs.state, recorded.map((v) => v.attachmentState)], ["in-use", entries.map(() => "attached")]);
  }
  return found;
}
