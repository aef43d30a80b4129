import * as assert from "node:assert/strict";
import { DescribeVolumesCommand, RunInstancesCommand } from "@aws-sdk/client-ec2";
import { SnapshotSet, VolumeSet, type VolumeSetArgs } from "../../sdk";
import { Deployment } from "../../harness/deployment";
import { EngineWorld } from "../../harness/engineWorld";
import type { ProviderHost } from "../../harness/providerHost";
import { AVAILABILITY_ZONE, seedInstance } from "../../harness/seed";

describe("VolumeSet smoke", function () {
  let world: EngineWorld;
  let host: ProviderHost;
  before(async function () {
    world = await EngineWorld.start();
    host = await world.startHost();
  });
  after(async function () {
    await world?.stop();
  });

  it("restores a set onto a second instance, then deletes it", async function () {
    const source = await seedInstance(world.ec2, [{}, { encrypted: true }, {}]);
    const target = await world.ec2.send(
      new RunInstancesCommand({
        ImageId: "ami-12c6146b",
        MinCount: 1,
        MaxCount: 1,
        Placement: { AvailabilityZone: AVAILABILITY_ZONE },
        BlockDeviceMappings: [{ DeviceName: "/dev/sda1", Ebs: { VolumeSize: 8 } }],
      }),
    );
    const targetId = target.Instances?.[0]?.InstanceId ?? "";
    const deployment = new Deployment(host);
    const program = (snapshots: VolumeSetArgs["snapshots"]) => () => {
      new SnapshotSet("db", { instanceId: source.instanceId, excludeBootVolume: true });
      new VolumeSet("restore", { snapshots, availabilityZone: AVAILABILITY_ZONE, attach: { instanceId: targetId }, tags: { drill: "yes" } });
    };
    await deployment.up((await world.register(program([]))).slice(0, 1));
    const set = Object.values(deployment.state.resources).find((r) => r.type.endsWith("SnapshotSet"));
    const members = set?.outputs.snapshots as { snapshotId: string; deviceName: string }[];
    const steps = await deployment.up(await world.register(program(members)));
    for (const step of steps) assert.equal(step.ok, true, String(step.error));
    const restore = Object.values(deployment.state.resources).find((r) => r.type.endsWith("VolumeSet"));
    assert.ok(restore);
    const volumes = restore.outputs.volumes as { volumeId: string; deviceName: string; attachmentState: string; encrypted: boolean }[];
    console.log(JSON.stringify(restore.outputs, null, 1));
    assert.equal(volumes.length, 3);
    assert.deepEqual(
      volumes.map((v) => v.deviceName),
      ["/dev/sdf", "/dev/sdg", "/dev/sdh"],
    );
    assert.deepEqual(
      volumes.map((v) => v.attachmentState),
      ["attached", "attached", "attached"],
    );
    const again = await deployment.up(await world.register(program(members)));
    assert.deepEqual(
      again.map((s) => s.op),
      ["same", "same"],
    );
    const destroyed = await deployment.destroy();
    for (const step of destroyed) assert.equal(step.ok, true, String(step.error));
    const left = await world.ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: "volume-id", Values: volumes.map((v) => v.volumeId) }] }));
    assert.deepEqual(left.Volumes ?? [], []);
  });
});
