import * as assert from "node:assert/strict";
import { AssertionError } from "node:assert";
import { DescribeSnapshotsCommand } from "@aws-sdk/client-ec2";
import * as grpc from "@grpc/grpc-js";
import type * as pulumi from "@pulumi/pulumi";
import { Snapshot, SnapshotSet, type SnapshotArgs, type SnapshotSetArgs } from "../../sdk";
import { Deployment, type DeploymentState, type ResourceState } from "../../harness/deployment";
import { EngineWorld, TEST_CREDENTIALS } from "../../harness/engineWorld";
import { HostCallError, type ProviderHost } from "../../harness/providerHost";
import { snapshotPolls } from "../../harness/snapshotPolls";
import { killWhen } from "../support/hostKill";
import { allSnapshots, seedInstance, seedVolume, tagsOf } from "../../harness/seed";

const URN = (type: "Snapshot" | "SnapshotSet", name: string): string => `urn:pulumi:stack::project::ebs-snapshots:index:${type}::${name}`;
const TOKEN_TAG = "pulumi-ebs-snapshots:create-token";

/** Values of a flattened Query list parameter (`prefix.1`, `prefix.2`, ...), in order (as in snapshotSet.test.ts). */
function listParam(params: Readonly<Record<string, string>>, prefix: string): string[] {
  const values: string[] = [];
  for (let i = 1; params[`${prefix}.${i}`] !== undefined; i += 1) {
    values.push(params[`${prefix}.${i}`]);
  }
  return values;
}

/** Resolves once `condition` holds, checking every 10 ms; fails after timeoutMs naming what it waited for. */
async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) {
      throw new AssertionError({ message: `waited ${timeoutMs} ms for ${what}` });
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function sorted(values: readonly string[]): string[] {
  return [...values].sort();
}

/**
 * The guarantees of the engine tests, through the resource-provider plugin (bin/pulumi-resource-ebs-snapshots,
 * the plugin face) instead of the SDK's dynamic-provider host: the same programs, registered as a program
 * using the plugin registers them (`ebs-snapshots:index:<Type>`, no `__provider`), the resource's
 * customTimeouts as the request's timeout, and the engine's Cancel. Against moto; facts moto cannot
 * produce come from the fault proxy and are marked "(proxy)" in each test.
 */
describe("The plugin face through the engine's ResourceProvider protocol", function () {
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

  /** A configured plugin process, as the engine starts one per deployment; stopped in afterEach. */
  function pluginHost(): Promise<ProviderHost> {
    return world.startHost(undefined, undefined, { face: "plugin" });
  }

  async function pluginDeployment(state?: DeploymentState): Promise<Deployment> {
    return new Deployment(await pluginHost(), state);
  }

  function snapshotProgram(name: string, args: SnapshotArgs, options?: pulumi.CustomResourceOptions): () => void {
    return () => {
      new Snapshot(name, { ...args }, options);
    };
  }

  /** One Snapshot's up: its one step and what state records for it (snapshot.test.ts's helper, with the plugin's URN). */
  async function up(
    deployment: Deployment,
    name: string,
    args: SnapshotArgs,
    options?: pulumi.CustomResourceOptions,
  ): Promise<{ ok: boolean; op: string; error?: Error; resource?: ResourceState }> {
    const [step, ...rest] = await deployment.up(await world.register(snapshotProgram(name, args, options), { face: "plugin" }));
    assert.deepEqual(rest, []);
    return { ok: step.ok, op: step.op, ...(step.error ? { error: step.error } : {}), resource: deployment.state.resources[URN("Snapshot", name)] };
  }

  async function snapshotsOf(volumeId: string): Promise<string[]> {
    return (await allSnapshots(world.ec2)).filter((s) => s.VolumeId === volumeId).map((s) => s.SnapshotId ?? "");
  }

  async function exists(id: string): Promise<boolean> {
    const out = await world.ec2.send(new DescribeSnapshotsCommand({ Filters: [{ Name: "snapshot-id", Values: [id] }] }));
    return (out.Snapshots ?? []).length > 0;
  }

  it("serves the plugin's type tokens: no __provider in, none out, the name taken from the URN", async function () {
    const volumeId = await seedVolume(world.ec2);
    const [registered, ...others] = await world.register(snapshotProgram("named", { volumeId, tags: { team: "storage" } }), { face: "plugin" });
    assert.deepEqual(others, []);
    assert.deepEqual(
      { type: registered.type, urn: registered.urn, inputs: registered.inputs },
      { type: "ebs-snapshots:index:Snapshot", urn: URN("Snapshot", "named"), inputs: { volumeId, tags: { team: "storage" } } },
    );
    const deployment = await pluginDeployment();
    assert.deepEqual(deployment.host.capabilities, { acceptSecrets: false, acceptResources: false, acceptOutputs: false, supportsPreview: true });

    const created = await up(deployment, "named", { volumeId, tags: { team: "storage" } });

    assert.deepEqual([created.op, created.ok], ["create", true], String(created.error));
    const resource = created.resource;
    assert.ok(resource);
    assert.equal(resource.type, "ebs-snapshots:index:Snapshot");
    assert.deepEqual(
      ["__provider", "__logicalName", "__urn"].filter((key) => key in resource.outputs || key in resource.inputs),
      [],
    );
    assert.deepEqual(
      [resource.outputs.snapshotId, resource.outputs.volumeId, resource.outputs.state, resource.outputs.tags],
      [resource.id, volumeId, "completed", { team: "storage" }],
    );
    await deployment.destroy();
  });

  it("takes its region from its own config key, or from aws:region sent as that key, over AWS_REGION", async function () {
    // the host's environment says us-east-1, where the volume is; each config names us-west-2
    const volumeId = await seedVolume(world.ec2);
    const configs: Record<string, string>[] = [{ "ebs-snapshots:region": "us-west-2" }, { "ebs-snapshots:config:region": "us-west-2" }, { "aws:region": "us-west-2" }];
    for (const config of configs) {
      const deployment = new Deployment(await world.startHost(config, undefined, { face: "plugin" }));

      const result = await up(deployment, "elsewhere", { volumeId });

      assert.equal(result.ok, false, JSON.stringify(config));
      assert.match(String(result.error?.message), new RegExp(`volume ${volumeId} does not exist in us-west-2 \\(EC2 InvalidVolume\\.NotFound\\)`), JSON.stringify(config));
      assert.equal(result.resource, undefined);
    }
  });

  it("(a) adopts the snapshot of a CreateSnapshot whose answer was lost instead of making a second one", async function () {
    // given a connection reset after moto made the snapshot (proxy): EC2 acted, the plugin never heard
    const volumeId = await seedVolume(world.ec2);
    world.proxy.inject({ kind: "reset", action: "CreateSnapshot", phase: "after-forward", times: 1 });
    const deployment = await pluginDeployment();

    const result = await up(deployment, "lost", { volumeId, tags: { team: "storage" } });

    // then exactly one snapshot exists, and it is the one state records
    assert.equal(result.ok, true, String(result.error));
    assert.deepEqual(await snapshotsOf(volumeId), [result.resource!.id]);
    assert.deepEqual(
      world.proxy
        .requestsFor("CreateSnapshot")
        .filter((r) => r.params.VolumeId === volumeId)
        .map((r) => r.fault ?? ""),
      ["reset:after-forward"],
    );
    assert.deepEqual([result.resource!.outputs.state, result.resource!.outputs.tags], ["completed", { team: "storage" }]);
    await deployment.destroy();
  });

  it("(b) records a snapshot still pending at the request's timeout (customTimeouts), and the next up resumes the same snapshot", async function () {
    // given a snapshot that stays pending (proxy), and customTimeouts.create of 1 s, which the engine sends as the request's timeout
    const volumeId = await seedVolume(world.ec2);
    const hold = world.proxy.holdNewSnapshots({ volumeIds: [volumeId] });
    const deployment = await pluginDeployment();
    const started = Date.now();

    const first = await up(deployment, "slow", { volumeId }, { customTimeouts: { create: "1s" } });

    // then the create fails after about 1 s (the resource has no timeouts input: the request's bounded it),
    // yet the snapshot is in state, pending, with the reason recorded
    assert.ok(Date.now() - started < 10_000, `the create took ${Date.now() - started} ms`);
    assert.equal(first.ok, false);
    const snapshotId = first.resource!.id;
    assert.deepEqual(hold.snapshotIds, [snapshotId]);
    assert.equal(first.resource!.outputs.state, "pending");
    assert.equal(
      first.resource!.initErrors?.[0],
      `Snapshot "slow": snapshot ${snapshotId} is still pending (0%) after 1s. It is recorded in the stack, and the next \`pulumi up\` resumes waiting. ` +
        "Run `pulumi up` again, or raise customTimeouts.create to wait longer in one run.",
    );
    assert.ok(first.error instanceof HostCallError && first.error.initFailed?.id === snapshotId);

    // when EC2 finishes it and the program runs again unchanged
    hold.release();
    const second = await up(deployment, "slow", { volumeId }, { customTimeouts: { create: "1s" } });

    // then the engine updates it (it had init errors) and the plugin resumes waiting on the same snapshot
    assert.deepEqual([second.op, second.ok, second.resource?.id, second.resource?.outputs.state], ["update", true, snapshotId, "completed"], String(second.error));
    assert.equal(second.resource?.initErrors, undefined);
    assert.deepEqual(await snapshotsOf(volumeId), [snapshotId]);
    assert.equal(world.proxy.requestsFor("CreateSnapshot").filter((r) => r.params.VolumeId === volumeId).length, 1);
    await deployment.destroy();
  });

  it("(c) a plugin process killed while the first create waits; the next up, in a new plugin process, resumes the snapshot it started", async function () {
    // given a snapshot that pends for three polls (proxy), polls answered slowly until the kill (proxy)
    const volumeId = await seedVolume(world.ec2);
    const pending = world.proxy.progressNewSnapshots({ pendingDescribes: 3, volumeIds: [volumeId] });
    const deployment = await pluginDeployment();

    // when the plugin is SIGKILLed as soon as it reports the snapshot pending
    const [interrupted, ...rest] = await killWhen(
      deployment.host,
      (rule) => world.proxy.inject(rule),
      /^Snapshot "orphan": snap-\S+ \d+% pending/,
      async () => deployment.up(await world.register(snapshotProgram("orphan", { volumeId, tags: { team: "storage" } }), { face: "plugin" })),
    );

    // then the create never returned: no state records the snapshot, which carries the in-flight token
    assert.deepEqual(rest, []);
    assert.deepEqual([interrupted.op, interrupted.ok], ["create", false]);
    assert.ok(interrupted.error instanceof HostCallError && interrupted.error.code === grpc.status.UNAVAILABLE, String(interrupted.error));
    assert.equal(deployment.host.exit?.signal, "SIGKILL");
    assert.deepEqual(deployment.state.resources, {});
    const [orphan, ...others] = await snapshotsOf(volumeId);
    assert.deepEqual(others, []);

    // when a new plugin process runs the program again (a tag changed meanwhile), from the state round-tripped through JSON
    const next = await pluginDeployment(JSON.parse(JSON.stringify(deployment.state)) as DeploymentState);
    const resumed = await up(next, "orphan", { volumeId, tags: { team: "platform" } });

    // then it found the interrupted create by the URN-derived token and adopted that snapshot, with the tags wanted now
    assert.deepEqual([resumed.op, resumed.ok, resumed.error?.message], ["create", true, undefined]);
    assert.deepEqual([resumed.resource?.id, resumed.resource?.outputs.state, resumed.resource?.outputs.tags], [orphan, "completed", { team: "platform" }]);
    assert.deepEqual(await snapshotsOf(volumeId), [orphan]);
    assert.equal(world.proxy.requestsFor("CreateSnapshot").filter((r) => r.params.VolumeId === volumeId).length, 1);
    const [snapshot] = (await allSnapshots(world.ec2)).filter((x) => x.SnapshotId === orphan);
    assert.match(tagsOf(snapshot)[TOKEN_TAG] ?? "", /^[0-9a-f-]{36}$/);
    // and no credential reached the state or either process's lines
    const texts = [JSON.stringify(next.state), ...deployment.host.stderr, ...next.host.stderr, ...deployment.host.stdout, ...next.host.stdout];
    for (const secret of Object.values(TEST_CREDENTIALS)) {
      assert.equal(
        texts.some((text) => text.includes(secret)),
        false,
        "a credential leaked",
      );
    }
    pending.remove();
    await next.destroy();
  });

  it("(d) deletes every snapshot of a SnapshotSet when one member ends in error, and records nothing", async function () {
    // given a set whose members pend (proxy), and one member that ends in error (proxy)
    const instance = await seedInstance(world.ec2, [{}, { encrypted: true }]);
    const volumes = [instance.rootVolumeId, ...instance.dataVolumes.map((v) => v.volumeId)];
    const failing = instance.dataVolumes[1].volumeId;
    world.proxy.progressNewSnapshots({ pendingDescribes: 3, volumeIds: volumes });
    world.proxy.progressNewSnapshots({ pendingDescribes: 1, volumeIds: [failing], end: { state: "error", message: "The volume is unreadable." } });
    const deployment = await pluginDeployment();
    world.proxy.clearRequests();

    const [step, ...rest] = await deployment.up(
      await world.register(
        () => {
          new SnapshotSet("web", { instanceId: instance.instanceId } satisfies SnapshotSetArgs);
        },
        { face: "plugin" },
      ),
    );

    // then the whole set is gone, and the message says which volume failed and why
    assert.deepEqual(rest, []);
    assert.deepEqual([step.urn, step.op, step.ok], [URN("SnapshotSet", "web"), "create", false]);
    const createdIds = listParam(snapshotPolls(world.proxy)[0].params, "Filter.1.Value");
    assert.equal(createdIds.length, 3);
    const failedId = createdIds.find((id) => world.proxy.volumeOf(id) === failing);
    assert.ok(step.error instanceof HostCallError, String(step.error));
    assert.equal(
      step.error.message,
      `SnapshotSet "web": the snapshot set of instance ${instance.instanceId} failed: ${failedId} (volume ${failing}: The volume is unreadable.). ` +
        "All 3 snapshots of the set were deleted, so nothing of this create is left. Check the volumes, then run `pulumi up` again.",
    );
    assert.equal(step.error.initFailed, undefined);
    assert.deepEqual(deployment.state, { resources: {}, pendingDeletes: [] });
    assert.deepEqual(sorted(world.proxy.requestsFor("DeleteSnapshot").map((r) => r.params["SnapshotId"])), sorted(createdIds));
    for (const volumeId of volumes) {
      assert.deepEqual(await snapshotsOf(volumeId), []);
    }
  });

  it("(e) fails the delete of a governance-locked snapshot with the locked message, keeps it, and deletes the rest", async function () {
    // Snapshot Lock is the proxy's: LockSnapshot, DescribeLockedSnapshots, and DeleteSnapshot refused with SnapshotLocked (proxy)
    const deployment = await pluginDeployment();
    const locked = await seedVolume(world.ec2);
    const free = await seedVolume(world.ec2);
    const steps = await deployment.up(
      await world.register(
        () => {
          new Snapshot("kept", { volumeId: locked, lock: { mode: "governance", duration: "3d" } });
          new Snapshot("free", { volumeId: free });
        },
        { face: "plugin" },
      ),
    );
    assert.deepEqual(
      steps.map((s) => [s.op, s.ok, s.error?.message]),
      [
        ["create", true, undefined],
        ["create", true, undefined],
      ],
    );
    const keptId = deployment.state.resources[URN("Snapshot", "kept")].id;
    const freeId = deployment.state.resources[URN("Snapshot", "free")].id;
    assert.equal(world.proxy.lockOf(keptId)?.mode, "governance");

    const destroyed = await deployment.destroy();

    const kept = destroyed.find((s) => s.urn === URN("Snapshot", "kept"));
    assert.equal(kept?.ok, false);
    assert.match(String(kept?.error), new RegExp(`snapshot ${keptId} is locked in governance mode until \\S+ \\(EC2 SnapshotLocked\\), so EC2 will not delete it`));
    assert.match(String(kept?.error), /ec2:UnlockSnapshot/);
    assert.equal(destroyed.find((s) => s.urn === URN("Snapshot", "free"))?.ok, true);
    assert.equal(await exists(keptId), true);
    assert.equal(await exists(freeId), false);
    assert.deepEqual(Object.keys(deployment.state.resources), [URN("Snapshot", "kept")]);
    // once the lock has expired (proxy) the delete goes through
    world.proxy.expireLock(keptId);
    const [retried] = await deployment.destroy();
    assert.equal(retried.ok, true, String(retried.error));
    assert.equal(await exists(keptId), false);
  });

  it("(f) Cancel ends a create held pending promptly, well before its timeout, with the snapshot recorded as partial state", async function () {
    // given a snapshot that stays pending (proxy), and customTimeouts.create of 40 s
    const volumeId = await seedVolume(world.ec2);
    const hold = world.proxy.holdNewSnapshots({ volumeIds: [volumeId] });
    const deployment = await pluginDeployment();
    const resources = await world.register(snapshotProgram("held", { volumeId }, { customTimeouts: { create: "40s" } }), { face: "plugin" });
    const polledBefore = snapshotPolls(world.proxy).length;
    const running = deployment.up(resources);
    // the plugin has made the snapshot and is waiting on it: it has polled it (a held snapshot stays at 0%, so no progress line says so)
    await until(() => hold.snapshotIds.length === 1 && snapshotPolls(world.proxy).length > polledBefore, 20_000, "the plugin to poll the held snapshot");

    // when the engine cancels (the first Ctrl-C)
    const cancelledAt = Date.now();
    await deployment.host.cancel();
    const [step, ...rest] = await running;

    // then the create ends within seconds, failed, with the pending snapshot recorded and the reason
    const took = Date.now() - cancelledAt;
    assert.ok(took < 5_000, `the create ended ${took} ms after Cancel`);
    assert.deepEqual(rest, []);
    assert.deepEqual([step.op, step.ok], ["create", false]);
    const snapshotId = hold.snapshotIds[0];
    assert.deepEqual(hold.snapshotIds, [snapshotId]);
    assert.ok(step.error instanceof HostCallError && step.error.initFailed !== undefined, String(step.error));
    const recorded = deployment.state.resources[URN("Snapshot", "held")];
    assert.deepEqual([recorded?.id, recorded?.outputs.state, recorded?.initErrors], [snapshotId, "pending", [step.error.message]]);
    assert.match(step.error.message, new RegExp(`^Snapshot "held": .*${snapshotId}`));

    // and once EC2 finishes it, the next up resumes the same snapshot (Cancel left later calls working)
    hold.release();
    const resumed = await up(deployment, "held", { volumeId }, { customTimeouts: { create: "40s" } });
    assert.deepEqual([resumed.op, resumed.ok, resumed.resource?.id, resumed.resource?.outputs.state], ["update", true, snapshotId, "completed"], String(resumed.error));
    assert.deepEqual(await snapshotsOf(volumeId), [snapshotId]);
    await deployment.destroy();
  });

  // The engine's cancel ends a wait as a deadline does, and the message says which of the two it was.
  it("(f') says a create held pending was cancelled by the engine, not that it ran out of its timeout", async function () {
    // given a snapshot that stays pending (proxy), and customTimeouts.create of 40 s
    const volumeId = await seedVolume(world.ec2);
    const hold = world.proxy.holdNewSnapshots({ volumeIds: [volumeId] });
    const deployment = await pluginDeployment();
    const resources = await world.register(snapshotProgram("stopped", { volumeId }, { customTimeouts: { create: "40s" } }), { face: "plugin" });
    const polledBefore = snapshotPolls(world.proxy).length;
    const running = deployment.up(resources);
    await until(() => hold.snapshotIds.length === 1 && snapshotPolls(world.proxy).length > polledBefore, 20_000, "the plugin to poll the held snapshot");

    await deployment.host.cancel();
    const [step] = await running;

    // then the recorded reason says the engine cancelled it, and neither claims 40 s passed nor advises a longer timeout
    assert.equal(step.ok, false);
    const reason = deployment.state.resources[URN("Snapshot", "stopped")]?.initErrors?.[0] ?? "";
    hold.release();
    await deployment.destroy();
    assert.match(reason, /cancelled by the Pulumi engine/);
    assert.doesNotMatch(reason, /after 40s/);
    assert.doesNotMatch(reason, /raise customTimeouts\.create/);
  });
});
