import * as assert from "node:assert/strict";
import { DescribeInstancesCommand, DescribeVolumesCommand, type Volume } from "@aws-sdk/client-ec2";
import type * as automation from "@pulumi/pulumi/automation";
import { assertOk, useCliWorld, type CliRun, type CliStack, type CliWorld } from "../support/cliWorld";
import { TEST_CREDENTIALS } from "../../harness/engineWorld";
import { allSnapshots, AVAILABILITY_ZONE, seedInstance, type SeededInstance } from "../../harness/seed";

/** What the SnapshotSet records of each member: the source volume, its device, and its snapshot. */
interface RecordedMember {
  snapshotId: string;
  volumeId: string;
  deviceName: string;
}

/** What the VolumeSet records of each restored volume. */
interface RecordedVolume {
  volumeId: string;
  snapshotId: string;
  deviceName: string;
  state: string;
  attachmentState: string;
  initializationProgress?: number;
  initializationState?: string;
}

/** A VolumeSet's outputs without the initialization progress of its volumes, which moves on by itself. */
function withoutInitialization(outputs: Record<string, unknown>): Record<string, unknown> {
  const volumes = (outputs.volumes as RecordedVolume[]).map(({ initializationProgress: _progress, initializationState: _state, ...volume }) => volume);
  return { ...outputs, volumes };
}

/**
 * examples/restore, a disaster-recovery drill, through the real Pulumi CLI (Automation API, local file
 * backend, the package installed from its tarball into a consumer project) against moto behind the
 * fault proxy: a SnapshotSet of a source instance's data volumes, restored by a VolumeSet onto a standby
 * instance in the same zone at the source's device names, with `snapshots: set.snapshots` passed from
 * one resource to the other within one `up`, as a user's program does.
 *
 * moto 5.2.1 makes new volumes `available` and attaches them at once, so the transitions EC2 shows come
 * from the fault proxy, marked "(proxy)": snapshots `pending` for two polls, new volumes `creating` for
 * two DescribeVolumes answers, and attaches and detaches in `attaching`/`detaching` for one. moto itself
 * creates the volumes from the snapshots (encryption inherited from an encrypted snapshot), attaches,
 * detaches and deletes them, and is what this test reads EC2 from (world.ec2 reaches it past the proxy).
 */
describe("examples/restore under the real Pulumi CLI", function () {
  this.timeout(600_000);
  const current = useCliWorld();
  let world: CliWorld;
  /** Everything the CLI printed in the test, scanned for credentials at its end. */
  const transcript: string[] = [];

  beforeEach(function () {
    world = current();
  });

  async function cli(what: string, command: Promise<CliRun>): Promise<CliRun> {
    const run = await command;
    transcript.push(run.output, run.error ?? "");
    assertOk(run, what);
    return run;
  }

  /** A running instance with only a root volume, at /dev/sda1, as a standby launched from an AMI has. */
  async function seedStandby(): Promise<{ instanceId: string; rootVolumeId: string }> {
    return seedInstance(world.ec2, []);
  }

  async function allVolumes(): Promise<Volume[]> {
    return (await world.ec2.send(new DescribeVolumesCommand({}))).Volumes ?? [];
  }

  /** Device name to volume id, as EC2 lists the instance's block devices. */
  async function devicesOf(instanceId: string): Promise<Record<string, string>> {
    const out = await world.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const mappings = out.Reservations?.[0]?.Instances?.[0]?.BlockDeviceMappings ?? [];
    return Object.fromEntries(mappings.map((m) => [m.DeviceName ?? "", m.Ebs?.VolumeId ?? ""]));
  }

  async function outputsOf(stack: CliStack, name: string): Promise<Record<string, unknown>> {
    const recorded = (await stack.snapshots()).get(name);
    assert.ok(recorded !== undefined, `the stack records no ${name}`);
    assert.equal(recorded.initErrors, undefined, `${name} is recorded as partial state`);
    return recorded.outputs ?? {};
  }

  async function stackOutputs(stack: CliStack): Promise<Record<string, unknown>> {
    const outputs: automation.OutputMap = await stack.stack.outputs();
    return Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.value]));
  }

  it("preview, up (restored at the source's devices on the standby), no diff after up and after refresh, destroy, nothing left", async function () {
    // given a source instance with three data volumes, one of them encrypted, and a standby in the same
    // zone with only its root volume; snapshots pending for two polls, volumes creating for two
    // describes, attaches and detaches taking one (proxy)
    const source: SeededInstance = await seedInstance(world.ec2, [{ size: 20 }, { size: 30, encrypted: true }, { size: 40 }]);
    const standby = await seedStandby();
    const seededVolumes = (await allVolumes()).map((v) => v.VolumeId ?? "").sort();
    assert.equal(seededVolumes.length, 5, "the source's root and three data volumes, and the standby's root");
    world.proxy.progressNewSnapshots({ pendingDescribes: 2 });
    world.proxy.creatingVolumes({ describes: 2 });
    world.proxy.attachingVolumes(1);
    const stack = await world.newStack({
      project: "ebs-restore",
      program: world.exampleProgram("restore"),
      config: { "ebs-restore:instanceId": source.instanceId, "ebs-restore:drInstanceId": standby.instanceId, "ebs-restore:availabilityZone": AVAILABILITY_ZONE },
    });

    // when it is previewed before anything exists
    const firstPreview = await cli("the first preview", stack.preview());
    // then both resources are creates, and EC2 saw no mutating call and holds nothing new
    assert.deepEqual(firstPreview.steps.map((s) => [s.name, s.op]).sort(), [
      ["source", "create"],
      ["standby", "create"],
    ]);
    assert.deepEqual(
      world.proxy.requests.filter((r) => !r.action.startsWith("Describe")).map((r) => r.action),
      [],
    );
    assert.deepEqual(await allSnapshots(world.ec2), []);
    assert.deepEqual((await allVolumes()).map((v) => v.VolumeId ?? "").sort(), seededVolumes);

    // when it is deployed
    const up = await cli("up", stack.up());
    assert.deepEqual(up.steps.map((s) => [s.name, s.op]).sort(), [
      ["source", "create"],
      ["standby", "create"],
    ]);

    // then the set holds one completed snapshot per data volume, the boot volume left out
    const set = await outputsOf(stack, "source");
    const members = set.snapshots as RecordedMember[];
    assert.deepEqual(members.map((m) => [m.deviceName, m.volumeId]).sort(), source.dataVolumes.map((v) => [v.device, v.volumeId]).sort());
    assert.deepEqual((await allSnapshots(world.ec2)).map((s) => s.SnapshotId).sort(), members.map((m) => m.snapshotId).sort());
    // and the restore made exactly one volume per snapshot, attached to the standby at the device its
    // source volume had, of the source volume's size, encrypted where the source was
    const restore = await outputsOf(stack, "standby");
    const restored = restore.volumes as RecordedVolume[];
    const restoredIds = restored.map((v) => v.volumeId);
    assert.deepEqual(restore.volumeIds, restoredIds);
    assert.equal(restore.state, "in-use");
    const newVolumes = (await allVolumes()).filter((v) => !seededVolumes.includes(v.VolumeId ?? ""));
    assert.deepEqual(newVolumes.map((v) => v.VolumeId).sort(), [...restoredIds].sort());
    for (const member of members) {
      const sourceVolume = source.dataVolumes.find((v) => v.volumeId === member.volumeId);
      const volume = newVolumes.find((v) => v.SnapshotId === member.snapshotId);
      assert.ok(sourceVolume !== undefined && volume !== undefined, `no volume restored from ${member.snapshotId}`);
      assert.deepEqual(
        [volume.AvailabilityZone, volume.State, volume.Encrypted, volume.VolumeType],
        [AVAILABILITY_ZONE, "in-use", sourceVolume.encrypted, "gp3"],
        `the volume restored from ${member.snapshotId}`,
      );
      assert.deepEqual(
        (volume.Attachments ?? []).map((a) => [a.InstanceId, a.Device, a.State]),
        [[standby.instanceId, member.deviceName, "attached"]],
      );
      const recorded = restored.find((v) => v.volumeId === volume.VolumeId);
      assert.deepEqual([recorded?.snapshotId, recorded?.deviceName, recorded?.state, recorded?.attachmentState], [member.snapshotId, member.deviceName, "in-use", "attached"]);
      // and each volume carries the program's tags (the create token besides them is the provider's)
      const tags = Object.fromEntries((volume.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
      assert.deepEqual([tags.ManagedBy, tags.Drill, tags.Source, tags.RestoredTo], ["pulumi", stack.stack.name, source.instanceId, standby.instanceId]);
    }
    const sizes = Object.fromEntries(newVolumes.map((v) => [v.SnapshotId ?? "", v.Size]));
    assert.deepEqual(
      members.map((m) => sizes[m.snapshotId]),
      members.map((m) => ({ "/dev/sdf": 20, "/dev/sdg": 30, "/dev/sdh": 40 })[m.deviceName]),
    );
    // and the standby has its root volume and the three restored ones at the source's devices
    const byDevice = Object.fromEntries(members.map((m) => [m.deviceName, newVolumes.find((v) => v.SnapshotId === m.snapshotId)?.VolumeId ?? ""]));
    assert.deepEqual(await devicesOf(standby.instanceId), { "/dev/sda1": standby.rootVolumeId, ...byDevice });
    // and the source is untouched: every volume of it still attached where it was
    assert.deepEqual(await devicesOf(source.instanceId), {
      [source.rootDevice]: source.rootVolumeId,
      ...Object.fromEntries(source.dataVolumes.map((v) => [v.device, v.volumeId])),
    });
    // and the program's exports say the same
    assert.deepEqual(await stackOutputs(stack), { snapshotIds: set.snapshotIds, volumeIds: restoredIds, devices: byDevice });

    // then a preview finds nothing to do, before and after a refresh, and the refresh changes no output
    const steady = await cli("preview --expect-no-changes after up", stack.preview({ expectNoChanges: true, diff: true }));
    assert.ok(
      steady.steps.every((s) => s.op === "same"),
      JSON.stringify(steady.steps),
    );
    await cli("refresh", stack.refresh({ expectNoChanges: true }));
    assert.deepEqual(await outputsOf(stack, "source"), set);
    // The one exception is what EC2 reports as it goes: how far each volume has initialized from its
    // snapshot (DescribeVolumeStatus, answered by the proxy with rising progress), which a refresh
    // brings up to date without counting it as a change.
    const refreshed = await outputsOf(stack, "standby");
    assert.deepEqual(withoutInitialization(refreshed), withoutInitialization(restore));
    for (const [index, volume] of (refreshed.volumes as RecordedVolume[]).entries()) {
      assert.ok((volume.initializationProgress ?? 0) >= (restored[index].initializationProgress ?? 0), JSON.stringify([volume, restored[index]]));
    }
    const afterRefresh = await cli("preview --expect-no-changes after refresh", stack.preview({ expectNoChanges: true, diff: true }));
    assert.ok(
      afterRefresh.steps.every((s) => s.op === "same"),
      JSON.stringify(afterRefresh.steps),
    );

    // when it is destroyed
    world.proxy.clearRequests();
    const destroy = await cli("destroy", stack.destroy());

    // then the restored volumes were detached from the running standby after one warning line, and deleted
    // (the CLI prints it where it happened and again under Diagnostics)
    const warning = [...new Set([...destroy.output.matchAll(/warning: VolumeSet .*$/gm)].map((m) => m[0].trim()))];
    assert.equal(warning.length, 1, destroy.output);
    assert.match(warning[0], /warning: VolumeSet "standby": detaching vol-\S+, vol-\S+, vol-\S+ from running instance \S+; unmount any file system on them first/);
    assert.deepEqual([...warning[0].matchAll(/vol-[0-9a-f]+/g)].map((m) => m[0]).sort(), [...restoredIds].sort());
    const actions = world.proxy.requests.map((r) => ({ action: r.action, volumeId: r.params["VolumeId"] }));
    for (const id of restoredIds) {
      const detach = actions.findIndex((a) => a.action === "DetachVolume" && a.volumeId === id);
      const remove = actions.findIndex((a) => a.action === "DeleteVolume" && a.volumeId === id);
      assert.ok(detach >= 0 && remove > detach, `${id}: DetachVolume at ${detach}, DeleteVolume at ${remove}`);
    }
    // and the volumes went before their snapshots, which the engine deletes once nothing depends on them
    const lastVolumeDelete = actions.map((a) => a.action).lastIndexOf("DeleteVolume");
    const firstSnapshotDelete = actions.findIndex((a) => a.action === "DeleteSnapshot");
    assert.ok(firstSnapshotDelete > lastVolumeDelete, `DeleteSnapshot at ${firstSnapshotDelete}, last DeleteVolume at ${lastVolumeDelete}`);
    // and nothing of the drill is left: no snapshot, no restored volume, only the seeded volumes where they were
    assert.deepEqual(await allSnapshots(world.ec2), []);
    assert.deepEqual((await allVolumes()).map((v) => v.VolumeId ?? "").sort(), seededVolumes);
    assert.deepEqual(await devicesOf(standby.instanceId), { "/dev/sda1": standby.rootVolumeId });
    assert.equal((await stack.snapshots()).size, 0);
    // and no credential appears in the state, the CLI's output or the backend's files
    const everything = [JSON.stringify(await stack.stack.exportStack()), stack.backendText(), ...transcript].join("\n");
    for (const secret of [TEST_CREDENTIALS.accessKeyId, TEST_CREDENTIALS.secretAccessKey]) {
      assert.ok(!everything.includes(secret), "a credential appears in the state, the CLI's output or the backend's files");
    }
  });
});
