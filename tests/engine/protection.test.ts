import * as assert from "node:assert/strict";
import { DescribeSnapshotsCommand } from "@aws-sdk/client-ec2";
import { Snapshot, SnapshotCopy, SnapshotSet, type SnapshotArgs } from "../../sdk";
import type { Deployment, ResourceState, Step } from "../../harness/deployment";
import { EngineWorld } from "../../harness/engineWorld";
import { HostCallError } from "../../harness/providerHost";
import { seedInstance, seedVolume } from "../../harness/seed";

const URN = (type: string, name: string): string => `urn:pulumi:stack::project::pulumi-nodejs:dynamic/ebs-snapshots:${type}::${name}`;
const DAY = 86_400_000;

/** An ISO time recorded in state, as milliseconds (NaN when absent). */
function timeOf(value: unknown): number {
  return typeof value === "string" ? Date.parse(value) : Number.NaN;
}

/**
 * Snapshot Lock and the archive tier through the SDK's dynamic-provider host. moto 5.2.1 has neither:
 * every lock and tier fact here comes from the fault proxy, which answers LockSnapshot, UnlockSnapshot,
 * DescribeLockedSnapshots, ModifySnapshotTier, RestoreSnapshotTier and DescribeSnapshotTierStatus with
 * EC2's documented rules, refuses DeleteSnapshot of a locked snapshot (SnapshotLocked, the proxy's
 * choice of code) and offers the controls a test needs (cool-off ended, restore completed).
 */
describe("Snapshot Lock and the archive tier through the dynamic-provider host (proxy)", function () {
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

  async function up(deployment: Deployment, name: string, args: SnapshotArgs, options: { preview?: boolean } = {}): Promise<Step & { resource?: ResourceState }> {
    const [step] = await deployment.up(
      await world.register(() => {
        new Snapshot(name, args);
      }),
      options,
    );
    return { ...step, resource: deployment.state.resources[URN("Snapshot", name)] };
  }

  async function exists(id: string): Promise<boolean> {
    const out = await world.ec2.send(new DescribeSnapshotsCommand({ Filters: [{ Name: "snapshot-id", Values: [id] }] }));
    return (out.Snapshots ?? []).length > 0;
  }

  it("locks a snapshot while it is still pending, and reports the lock's end once it completes", async function () {
    const volumeId = await seedVolume(world.ec2);
    const progress = world.proxy.progressNewSnapshots({ pendingDescribes: 3 });
    const deployment = await world.deployment();

    const created = await up(deployment, "locked", { volumeId, lock: { mode: "governance", duration: "7d" } });
    progress.remove();

    assert.equal(created.ok, true, String(created.error));
    const id = created.resource!.id;
    // LockSnapshot went out before any DescribeSnapshots that saw the snapshot completed: protection from the start.
    const actions = world.proxy.requests.map((r) => r.action).filter((a) => a === "LockSnapshot" || a === "DescribeSnapshots");
    assert.equal(actions.indexOf("LockSnapshot") < actions.lastIndexOf("DescribeSnapshots"), true, actions.join(","));
    assert.equal(world.proxy.lockOf(id)?.mode, "governance");
    const outputs = created.resource!.outputs;
    assert.equal(outputs.lockState, "governance");
    // EC2 counts a duration lock from completion, so the end is known once the create has waited.
    const expires = timeOf(outputs.lockExpiresOn);
    assert.ok(Math.abs(expires - (Date.now() + 7 * DAY)) < 60_000, JSON.stringify(outputs.lockExpiresOn));
    await deployment.destroy().catch(() => undefined);
    world.proxy.expireLock(id);
    await deployment.destroy();
  });

  it("extends, shortens and removes a governance lock in place; destroy then deletes the snapshot", async function () {
    const volumeId = await seedVolume(world.ec2);
    const deployment = await world.deployment();
    const created = await up(deployment, "gov", { volumeId, lock: { mode: "governance", duration: "7d" } });
    const id = created.resource!.id;

    const longer = await up(deployment, "gov", { volumeId, lock: { mode: "governance", duration: "30d" } });
    assert.deepEqual([longer.op, longer.ok], ["update", true], String(longer.error));
    assert.equal(world.proxy.lockOf(id)?.lockDuration, 30);
    const shorter = await up(deployment, "gov", { volumeId, lock: { mode: "governance", duration: "1d" } });
    assert.deepEqual([shorter.op, shorter.ok], ["update", true], String(shorter.error));
    assert.equal(world.proxy.lockOf(id)?.lockDuration, 1);

    world.proxy.clearRequests();
    const unlocked = await up(deployment, "gov", { volumeId });
    assert.deepEqual([unlocked.op, unlocked.ok], ["update", true], String(unlocked.error));
    assert.equal(world.proxy.count("UnlockSnapshot"), 1);
    assert.equal(world.proxy.lockOf(id), undefined);
    assert.equal(unlocked.resource!.outputs.lockState, undefined);

    const [gone] = await deployment.destroy();
    assert.equal(gone.ok, true, String(gone.error));
    assert.equal(await exists(id), false);
  });

  it("refuses in preview, from the state, to shorten or remove a compliance lock past its cool-off; extending it works", async function () {
    const volumeId = await seedVolume(world.ec2);
    const deployment = await world.deployment();
    const created = await up(deployment, "vault", { volumeId, lock: { mode: "compliance", duration: "10d", coolOffHours: 1 } });
    assert.equal(created.ok, true, String(created.error));
    const id = created.resource!.id;
    assert.equal(created.resource!.outputs.lockState, "compliance-cooloff");

    // During the cool-off the lock can still be changed.
    const changed = await up(deployment, "vault", { volumeId, lock: { mode: "compliance", duration: "8d", coolOffHours: 1 } });
    assert.deepEqual([changed.op, changed.ok], ["update", true], String(changed.error));

    world.proxy.endCoolOff(id);
    const [refreshed] = await deployment.refresh();
    assert.equal(refreshed.ok, true, String(refreshed.error));
    assert.equal(deployment.state.resources[URN("Snapshot", "vault")].outputs.lockState, "compliance");

    world.proxy.clearRequests();
    const shorter = await up(deployment, "vault", { volumeId, lock: { mode: "compliance", duration: "5d" } }, { preview: true });
    assert.equal(shorter.ok, false);
    assert.match(String(shorter.error), new RegExp(`Snapshot "vault": the snapshot ${id} is locked in compliance mode until .*: EC2 can only extend it`));
    const removed = await up(deployment, "vault", { volumeId }, { preview: true });
    assert.match(String(removed.error), /EC2 lets nobody unlock it/);
    assert.equal(world.proxy.count("LockSnapshot") + world.proxy.count("UnlockSnapshot"), 0);

    const before = timeOf(deployment.state.resources[URN("Snapshot", "vault")].outputs.lockExpiresOn);
    const extended = await up(deployment, "vault", { volumeId, lock: { mode: "compliance", duration: "20d" } });
    assert.deepEqual([extended.op, extended.ok], ["update", true], String(extended.error));
    assert.ok(timeOf(extended.resource!.outputs.lockExpiresOn) > before);
    world.proxy.expireLock(id);
    await deployment.destroy();
  });

  it("fails the delete of a locked snapshot clearly, keeps it, and deletes the rest of the stack", async function () {
    const deployment = await world.deployment();
    const locked = await seedVolume(world.ec2);
    const free = await seedVolume(world.ec2);
    await deployment.up(
      await world.register(() => {
        new Snapshot("kept", { volumeId: locked, lock: { mode: "governance", duration: "3d" } });
        new Snapshot("free", { volumeId: free });
      }),
    );
    const keptId = deployment.state.resources[URN("Snapshot", "kept")].id;
    const freeId = deployment.state.resources[URN("Snapshot", "free")].id;

    const steps = await deployment.destroy();

    const kept = steps.find((s) => s.urn === URN("Snapshot", "kept"));
    assert.equal(kept?.ok, false);
    assert.match(String(kept?.error), new RegExp(`snapshot ${keptId} is locked in governance mode until \\S+ \\(EC2 SnapshotLocked\\), so EC2 will not delete it`));
    assert.match(String(kept?.error), /ec2:UnlockSnapshot/);
    assert.equal(steps.find((s) => s.urn === URN("Snapshot", "free"))?.ok, true);
    assert.equal(await exists(keptId), true);
    assert.equal(await exists(freeId), false);
    // Refresh keeps working on the locked snapshot.
    const [refreshed] = await deployment.refresh();
    assert.equal(refreshed.ok, true, String(refreshed.error));
    world.proxy.expireLock(keptId);
    const [retried] = await deployment.destroy();
    assert.equal(retried.ok, true, String(retried.error));
  });

  it("records a snapshot whose lock failed as partial state, and locks it on the next up", async function () {
    const volumeId = await seedVolume(world.ec2);
    const deployment = await world.deployment();
    const fault = world.proxy.inject({ kind: "error", action: "LockSnapshot", code: "UnauthorizedOperation", times: 1 });

    const failed = await up(deployment, "late", { volumeId, lock: { mode: "governance", duration: "2d" } });
    fault.remove();

    assert.equal(failed.ok, false);
    assert.match(String(failed.error), /LockSnapshot snap-\w+ failed: EC2 UnauthorizedOperation/);
    const id = failed.resource!.id;
    assert.equal(await exists(id), true);
    const again = await up(deployment, "late", { volumeId, lock: { mode: "governance", duration: "2d" } });
    assert.deepEqual([again.op, again.ok], ["update", true], String(again.error));
    assert.equal(world.proxy.lockOf(id)?.mode, "governance");
    world.proxy.expireLock(id);
    await deployment.destroy();
  });

  it("archives a snapshot once completed, waiting through tiering with progress lines, then shows no diff", async function () {
    const volumeId = await seedVolume(world.ec2);
    const plan = world.proxy.tieringPlan({ archiveDescribes: 3 });
    const deployment = await world.deployment();

    const created = await up(deployment, "cold", { volumeId, storageTier: "archive" });
    plan.remove();

    assert.equal(created.ok, true, String(created.error));
    const outputs = created.resource!.outputs;
    assert.deepEqual([outputs.storageTier, outputs.lastTieringOperationStatus, outputs.lastTieringProgress], ["archive", "archival-completed", 100]);
    assert.equal(typeof outputs.archivalCompleteTime, "string");
    await deployment.host.waitForLine("stderr", /Snapshot "cold": archiving snap-\w+ \d+%/, 1_000);
    const [same] = await deployment.up(await world.register(() => void new Snapshot("cold", { volumeId, storageTier: "archive" })), { preview: true });
    assert.equal(same.op, "same");

    const [gone] = await deployment.destroy();
    assert.equal(gone.ok, true, String(gone.error));
    // Deleting within 90 days of the archive still costs it: one line says until when.
    await deployment.host.waitForLine("stderr", /billed .*at least 90 days|bills an archived snapshot .* for at least 90 days/, 1_000);
  });

  it("records an archive cut off by the deadline as partial state; the next up waits for the same archive", async function () {
    const volumeId = await seedVolume(world.ec2);
    const deployment = await world.deployment();
    const created = await up(deployment, "slow", { volumeId });
    const id = created.resource!.id;
    const hold = world.proxy.holdTiering(id);

    const cut = await up(deployment, "slow", { volumeId, storageTier: "archive", timeouts: { update: "2s" } });

    assert.equal(cut.ok, false);
    assert.match(String(cut.error), /archiving is still in progress .* after 2s.*pulumi up/);
    assert.equal(cut.resource!.outputs.lastTieringOperationStatus, "archival-in-progress");
    hold.release();
    world.proxy.clearRequests();
    const resumed = await up(deployment, "slow", { volumeId, storageTier: "archive" });
    assert.deepEqual([resumed.op, resumed.ok], ["update", true], String(resumed.error));
    assert.equal(world.proxy.count("ModifySnapshotTier"), 0);
    assert.equal(resumed.resource!.outputs.storageTier, "archive");
    await deployment.destroy();
  });

  it("restores temporarily and permanently without waiting, with no diff while the restore is in progress", async function () {
    const volumeId = await seedVolume(world.ec2);
    const deployment = await world.deployment();
    const temp = await up(deployment, "thaw", { volumeId, storageTier: "archive" });
    const id = temp.resource!.id;

    const restoring = await up(deployment, "thaw", { volumeId, storageTier: "standard", restore: { temporaryDays: 3 } });
    assert.deepEqual([restoring.op, restoring.ok], ["update", true], String(restoring.error));
    assert.equal(world.proxy.tierOf(id)?.lastTieringOperationStatus, "temporary-restore-in-progress");
    await deployment.refresh();
    const [still] = await deployment.up(await world.register(() => void new Snapshot("thaw", { volumeId, storageTier: "standard", restore: { temporaryDays: 3 } })), {
      preview: true,
    });
    assert.equal(still.op, "same");

    world.proxy.completeRestore(id);
    await deployment.refresh();
    const restored = deployment.state.resources[URN("Snapshot", "thaw")].outputs;
    assert.deepEqual([restored.storageTier, restored.lastTieringOperationStatus], ["standard", "temporary-restore-completed"]);
    assert.ok(timeOf(restored.restoreExpiryTime) > Date.now() + 2 * DAY);

    world.proxy.clearRequests();
    const permanent = await up(deployment, "thaw", { volumeId, storageTier: "standard", restore: { permanent: true } });
    assert.deepEqual([permanent.op, permanent.ok], ["update", true], String(permanent.error));
    assert.equal(world.proxy.requestsFor("RestoreSnapshotTier")[0]?.params.PermanentRestore, "true");
    // The data is already in the standard tier, so making a temporary restore permanent takes effect at once (proxy).
    await deployment.refresh();
    assert.equal(deployment.state.resources[URN("Snapshot", "thaw")].outputs.lastTieringOperationStatus, "permanent-restore-completed");
    await deployment.destroy();
  });

  it("locks every member of a SnapshotSet and reports each member's lock", async function () {
    const instance = await seedInstance(world.ec2);
    const deployment = await world.deployment();
    const [step] = await deployment.up(
      await world.register(() => {
        new SnapshotSet("fleet", { instanceId: instance.instanceId, lock: { mode: "governance", duration: "2d" } });
      }),
    );
    assert.equal(step.ok, true, String(step.error));
    const outputs = deployment.state.resources[URN("SnapshotSet", "fleet")].outputs;
    const members = outputs.snapshots as { snapshotId: string; lockState?: string }[];
    assert.ok(members.length >= 2);
    assert.deepEqual(
      members.map((m) => [m.lockState, world.proxy.lockOf(m.snapshotId)?.mode]),
      members.map(() => ["governance", "governance"]),
    );
    assert.equal(outputs.lockState, "governance");
    members.forEach((m) => world.proxy.expireLock(m.snapshotId));
    await deployment.destroy();
  });

  it("archives and locks a SnapshotCopy", async function () {
    const volumeId = await seedVolume(world.ec2);
    const deployment = await world.deployment();
    const source = await up(deployment, "source", { volumeId });
    const [step] = await deployment.up(
      await world.register(() => {
        new Snapshot("source", { volumeId });
        new SnapshotCopy("vaulted", { sourceSnapshotId: source.resource!.id, storageTier: "archive", lock: { mode: "governance", duration: "1d" } });
      }),
    );
    const copy = deployment.state.resources[URN("SnapshotCopy", "vaulted")];
    assert.equal(step.ok && copy !== undefined, true);
    assert.deepEqual([copy.outputs.storageTier, copy.outputs.lockState], ["archive", "governance"]);
    world.proxy.expireLock(copy.id);
    await deployment.destroy();
  });

  it("refuses bad lock and tier inputs in check, naming the property, before any EC2 call", async function () {
    const volumeId = await seedVolume(world.ec2);
    const deployment = await world.deployment();
    world.proxy.clearRequests();
    const cases: [SnapshotArgs, RegExp][] = [
      [{ volumeId, lock: { mode: "governance", duration: "30d", coolOffHours: 2 } }, /lock\.coolOffHours.*compliance mode only/],
      [{ volumeId, lock: { mode: "compliance" } }, /lock needs exactly one of duration/],
      [{ volumeId, storageTier: "archive", waitForCompletion: false }, /storageTier "archive" needs waitForCompletion true/],
      [{ volumeId, storageTier: "standard", restore: { temporaryDays: 500 } }, /restore\.temporaryDays must be a whole number of days from 1 to 180/],
    ];
    for (const [args, reason] of cases) {
      const step = await up(deployment, "bad", args);
      assert.equal(step.ok, false);
      assert.match(String(step.error instanceof HostCallError ? step.error.message : step.error), reason);
    }
    assert.deepEqual(world.proxy.requests, []);
  });
});
