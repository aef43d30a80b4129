import * as assert from "node:assert/strict";
import { DescribeSnapshotAttributeCommand, ModifySnapshotAttributeCommand } from "@aws-sdk/client-ec2";
import { Snapshot, SnapshotSet, type SharingArgs } from "../../sdk";
import type { Deployment, ResourceState } from "../../harness/deployment";
import { EngineWorld } from "../../harness/engineWorld";
import { KMS_KEY_ARN, seedInstance, seedVolume } from "../../harness/seed";

const URN = (type: string, name: string): string => `urn:pulumi:stack::project::pulumi-nodejs:dynamic/ebs-snapshots:${type}::${name}`;

/**
 * `sharing` through the SDK's dynamic-provider host against moto, which keeps createVolumePermission
 * (in the flat ModifySnapshotAttribute form the provider sends) and reads it back.
 */
describe("sharing through the dynamic-provider host", function () {
  let world: EngineWorld;

  before(async function () {
    world = await EngineWorld.start();
  });

  after(async function () {
    await world?.stop();
  });

  afterEach(async function () {
    world.proxy.clearFaults();
    await world.stopHosts();
  });

  async function permissions(snapshotId: string): Promise<{ accounts: string[]; public: boolean }> {
    const out = await world.ec2.send(new DescribeSnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: "createVolumePermission" }));
    const all = out.CreateVolumePermissions ?? [];
    return { accounts: all.flatMap((p) => (p.UserId ? [p.UserId] : [])).sort(), public: all.some((p) => p.Group === "all") };
  }

  async function upSnapshot(
    deployment: Deployment,
    name: string,
    volumeId: string,
    sharing?: SharingArgs,
  ): Promise<{ ok: boolean; op: string; error?: Error; resource?: ResourceState }> {
    const [step] = await deployment.up(
      await world.register(() => {
        new Snapshot(name, { volumeId, ...(sharing !== undefined ? { sharing } : {}) });
      }),
    );
    return { ok: step.ok, op: step.op, ...(step.error ? { error: step.error } : {}), resource: deployment.state.resources[URN("Snapshot", name)] };
  }

  it("shares a snapshot with accounts at create, then changes only the difference in place", async function () {
    const volumeId = await seedVolume(world.ec2);
    const deployment = await world.deployment();

    const created = await upSnapshot(deployment, "shared", volumeId, { accountIds: ["111122223333", "444455556666"] });

    assert.equal(created.ok, true, String(created.error));
    const id = created.resource!.id;
    assert.deepEqual(await permissions(id), { accounts: ["111122223333", "444455556666"], public: false });
    assert.deepEqual([created.resource!.outputs.sharedWithAccounts, created.resource!.outputs.public], [["111122223333", "444455556666"], false]);

    world.proxy.clearRequests();
    const updated = await upSnapshot(deployment, "shared", volumeId, { accountIds: ["444455556666", "777788889999"], public: true });

    assert.deepEqual([updated.op, updated.ok, updated.resource!.id], ["update", true, id]);
    assert.deepEqual(await permissions(id), { accounts: ["444455556666", "777788889999"], public: true });
    // one remove of what went away and one add of what is new: the attribute is never reset
    const modifies = world.proxy.requestsFor("ModifySnapshotAttribute").map((r) => [
      r.params.OperationType,
      Object.keys(r.params)
        .filter((k) => /^(UserId|UserGroup)\.\d+$/.test(k))
        .map((k) => r.params[k]),
    ]);
    assert.deepEqual(modifies, [
      ["remove", ["111122223333"]],
      ["add", ["all", "777788889999"]],
    ]);
  });

  it("shows permissions changed outside Pulumi on refresh, and puts back the declared ones on the next up", async function () {
    const volumeId = await seedVolume(world.ec2);
    const deployment = await world.deployment();
    const created = await upSnapshot(deployment, "drift", volumeId, { accountIds: ["111122223333"] });
    const id = created.resource!.id;
    await world.ec2.send(new ModifySnapshotAttributeCommand({ SnapshotId: id, Attribute: "createVolumePermission", OperationType: "add", UserIds: ["999999999999"] }));

    const refreshed = await deployment.refresh();

    assert.deepEqual(
      refreshed.map((s) => [s.op, s.ok]),
      [["refresh", true]],
    );
    assert.deepEqual(deployment.state.resources[URN("Snapshot", "drift")]?.outputs.sharedWithAccounts, ["111122223333", "999999999999"]);
    const again = await upSnapshot(deployment, "drift", volumeId, { accountIds: ["111122223333"] });
    assert.deepEqual([again.op, again.ok], ["update", true]);
    assert.deepEqual(await permissions(id), { accounts: ["111122223333"], public: false });
  });

  it("refuses public sharing of a snapshot of an encrypted volume before taking it, naming the key", async function () {
    const volumeId = await seedVolume(world.ec2, { encrypted: true });
    const deployment = await world.deployment();
    world.proxy.clearRequests();

    const result = await upSnapshot(deployment, "public", volumeId, { public: true });

    assert.equal(result.ok, false);
    assert.match(
      String(result.error?.message),
      new RegExp(`Snapshot "public": sharing.public is refused: volume ${volumeId} is encrypted \\(KMS key ${KMS_KEY_ARN}\\), and EC2 never makes an encrypted snapshot public`),
    );
    assert.equal(world.proxy.count("CreateSnapshot"), 0);
    assert.equal(result.resource, undefined);
  });

  it("refuses public sharing of an encrypted snapshot already in state in preview, before any call changes it", async function () {
    const volumeId = await seedVolume(world.ec2, { encrypted: true });
    world.proxy.enrich(volumeId, { kmsKeyId: KMS_KEY_ARN });
    const deployment = await world.deployment();
    const created = await upSnapshot(deployment, "later", volumeId);
    assert.equal(created.resource!.outputs.encrypted, true);
    world.proxy.clearRequests();

    const [preview] = await deployment.up(
      await world.register(() => {
        new Snapshot("later", { volumeId, sharing: { public: true } });
      }),
      { preview: true },
    );

    assert.equal(preview.ok, false);
    assert.match(String(preview.error?.message), /Snapshot "later": sharing.public is refused: the snapshot snap-[0-9a-f]{17} is encrypted \(KMS key .*\)/);
    assert.equal(world.proxy.count("ModifySnapshotAttribute"), 0);
  });

  it("shares an encrypted snapshot with accounts, and says which KMS key they also need", async function () {
    const volumeId = await seedVolume(world.ec2, { encrypted: true });
    world.proxy.enrich(volumeId, { kmsKeyId: KMS_KEY_ARN });
    const deployment = await world.deployment();

    const result = await upSnapshot(deployment, "keyed", volumeId, { accountIds: ["111122223333"] });

    assert.equal(result.ok, true, String(result.error));
    assert.ok(
      deployment.host.stderr.some((line) => line.includes(`Snapshot "keyed": shared encrypted snapshot with 111122223333; those accounts also need a grant on ${KMS_KEY_ARN}`)),
      deployment.host.stderr.join("\n"),
    );
  });

  it("refuses bad account ids in check, naming each, before any EC2 call", async function () {
    const deployment = await world.deployment();
    const [resource] = await world.register(() => {
      new Snapshot("bad", { volumeId: "vol-0123456789abcdef0", sharing: { accountIds: ["12345", "111122223333", "111122223333"] } });
    });
    world.proxy.clearRequests();

    const checked = await deployment.host.check(URN("Snapshot", "bad"), {}, resource.inputs);

    assert.deepEqual(checked.failures, [
      { property: "sharing.accountIds[0]", reason: 'sharing.accountIds[0] must be a 12-digit AWS account id such as 123456789012, got "12345"' },
      { property: "sharing.accountIds[2]", reason: "111122223333 is listed twice in sharing.accountIds" },
    ]);
    assert.deepEqual(world.proxy.requests, []);
  });

  it("shares every member of a SnapshotSet", async function () {
    const instance = await seedInstance(world.ec2);
    const deployment = await world.deployment();

    const [step] = await deployment.up(
      await world.register(() => {
        new SnapshotSet("set", { instanceId: instance.instanceId, sharing: { accountIds: ["111122223333"] } });
      }),
    );

    assert.equal(step.ok, true, String(step.error));
    const outputs = deployment.state.resources[URN("SnapshotSet", "set")]?.outputs ?? {};
    const ids = outputs.snapshotIds as string[];
    assert.ok(ids.length >= 2);
    for (const id of ids) {
      assert.deepEqual(await permissions(id), { accounts: ["111122223333"], public: false }, id);
    }
    assert.deepEqual(outputs.sharedWithAccounts, ["111122223333"]);
  });
});
