import * as assert from "node:assert/strict";
import { CreateTagsCommand, DeleteSnapshotCommand } from "@aws-sdk/client-ec2";
import { Snapshot, type SnapshotArgs } from "../../sdk";
import type { Deployment, ResourceState } from "../../harness/deployment";
import { EngineWorld, TEST_CREDENTIALS } from "../../harness/engineWorld";
import { HostCallError } from "../../harness/providerHost";
import { snapshotPolls } from "../../harness/snapshotPolls";
import { allSnapshots, KMS_KEY_ARN, seedInstance, seedVolume, tagsOf } from "../../harness/seed";

const URN = (name: string): string => `urn:pulumi:stack::project::pulumi-nodejs:dynamic/ebs-snapshots:Snapshot::${name}`;

/**
 * Snapshot through the SDK's dynamic-provider host, as `pulumi up` drives it, against moto. Facts moto
 * cannot produce come from the fault proxy and are marked "(proxy)": pending states and progress,
 * error states, EC2 error answers, lost responses, and the KMS key / storage tier / product codes of a
 * snapshot.
 */
describe("Snapshot through the dynamic-provider host", function () {
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

  function program(name: string, args: SnapshotArgs): () => void {
    return () => {
      new Snapshot(name, args);
    };
  }

  async function up(deployment: Deployment, name: string, args: SnapshotArgs): Promise<{ ok: boolean; op: string; error?: Error; resource?: ResourceState }> {
    const [step, ...rest] = await deployment.up(await world.register(program(name, args)));
    assert.deepEqual(rest, []);
    return { ok: step.ok, op: step.op, ...(step.error ? { error: step.error } : {}), resource: deployment.state.resources[URN(name)] };
  }

  async function snapshotsOf(volumeId: string): Promise<string[]> {
    return (await allSnapshots(world.ec2)).filter((s) => s.VolumeId === volumeId).map((s) => s.SnapshotId ?? "");
  }

  it("creates a snapshot of an encrypted volume, waits through pending, and reports every output", async function () {
    // given an encrypted volume whose snapshots pend for three polls (proxy), and the fields moto leaves out (proxy)
    const volumeId = await seedVolume(world.ec2, { encrypted: true, size: 20 });
    world.proxy.enrich(volumeId, {
      kmsKeyId: KMS_KEY_ARN,
      dataEncryptionKeyId: "dek-0123456789abcdef0",
      ownerAlias: "self",
      storageTier: "standard",
      productCodes: [{ id: "8fjvgz4q2a3zq1wyp6cjvbn3x", type: "marketplace" }],
      completionTime: true,
    });
    world.proxy.progressNewSnapshots({ pendingDescribes: 3, volumeIds: [volumeId] });
    const deployment = await world.deployment();
    const before = snapshotPolls(world.proxy).length;

    // when it is created
    const result = await up(deployment, "encrypted", { volumeId, description: "nightly", tags: { team: "storage" } });

    // then it waited one poll per pending answer plus the one that saw it completed
    assert.equal(result.ok, true, String(result.error));
    assert.equal(snapshotPolls(world.proxy).length - before, 4);
    const outputs = result.resource!.outputs;
    const snapshotId = result.resource!.id;
    assert.match(snapshotId, /^snap-[0-9a-f]{17}$/);
    const { __provider: provider, startTime, completionTime, ...rest } = outputs;
    assert.equal(typeof provider, "string");
    assert.match(typeof startTime === "string" ? startTime : "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.match(typeof completionTime === "string" ? completionTime : "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(rest, {
      __logicalName: "encrypted",
      volumeId,
      description: "nightly",
      snapshotId,
      arn: `arn:aws:ec2:us-east-1::snapshot/${snapshotId}`,
      state: "completed",
      progress: 100,
      encrypted: true,
      kmsKeyId: KMS_KEY_ARN,
      dataEncryptionKeyId: "dek-0123456789abcdef0",
      ownerId: "123456789012",
      ownerAlias: "self",
      volumeSize: 20,
      storageTier: "standard",
      productCodes: [{ productCodeId: "8fjvgz4q2a3zq1wyp6cjvbn3x", productCodeType: "marketplace" }],
      tags: { team: "storage" },
      // no sharing declared: whether it is public is reported; the accounts, never read, are left out
      public: false,
      region: "us-east-1",
    });
    // and it said how it was getting on, once per change
    const lines = deployment.host.stderr.filter((line) => line.includes(snapshotId));
    assert.deepEqual(
      lines.map((line) => line.replace(/, \S+ elapsed, next check in \S+$/, "")),
      [`Snapshot "encrypted": ${snapshotId} 25% pending`, `Snapshot "encrypted": ${snapshotId} 50% pending`, `Snapshot "encrypted": ${snapshotId} 75% pending`],
    );
  });

  it("changes tags in place with one DeleteTags and one CreateTags", async function () {
    const volumeId = await seedVolume(world.ec2);
    const deployment = await world.deployment();
    const created = await up(deployment, "tags", { volumeId, tags: { team: "storage", env: "prod" } });
    const snapshotId = created.resource!.id;
    world.proxy.clearRequests();

    const updated = await up(deployment, "tags", { volumeId, tags: { team: "platform" } });

    assert.deepEqual([updated.op, updated.ok, updated.resource?.id], ["update", true, snapshotId]);
    assert.deepEqual(updated.resource?.outputs.tags, { team: "platform" });
    assert.deepEqual(
      world.proxy.requests.filter((r) => r.action === "CreateTags" || r.action === "DeleteTags").map((r) => [r.action, r.params]),
      [
        ["DeleteTags", { Action: "DeleteTags", Version: "2016-11-15", "ResourceId.1": snapshotId, "Tag.1.Key": "env" }],
        ["CreateTags", { Action: "CreateTags", Version: "2016-11-15", "ResourceId.1": snapshotId, "Tag.1.Key": "team", "Tag.1.Value": "platform" }],
      ],
    );
    const [snapshot] = (await allSnapshots(world.ec2)).filter((s) => s.SnapshotId === snapshotId);
    const { "pulumi-ebs-snapshots:create-token": token, ...userTags } = tagsOf(snapshot);
    assert.match(token, /^[0-9a-f-]{36}$/);
    assert.deepEqual(userTags, { team: "platform" });
  });

  it("diffs a volume change as a replacement that creates the new snapshot before deleting the old", async function () {
    const first = await seedVolume(world.ec2);
    const second = await seedVolume(world.ec2);
    const deployment = await world.deployment();
    const created = await up(deployment, "moving", { volumeId: first, tags: { team: "storage" } });
    const [resource] = await world.register(program("moving", { volumeId: second, tags: { team: "storage" } }));
    const checked = await deployment.host.check(URN("moving"), created.resource!.inputs, resource.inputs);

    const diff = await deployment.host.diff(URN("moving"), created.resource!.id, created.resource!.outputs, checked.inputs);
    assert.deepEqual(diff, { changes: "some", replaces: ["volumeId"], deleteBeforeReplace: false });

    world.proxy.clearRequests();
    const replaced = await up(deployment, "moving", { volumeId: second, tags: { team: "storage" } });
    assert.deepEqual([replaced.op, replaced.ok], ["replace", true]);
    assert.deepEqual(
      world.proxy.requests.filter((r) => r.action === "CreateSnapshot" || r.action === "DeleteSnapshot").map((r) => r.action),
      ["CreateSnapshot", "DeleteSnapshot"],
    );
    assert.deepEqual(await snapshotsOf(first), []);
    assert.deepEqual(await snapshotsOf(second), [replaced.resource!.id]);
  });

  it("records a snapshot still pending at the create deadline, and completes it on the next up", async function () {
    // given a snapshot that stays pending (proxy) and a 1 s create deadline
    const volumeId = await seedVolume(world.ec2);
    const hold = world.proxy.holdNewSnapshots({ volumeIds: [volumeId] });
    const deployment = await world.deployment();
    const args: SnapshotArgs = { volumeId, timeouts: { create: "1s" } };

    const first = await up(deployment, "slow", args);

    // then the create fails, yet the snapshot is in state, pending, with the reason recorded
    assert.equal(first.ok, false);
    const snapshotId = first.resource!.id;
    assert.deepEqual(hold.snapshotIds, [snapshotId]);
    assert.equal(first.resource!.outputs.state, "pending");
    assert.equal(
      first.resource!.initErrors?.[0],
      `Snapshot "slow": snapshot ${snapshotId} is still pending (0%) after 1s. It is recorded in the stack, and the next \`pulumi up\` resumes waiting. ` +
        "Run `pulumi up` again, or raise timeouts.create to wait longer in one run.",
    );
    assert.ok(first.error instanceof HostCallError && first.error.initFailed?.id === snapshotId);

    // when EC2 finishes it and the program runs again unchanged
    hold.release();
    const second = await up(deployment, "slow", args);

    // then the engine updates it (it had init errors) and the provider resumes waiting
    assert.deepEqual([second.op, second.ok, second.resource?.id, second.resource?.outputs.state], ["update", true, snapshotId, "completed"]);
    assert.equal(second.resource?.initErrors, undefined);
    assert.deepEqual(await snapshotsOf(volumeId), [snapshotId]);
  });

  it("can refresh and destroy a snapshot recorded as partial state", async function () {
    // given a snapshot recorded at its create deadline while still pending (proxy)
    const volumeId = await seedVolume(world.ec2);
    const hold = world.proxy.holdNewSnapshots({ volumeIds: [volumeId] });
    const deployment = await world.deployment();
    const first = await up(deployment, "partial", { volumeId, timeouts: { create: "1s" } });
    assert.equal(first.ok, false);
    assert.equal(typeof first.resource?.outputs.__provider, "string", "partial state carries the serialized provider");

    // when it is refreshed, then destroyed
    const refreshed = await deployment.refresh();
    const destroyed = await deployment.destroy();

    // then both work from the recorded state, and nothing is left
    assert.deepEqual(
      [...refreshed, ...destroyed].map((s) => [s.op, s.ok]),
      [
        ["refresh", true],
        ["delete", true],
      ],
    );
    assert.deepEqual(await snapshotsOf(volumeId), []);
    hold.release();
  });

  it("deletes a snapshot that ends in error and reports EC2's StateMessage", async function () {
    const volumeId = await seedVolume(world.ec2);
    world.proxy.progressNewSnapshots({ pendingDescribes: 1, end: { state: "error", message: "The volume is impaired" }, volumeIds: [volumeId] });
    const deployment = await world.deployment();

    const result = await up(deployment, "doomed", { volumeId });

    assert.equal(result.ok, false);
    assert.equal(result.resource, undefined);
    const deleted = world.proxy
      .requestsFor("DeleteSnapshot")
      .map((r) => r.params.SnapshotId)
      .filter((id) => world.proxy.volumeOf(id) === volumeId);
    assert.equal(deleted.length, 1);
    assert.equal(
      result.error?.message,
      `Snapshot "doomed": snapshot ${deleted[0]} of volume ${volumeId} failed (state error: The volume is impaired). ` +
        "It was deleted, so nothing of this create is left. Check the volume, then run `pulumi up` again.",
    );
    assert.deepEqual(await snapshotsOf(volumeId), []);
  });

  it("deletes twice without error, the second time finding nothing", async function () {
    const volumeId = await seedVolume(world.ec2);
    const deployment = await world.deployment();
    const { resource } = await up(deployment, "twice", { volumeId });

    await deployment.host.delete(URN("twice"), resource!.id, resource!.outputs);
    await deployment.host.delete(URN("twice"), resource!.id, resource!.outputs);

    assert.deepEqual(await snapshotsOf(volumeId), []);
    assert.deepEqual(
      world.proxy
        .requestsFor("DeleteSnapshot")
        .slice(-2)
        .map((r) => r.status),
      [200, 400],
    );
  });

  it("drops a snapshot deleted outside Pulumi on refresh", async function () {
    const volumeId = await seedVolume(world.ec2);
    const deployment = await world.deployment();
    const { resource } = await up(deployment, "gone", { volumeId });
    await world.ec2.send(new DeleteSnapshotCommand({ SnapshotId: resource!.id }));

    const read = await deployment.host.read(URN("gone"), resource!.id, resource!.outputs, resource!.inputs);
    assert.equal(read.id, "");
    const steps = await deployment.refresh();
    assert.deepEqual(
      steps.map((s) => [s.op, s.ok]),
      [["refresh", true]],
    );
    assert.equal(deployment.state.resources[URN("gone")], undefined);
  });

  it("shows tags changed outside Pulumi as drift on refresh, and puts them back on up", async function () {
    const volumeId = await seedVolume(world.ec2);
    const deployment = await world.deployment();
    const args: SnapshotArgs = { volumeId, tags: { team: "storage" } };
    const { resource } = await up(deployment, "drift", args);
    await world.ec2.send(
      new CreateTagsCommand({
        Resources: [resource!.id],
        Tags: [
          { Key: "team", Value: "intruder" },
          { Key: "extra", Value: "1" },
        ],
      }),
    );

    await deployment.refresh();
    assert.deepEqual(deployment.state.resources[URN("drift")].outputs.tags, { extra: "1", team: "intruder" });

    const again = await up(deployment, "drift", args);
    assert.deepEqual([again.op, again.ok, again.resource?.outputs.tags], ["update", true, { team: "storage" }]);
    const [snapshot] = (await allSnapshots(world.ec2)).filter((s) => s.SnapshotId === resource!.id);
    const { "pulumi-ebs-snapshots:create-token": _token, ...userTags } = tagsOf(snapshot);
    assert.deepEqual(userTags, { team: "storage" });
  });

  it("survives throttling and snapshot-limit errors, and makes exactly one snapshot", async function () {
    // given EC2 throttling every kind of call and refusing the create for the volume's limits (proxy)
    const volumeId = await seedVolume(world.ec2);
    world.proxy.inject({ kind: "error", code: "RequestLimitExceeded", times: 4 });
    world.proxy.inject({ kind: "error", action: "CreateSnapshot", code: "ConcurrentSnapshotLimitExceeded", times: 2 });
    world.proxy.inject({ kind: "error", action: "CreateSnapshot", code: "SnapshotCreationPerVolumeRateExceeded", times: 1 });
    world.proxy.inject({ kind: "error", action: "CreateSnapshot", code: "IncorrectState", times: 1 });
    world.proxy.progressNewSnapshots({ pendingDescribes: 2, volumeIds: [volumeId] });
    const deployment = await world.deployment();

    const result = await up(deployment, "busy", { volumeId });

    assert.equal(result.ok, true, String(result.error));
    assert.equal(result.resource?.outputs.state, "completed");
    assert.deepEqual(await snapshotsOf(volumeId), [result.resource.id]);
    const creates = world.proxy.requestsFor("CreateSnapshot").filter((r) => r.params.VolumeId === volumeId);
    assert.deepEqual(
      creates.map((r) => r.fault ?? "forwarded"),
      [...creates.slice(0, -1).map((r) => r.fault ?? "forwarded"), "forwarded"],
    );
    assert.ok(creates.length >= 5, `expected the create to be retried through 4 refusals, saw ${creates.length} attempts`);
  });

  it("adopts the snapshot of a CreateSnapshot whose response was lost instead of making a second one", async function () {
    // given a connection reset after moto made the snapshot (proxy)
    const volumeId = await seedVolume(world.ec2);
    world.proxy.inject({ kind: "reset", action: "CreateSnapshot", phase: "after-forward", times: 1 });
    const deployment = await world.deployment();

    const result = await up(deployment, "lost", { volumeId, tags: { team: "storage" } });

    assert.equal(result.ok, true, String(result.error));
    assert.deepEqual(await snapshotsOf(volumeId), [result.resource!.id]);
    assert.equal(world.proxy.requestsFor("CreateSnapshot").filter((r) => r.params.VolumeId === volumeId).length, 1);
  });

  it("tolerates a new snapshot that DescribeSnapshots does not show yet", async function () {
    const volumeId = await seedVolume(world.ec2);
    world.proxy.hideNewSnapshots({ lookups: 2, volumeIds: [volumeId] });
    world.proxy.progressNewSnapshots({ pendingDescribes: 1, volumeIds: [volumeId] });
    const deployment = await world.deployment();

    const result = await up(deployment, "shy", { volumeId });

    assert.deepEqual([result.ok, result.resource?.outputs.state], [true, "completed"]);
  });

  it("returns at once with a pending snapshot when waitForCompletion is false", async function () {
    const volumeId = await seedVolume(world.ec2);
    const hold = world.proxy.holdNewSnapshots({ volumeIds: [volumeId] });
    const deployment = await world.deployment();

    const result = await up(deployment, "async", { volumeId, waitForCompletion: false });

    assert.deepEqual([result.ok, result.resource?.outputs.state, result.resource?.outputs.progress], [true, "pending", 0]);
    hold.release();
    await deployment.refresh();
    assert.equal(deployment.state.resources[URN("async")].outputs.state, "completed");
    // an unchanged program that does not wait has nothing to do
    const again = await up(deployment, "async", { volumeId, waitForCompletion: false });
    assert.equal(again.op, "same");
  });

  it("warns once that a root volume of a running instance gets only a crash-consistent snapshot", async function () {
    const instance = await seedInstance(world.ec2, [{}]);
    const deployment = await world.deployment();

    const result = await up(deployment, "root", { volumeId: instance.rootVolumeId });

    assert.equal(result.ok, true, String(result.error));
    assert.deepEqual(
      deployment.host.stderr.filter((line) => line.startsWith("warning:")),
      [
        `warning: Snapshot "root": volume ${instance.rootVolumeId} is the root device (/dev/sda1) of running instance ${instance.instanceId}; ` +
          "the snapshot will be crash-consistent only. Stop the instance first for a consistent snapshot of a root volume.",
      ],
    );
  });

  it("retries a delete while an AMI uses the snapshot, and names the AMI when the delete deadline passes", async function () {
    const volumeId = await seedVolume(world.ec2);
    const deployment = await world.deployment();
    const created = await up(deployment, "ami", { volumeId, timeouts: { delete: "1s" } });
    const snapshotId = created.resource!.id;
    const inUse = {
      kind: "error" as const,
      action: "DeleteSnapshot",
      code: "InvalidSnapshot.InUse",
      message: `The snapshot ${snapshotId} is currently in use by ami-0a1b2c3d4e5f60789`,
    };

    // an AMI that goes away after two refusals (proxy): the delete is retried and succeeds
    world.proxy.inject({ ...inUse, times: 2 });
    await deployment.host.delete(URN("ami"), snapshotId, created.resource!.outputs);
    assert.deepEqual(await snapshotsOf(volumeId), []);

    // an AMI that stays (proxy): the delete fails at its deadline, naming the AMI
    const again = await up(await world.deployment(), "ami2", { volumeId, timeouts: { delete: "1s" } });
    world.proxy.inject({ ...inUse, message: `The snapshot ${again.resource!.id} is currently in use by ami-0a1b2c3d4e5f60789`, times: Number.POSITIVE_INFINITY });
    await assert.rejects(deployment.host.delete(URN("ami2"), again.resource!.id, again.resource!.outputs), (error: unknown) => {
      assert.ok(error instanceof HostCallError);
      assert.equal(
        error.message,
        `Snapshot "ami2": snapshot ${again.resource!.id} cannot be deleted because AMI ami-0a1b2c3d4e5f60789 uses it (EC2 InvalidSnapshot.InUse). ` +
          "The snapshot was not deleted and stays in the stack. Deregister ami-0a1b2c3d4e5f60789 first, then run the delete again.",
      );
      return true;
    });
    assert.deepEqual(await snapshotsOf(volumeId), [again.resource!.id]);
  });

  it("refuses bad inputs in check, naming the property, before any EC2 call", async function () {
    const deployment = await world.deployment();
    const [resource] = await world.register(program("bad", { volumeId: "i-0123456789abcdef0", tags: { "aws:owner": "me" }, timeouts: { create: "soon" } }));
    world.proxy.clearRequests();

    const checked = await deployment.host.check(URN("bad"), {}, resource.inputs);

    assert.deepEqual(checked.failures, [
      { property: "volumeId", reason: 'volumeId must be an EBS volume id such as vol-0123456789abcdef0, got "i-0123456789abcdef0"' },
      { property: 'tags["aws:owner"]', reason: 'tag keys starting with "aws:" are reserved for AWS' },
      { property: "timeouts.create", reason: 'timeouts.create must be a positive duration such as "90s", "10m" or "2h", got "soon"' },
    ]);
    assert.deepEqual(world.proxy.requests, []);
  });

  it("keeps credentials out of state and out of the serialized provider", async function () {
    const volumeId = await seedVolume(world.ec2);
    const deployment = await world.deployment();
    await up(deployment, "clean", { volumeId });
    const state = JSON.stringify(deployment.state);
    for (const secret of Object.values(TEST_CREDENTIALS)) {
      assert.equal(state.includes(secret), false, "a credential reached the state");
    }
    const provider = deployment.state.resources[URN("clean")].outputs.__provider;
    assert.ok(typeof provider === "string" && provider.length < 16 * 1024, `__provider is ${JSON.stringify(provider).length} characters`);
  });
});
