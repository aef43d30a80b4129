import * as assert from "node:assert/strict";
import { CreateTagsCommand, DeleteSnapshotCommand, EC2Client, ModifySnapshotAttributeCommand, UnlockSnapshotCommand } from "@aws-sdk/client-ec2";
import { Snapshot, SnapshotSet } from "../../sdk";
import { Deployment } from "../../harness/deployment";
import { EngineWorld, TEST_CREDENTIALS } from "../../harness/engineWorld";
import { REGION, seedInstance, seedVolume } from "../../harness/seed";

const SNAPSHOTS = 12;

/**
 * A refresh of many resources through the dynamic-provider host, which reads them side by side as the
 * engine does: their reads share batched calls, yet each resource still shows what changed outside
 * Pulumi. What moto lacks comes from the fault proxy: it lists only public snapshots for
 * `RestorableByUserIds: ["all"]` (moto ignores the parameter), and it holds Snapshot Lock.
 */
describe("refresh at fleet scale through the dynamic-provider host", function () {
  let world: EngineWorld;
  let deployment: Deployment;
  const volumes: string[] = [];

  before(async function () {
    world = await EngineWorld.start();
    for (let i = 0; i < SNAPSHOTS; i += 1) {
      volumes.push(await seedVolume(world.ec2));
    }
  });

  after(async function () {
    await world?.stop();
  });

  beforeEach(async function () {
    deployment = await world.deployment();
    const steps = await deployment.up(
      await world.register(() => {
        volumes.forEach((volumeId, i) => new Snapshot(`s${i}`, { volumeId, tags: { team: "db" }, ...(i === 0 ? { lock: { mode: "governance", duration: "1d" } } : {}) }));
      }),
      { parallel: SNAPSHOTS },
    );
    assert.ok(steps.every((s) => s.ok));
  });

  afterEach(async function () {
    await deployment.destroy({ parallel: SNAPSHOTS }).catch(() => undefined);
    world.proxy.reset();
    await world.stopHosts();
  });

  function outputsOf(name: string): Record<string, unknown> {
    const resource = Object.entries(deployment.state.resources).find(([urn]) => urn.endsWith(`::${name}`))?.[1];
    assert.ok(resource, name);
    return resource.outputs;
  }

  it("reads every resource with a few batched calls, not one or two per resource", async function () {
    world.proxy.clearRequests();
    const steps = await deployment.refresh({ parallel: SNAPSHOTS });
    assert.deepEqual(
      steps.map((s) => [s.op, s.ok]),
      Array.from({ length: SNAPSHOTS }, () => ["refresh", true]),
    );
    const describes = world.proxy.requestsFor("DescribeSnapshots");
    // one batch of state reads and one of public checks, whatever the number of resources
    assert.ok(describes.length <= 4, `${describes.length} DescribeSnapshots for ${SNAPSHOTS} reads`);
    assert.equal(world.proxy.count("DescribeSnapshotAttribute"), 0);
    // one DescribeLockedSnapshots for the one resource that declares a lock
    assert.equal(world.proxy.count("DescribeLockedSnapshots"), 1);
    // a resource that does not manage sharing reports whether it is public, and no account list it did not read
    assert.equal(outputsOf("s1").public, false);
    assert.equal("sharedWithAccounts" in outputsOf("s1"), false);
  });

  it("still shows a snapshot deleted, retagged, unlocked or made public outside Pulumi", async function () {
    const id = (name: string): string => String(outputsOf(name).snapshotId);
    assert.notEqual(outputsOf("s0").lockState, undefined);
    await world.ec2.send(new DeleteSnapshotCommand({ SnapshotId: id("s2") }));
    await world.ec2.send(new CreateTagsCommand({ Resources: [id("s3")], Tags: [{ Key: "team", Value: "web" }] }));
    // moto keeps only the flat form of this call (NOTES.md)
    await world.ec2.send(new ModifySnapshotAttributeCommand({ SnapshotId: id("s4"), Attribute: "createVolumePermission", OperationType: "add", GroupNames: ["all"] }));
    // (proxy) Snapshot Lock: moto has none, so the unlock goes through the proxy, as another tool's would reach EC2
    const throughProxy = new EC2Client({ region: REGION, endpoint: world.proxy.endpoint, credentials: TEST_CREDENTIALS });
    await throughProxy.send(new UnlockSnapshotCommand({ SnapshotId: id("s0") }));
    throughProxy.destroy();
    const s2 = id("s2");

    const steps = await deployment.refresh({ parallel: SNAPSHOTS });

    assert.ok(steps.every((s) => s.ok));
    assert.equal(
      Object.values(deployment.state.resources).some((r) => r.outputs.snapshotId === s2),
      false,
      "the deleted snapshot left the state",
    );
    assert.deepEqual(outputsOf("s3").tags, { team: "web" });
    assert.equal(outputsOf("s4").public, true);
    assert.deepEqual(outputsOf("s4").sharedWithAccounts, []);
    assert.equal(outputsOf("s0").lockState, undefined);
    assert.equal(outputsOf("s1").public, false);
  });

  it("reads the members of a set in the same batches", async function () {
    const instance = await seedInstance(world.ec2, [{}, {}, {}]);
    const steps = await deployment.up(
      await world.register(() => {
        volumes.forEach((volumeId, i) => new Snapshot(`s${i}`, { volumeId, tags: { team: "db" }, ...(i === 0 ? { lock: { mode: "governance", duration: "1d" } } : {}) }));
        new SnapshotSet("set", { instanceId: instance.instanceId });
      }),
      { parallel: SNAPSHOTS },
    );
    assert.ok(steps.every((s) => s.ok));
    world.proxy.clearRequests();
    await deployment.refresh({ parallel: SNAPSHOTS + 1 });
    assert.ok(world.proxy.count("DescribeSnapshots") <= 4, `${world.proxy.count("DescribeSnapshots")} DescribeSnapshots`);
    assert.equal((outputsOf("set").snapshotIds as string[]).length, 4);
  });
});
