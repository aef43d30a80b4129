import * as assert from "node:assert/strict";
import { CreateSnapshotCommand, DescribeSnapshotsCommand, EC2Client, type Snapshot } from "@aws-sdk/client-ec2";
import { SnapshotCopy, type SnapshotCopyArgs } from "../../sdk";
import type { Deployment, ResourceState } from "../../harness/deployment";
import { EngineWorld, TEST_CREDENTIALS } from "../../harness/engineWorld";
import { allSnapshots, seedVolume, tagsOf } from "../../harness/seed";

const URN = (name: string): string => `urn:pulumi:stack::project::pulumi-nodejs:dynamic/ebs-snapshots:SnapshotCopy::${name}`;

/**
 * SnapshotCopy through the SDK's dynamic-provider host, as `pulumi up` drives it, against moto (which
 * copies within and across regions). Facts moto cannot produce come from the fault proxy and are
 * marked "(proxy)": a copy that stays pending, and one that ends in error.
 */
describe("SnapshotCopy through the dynamic-provider host", function () {
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

  function inRegion(region: string): EC2Client {
    return new EC2Client({ region, endpoint: world.moto.endpoint, credentials: TEST_CREDENTIALS });
  }

  /** A completed snapshot made outside the program, as the source of copies. */
  async function source(tags: Record<string, string> = {}, encrypted = false): Promise<string> {
    const volumeId = await seedVolume(world.ec2, { encrypted });
    const out = await world.ec2.send(
      new CreateSnapshotCommand({
        VolumeId: volumeId,
        ...(Object.keys(tags).length > 0 ? { TagSpecifications: [{ ResourceType: "snapshot", Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }] } : {}),
      }),
    );
    return out.SnapshotId ?? "";
  }

  async function described(ec2: EC2Client, id: string): Promise<Snapshot | undefined> {
    return (await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [id] }))).Snapshots?.[0];
  }

  async function up(deployment: Deployment, name: string, args: SnapshotCopyArgs): Promise<{ ok: boolean; op: string; error?: Error; resource?: ResourceState }> {
    const resources = await world.register(() => {
      new SnapshotCopy(name, args);
    });
    const [step, ...rest] = await deployment.up(resources);
    assert.deepEqual(rest, []);
    return { ok: step.ok, op: step.op, ...(step.error ? { error: step.error } : {}), resource: deployment.state.resources[URN(name)] };
  }

  it("copies a snapshot in its region, with the source's tags under the program's, and reports the copy's outputs", async function () {
    const sourceId = await source({ team: "storage", env: "dev" });
    const deployment = await world.deployment();

    const result = await up(deployment, "copy", { sourceSnapshotId: sourceId, copyTagsFromSource: true, tags: { env: "prod" }, description: "dr copy" });

    assert.equal(result.ok, true, String(result.error));
    const copyId = result.resource!.id;
    assert.match(copyId, /^snap-[0-9a-f]{17}$/);
    assert.notEqual(copyId, sourceId);
    const outputs = result.resource!.outputs;
    assert.equal(outputs.sourceSnapshotId, sourceId);
    assert.equal(outputs.sourceRegion, "us-east-1");
    assert.equal(outputs.region, "us-east-1");
    assert.equal(outputs.state, "completed");
    assert.equal(outputs.description, "dr copy");
    assert.equal(outputs.arn, `arn:aws:ec2:us-east-1::snapshot/${copyId}`);
    // the program's tag wins over the source's of the same key
    assert.deepEqual(outputs.tags, { team: "storage", env: "prod" });
    const copy = await described(world.ec2, copyId);
    assert.deepEqual(Object.fromEntries(Object.entries(tagsOf(copy)).filter(([key]) => !key.startsWith("pulumi-ebs-snapshots:"))), { team: "storage", env: "prod" });
  });

  it("copies across regions into the destination region, and destroy deletes the copy, never the source", async function () {
    const sourceId = await source();
    const west = inRegion("us-west-2");
    const deployment = await world.deployment();

    const result = await up(deployment, "west", { sourceSnapshotId: sourceId, sourceRegion: "us-east-1", region: "us-west-2" });

    assert.equal(result.ok, true, String(result.error));
    const copyId = result.resource!.id;
    assert.equal(result.resource!.outputs.region, "us-west-2");
    assert.equal(result.resource!.outputs.arn, `arn:aws:ec2:us-west-2::snapshot/${copyId}`);
    assert.equal((await described(west, copyId))?.State, "completed");

    const again = await deployment.up(
      await world.register(() => {
        new SnapshotCopy("west", { sourceSnapshotId: sourceId, sourceRegion: "us-east-1", region: "us-west-2" });
      }),
    );
    assert.deepEqual(
      again.map((s) => [s.op, s.ok]),
      [["same", true]],
    );

    const destroyed = await deployment.destroy();
    assert.deepEqual(
      destroyed.map((s) => [s.op, s.ok]),
      [["delete", true]],
    );
    const westIds = (await west.send(new DescribeSnapshotsCommand({ OwnerIds: ["self"] }))).Snapshots?.map((s) => s.SnapshotId) ?? [];
    assert.equal(westIds.includes(copyId), false, "the copy was deleted");
    assert.equal((await described(world.ec2, sourceId))?.SnapshotId, sourceId, "the source is untouched");
  });

  it("adopts the copy of a CopySnapshot whose answer was lost (proxy) instead of copying twice", async function () {
    const sourceId = await source();
    world.proxy.inject({ kind: "reset", action: "CopySnapshot", phase: "after-forward", times: 1 });
    world.proxy.clearRequests();
    const deployment = await world.deployment();
    const before = new Set((await allSnapshots(world.ec2)).map((s) => s.SnapshotId));

    const result = await up(deployment, "lost", { sourceSnapshotId: sourceId });

    assert.equal(result.ok, true, String(result.error));
    const made = (await allSnapshots(world.ec2)).filter((s) => !before.has(s.SnapshotId)).map((s) => s.SnapshotId);
    assert.deepEqual(made, [result.resource!.id], "exactly one copy, the one recorded");
    assert.equal(world.proxy.requestsFor("CopySnapshot").length, 1, "the copy was not sent again");
  });

  it("re-encrypts a copy under the key given, sending what EC2 documents", async function () {
    const sourceId = await source({}, true);
    const key = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    world.proxy.clearRequests();
    const deployment = await world.deployment();

    const result = await up(deployment, "rekeyed", { sourceSnapshotId: sourceId, sourceRegion: "us-east-1", region: "us-west-2", encrypted: true, kmsKeyId: key });

    assert.equal(result.ok, true, String(result.error));
    const [request] = world.proxy.requestsFor("CopySnapshot");
    assert.deepEqual([request.params.SourceSnapshotId, request.params.SourceRegion, request.params.Encrypted, request.params.KmsKeyId], [sourceId, "us-east-1", "true", key]);
    assert.equal(result.resource!.outputs.encrypted, true);
    // moto does not report a copy's key; the output keeps the key the program gave
    assert.equal(result.resource!.outputs.kmsKeyId, key);
    assert.equal((await described(inRegion("us-west-2"), result.resource!.id))?.Encrypted, true);
  });

  it("makes a time-based copy: CompletionDurationMinutes sent, recorded as given (moto ignores it, so it completes at once)", async function () {
    const sourceId = await source();
    world.proxy.clearRequests();
    const deployment = await world.deployment();

    const result = await up(deployment, "timed", { sourceSnapshotId: sourceId, completionDurationMinutes: 15 });

    assert.equal(result.ok, true, String(result.error));
    assert.equal(world.proxy.requestsFor("CopySnapshot")[0]?.params.CompletionDurationMinutes, "15");
    assert.equal(result.resource!.outputs.completionDurationMinutes, 15);
  });

  it("changes the copy's tags in place, and keeps the tags it copied from the source", async function () {
    const sourceId = await source({ team: "storage" });
    const deployment = await world.deployment();
    const created = await up(deployment, "retag", { sourceSnapshotId: sourceId, copyTagsFromSource: true, tags: { env: "prod" } });
    const copyId = created.resource!.id;

    const updated = await up(deployment, "retag", { sourceSnapshotId: sourceId, copyTagsFromSource: true, tags: { env: "staging", owner: "ops" } });

    assert.equal(updated.op, "update", String(updated.error));
    assert.equal(updated.resource!.id, copyId, "updated in place, not replaced");
    assert.deepEqual(updated.resource!.outputs.tags, { team: "storage", env: "staging", owner: "ops" });
    // and the copied tags, which the program does not declare, are no change on the next run
    const steady = await up(deployment, "retag", { sourceSnapshotId: sourceId, copyTagsFromSource: true, tags: { env: "staging", owner: "ops" } });
    assert.equal(steady.op, "same");
  });

  it("refuses encrypted: false for an encrypted source, naming it, before any copy is made", async function () {
    const sourceId = await source({}, true);
    const deployment = await world.deployment();
    const before = (await allSnapshots(world.ec2)).length;
    world.proxy.clearRequests();

    const result = await up(deployment, "plain", { sourceSnapshotId: sourceId, encrypted: false });

    assert.equal(result.ok, false);
    assert.match(String(result.error?.message), new RegExp(`SnapshotCopy "plain": source snapshot ${sourceId} is encrypted.*always encrypted.*Remove encrypted: false`));
    assert.equal(world.proxy.count("CopySnapshot"), 0);
    assert.equal((await allSnapshots(world.ec2)).length, before);
  });

  it("says what is missing when the source is not visible: a share from its owner, or the KMS key's grant", async function () {
    const deployment = await world.deployment();

    const result = await up(deployment, "missing", { sourceSnapshotId: "snap-0123456789abcdef0" });

    assert.equal(result.ok, false);
    assert.match(
      String(result.error?.message),
      /source snapshot snap-0123456789abcdef0 is not visible to this account in us-east-1 \(EC2 InvalidSnapshot\.NotFound\).*share it with this account.*KMS key/,
    );
  });

  it("refuses in check a key without encryption and a completion duration off the 15-minute steps, before any EC2 call", async function () {
    const deployment = await world.deployment();
    const [keyOnly] = await world.register(() => {
      new SnapshotCopy("key", { sourceSnapshotId: "snap-0123456789abcdef0", kmsKeyId: "alias/backup" });
    });
    const [offStep] = await world.register(() => {
      new SnapshotCopy("step", { sourceSnapshotId: "snap-0123456789abcdef0", completionDurationMinutes: 20 });
    });
    world.proxy.clearRequests();

    const key = await deployment.host.check(URN("key"), {}, keyOnly.inputs);
    const step = await deployment.host.check(URN("step"), {}, offStep.inputs);

    assert.deepEqual(key.failures, [{ property: "kmsKeyId", reason: "kmsKeyId needs encrypted: true (EC2 encrypts a copy with a key only when asked to encrypt it)" }]);
    assert.deepEqual(step.failures, [
      { property: "completionDurationMinutes", reason: "completionDurationMinutes must be a whole number of minutes from 15 to 2880 in steps of 15, got 20" },
    ]);
    assert.deepEqual(world.proxy.requests, []);
  });

  it("records a copy still pending at the create deadline (proxy) as partial state, and completes the same copy on the next up", async function () {
    const sourceId = await source();
    const hold = world.proxy.holdNewSnapshots();
    const deployment = await world.deployment();
    const args: SnapshotCopyArgs = { sourceSnapshotId: sourceId, timeouts: { create: "1s" } };

    const first = await up(deployment, "slow", args);

    assert.equal(first.ok, false);
    const copyId = first.resource!.id;
    assert.deepEqual(hold.snapshotIds, [copyId]);
    assert.equal(first.resource!.outputs.state, "pending");
    assert.equal(
      first.resource!.initErrors?.[0],
      `SnapshotCopy "slow": copy ${copyId} is still pending (0%) after 1s. It is recorded in the stack, and the next \`pulumi up\` resumes waiting. ` +
        "Run `pulumi up` again, or raise timeouts.create to wait longer in one run.",
    );

    hold.release();
    const second = await up(deployment, "slow", args);

    assert.deepEqual([second.op, second.ok, second.resource?.id, second.resource?.outputs.state], ["update", true, copyId, "completed"]);
    const copies = (await allSnapshots(world.ec2)).filter((s) => tagsOf(s)["pulumi-ebs-snapshots:create-token"] !== undefined && s.SnapshotId !== sourceId);
    assert.equal(copies.filter((s) => s.SnapshotId === copyId).length, 1, "one copy, the one recorded");
  });

  it("waits through pending (proxy), and a copy that ends in error (proxy) is deleted, naming the KMS key to check", async function () {
    const sourceId = await source();
    const deployment = await world.deployment();
    world.proxy.progressNewSnapshots({ pendingDescribes: 2, end: { state: "error", message: "The KMS key is not accessible." } });
    const before = (await allSnapshots(world.ec2)).map((s) => s.SnapshotId);

    const result = await up(deployment, "badkey", { sourceSnapshotId: sourceId, encrypted: true, kmsKeyId: "alias/not-granted" });

    assert.equal(result.ok, false);
    const message = String(result.error?.message);
    assert.match(message, /SnapshotCopy "badkey": copy snap-[0-9a-f]{17} of snapshot snap-[0-9a-f]{17} failed \(state error: The KMS key is not accessible\.\)/);
    assert.match(message, /check key alias\/not-granted/);
    assert.match(message, /It was deleted, so nothing of this create is left/);
    assert.ok(
      deployment.host.stderr.some((line) => /SnapshotCopy "badkey": snap-[0-9a-f]{17} \d+% pending/.test(line)),
      "it reported the copy pending while it waited",
    );
    assert.deepEqual(
      (await allSnapshots(world.ec2)).map((s) => s.SnapshotId),
      before,
      "the failed copy is gone and nothing else changed",
    );
    assert.equal(result.resource, undefined, "nothing recorded");
  });
});
