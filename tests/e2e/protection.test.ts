import * as assert from "node:assert/strict";
import type * as automation from "@pulumi/pulumi/automation";
import type { LockArgs } from "../../sdk";
import { assertOk, useCliWorld, type CliRun, type CliStack, type CliWorld } from "../support/cliWorld";
import { TEST_CREDENTIALS } from "../../harness/engineWorld";
import { allSnapshots, seedVolume } from "../../harness/seed";

const DAY_MS = 86_400_000;

/**
 * EBS Snapshot Lock and the archive tier through the real Pulumi CLI (Automation API, local file
 * backend, the package installed from its tarball into a consumer project), against moto behind the
 * fault proxy. moto 5.2.1 has neither feature, so every lock and tier fact here comes from the fault
 * proxy (harness/faultProxy/snapshotLocks.ts and snapshotTiers.ts), marked "(proxy)": LockSnapshot,
 * UnlockSnapshot and DescribeLockedSnapshots, DeleteSnapshot refused with SnapshotLocked while a lock
 * holds, ModifySnapshotTier with archiving over DescribeSnapshotTierStatus answers, RestoreSnapshotTier
 * in progress until the test completes it, and the test controls that make hours and days pass
 * (endCoolOff, expireLock). Snapshots pending for two polls are the proxy's too; the snapshots, their
 * volumes and their deletion are moto's.
 *
 * examples/protect, a lock-and-archive backup program, runs here rather than in examples.test.ts: its
 * lock makes the generic "destroy leaves nothing" flow fail, which is the example's point.
 */
describe("Snapshot Lock and the archive tier under the real Pulumi CLI", function () {
  this.timeout(300_000);
  const current = useCliWorld();
  let world: CliWorld;
  /** Everything the CLI printed in the current test, scanned for credentials at its end. */
  let transcript: string[];

  beforeEach(function () {
    world = current();
    transcript = [];
  });

  async function cli(command: Promise<CliRun>): Promise<CliRun> {
    const run = await command;
    transcript.push(run.output, run.error ?? "");
    return run;
  }

  async function snapshotIds(): Promise<string[]> {
    return (await allSnapshots(world.ec2)).map((s) => s.SnapshotId ?? "").sort();
  }

  async function outputsOf(stack: CliStack, name: string): Promise<Record<string, unknown>> {
    const recorded = (await stack.snapshots()).get(name);
    assert.ok(recorded !== undefined, `the stack records no ${name}`);
    return recorded.outputs ?? {};
  }

  async function stackOutputs(stack: CliStack): Promise<Record<string, unknown>> {
    const outputs: automation.OutputMap = await stack.stack.outputs();
    return Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.value]));
  }

  /** No credential of the provider's environment in the stack's state, its backend's files or what the CLI printed. */
  async function assertNoCredentials(stack: CliStack): Promise<void> {
    const everything = [JSON.stringify(await stack.stack.exportStack()), stack.backendText(), ...transcript].join("\n");
    for (const secret of [TEST_CREDENTIALS.accessKeyId, TEST_CREDENTIALS.secretAccessKey]) {
      assert.ok(!everything.includes(secret), "a credential appears in the state, the backend's files or the CLI's output");
    }
  }

  it("examples/protect beside a plain snapshot: locked and archived on up, steady, restored on demand, kept by destroy until the lock ends", async function () {
    // given a volume for the example's backup and one for a plain snapshot, snapshots that pend for two
    // polls (proxy), and archiving that takes two DescribeSnapshotTierStatus answers (proxy)
    const retainedVolume = await seedVolume(world.ec2, { size: 20 });
    const plainVolume = await seedVolume(world.ec2, { size: 8 });
    world.proxy.progressNewSnapshots({ pendingDescribes: 2 });
    world.proxy.tieringPlan({ archiveDescribes: 2 });
    const example = world.exampleProgram("protect");
    const stack = await world.newStack({
      project: "ebs-protect",
      config: { "ebs-protect:volumeId": retainedVolume },
      // The example as a user runs it, plus a snapshot with neither lock nor tier in the same stack.
      program: async () => {
        const exported = (await example()) ?? {};
        const plain = new world.sdk.Snapshot("plain", { volumeId: plainVolume });
        return { ...exported, plainSnapshotId: plain.snapshotId };
      },
    });

    // when it is deployed
    assertOk(await cli(stack.up()), "up");

    // then the example's snapshot is locked in governance mode for 7 days and archived, as its outputs say
    const retainedId = (await outputsOf(stack, "retained")).snapshotId as string;
    const plainId = (await outputsOf(stack, "plain")).snapshotId as string;
    assert.deepEqual(await snapshotIds(), [retainedId, plainId].sort());
    const lock = world.proxy.lockOf(retainedId);
    assert.ok(lock?.lockExpiresOn !== undefined && lock.lockDurationStartTime !== undefined, JSON.stringify(lock));
    assert.deepEqual([lock.mode, lock.state, lock.lockDuration], ["governance", "governance", 7]);
    // (proxy) a duration lock put on a pending snapshot counts from its completion: later than the lock, so
    // the lock was on before the snapshot completed
    assert.ok(Date.parse(lock.lockDurationStartTime) > Date.parse(lock.lockCreatedOn), JSON.stringify(lock));
    assert.equal(Date.parse(lock.lockExpiresOn) - Date.parse(lock.lockDurationStartTime), 7 * DAY_MS);
    const tier = world.proxy.tierOf(retainedId);
    assert.deepEqual([tier?.storageTier, tier?.lastTieringOperationStatus, tier?.lastTieringProgress], ["archive", "archival-completed", 100]);
    assert.deepEqual(await stackOutputs(stack), {
      snapshotId: retainedId,
      lockState: "governance",
      lockExpiresOn: lock.lockExpiresOn,
      storageTier: "archive",
      plainSnapshotId: plainId,
    });
    const retained = await outputsOf(stack, "retained");
    assert.deepEqual(
      [retained.state, retained.lockCreatedOn, retained.lastTieringOperationStatus, retained.lastTieringProgress, retained.archivalCompleteTime],
      ["completed", lock.lockCreatedOn, "archival-completed", 100, tier?.archivalCompleteTime],
    );
    assert.equal(retained.coolOffPeriodExpiresOn, undefined);
    // and the plain snapshot has neither: no lock or tier in EC2 (proxy), none in its outputs, and no call about it
    const plain = await outputsOf(stack, "plain");
    assert.deepEqual([world.proxy.lockOf(plainId), world.proxy.tierOf(plainId), plain.lockState, plain.lastTieringOperationStatus], [undefined, undefined, undefined, undefined]);
    const protectionCalls = ["LockSnapshot", "DescribeLockedSnapshots", "ModifySnapshotTier", "DescribeSnapshotTierStatus"].flatMap((action) => world.proxy.requestsFor(action));
    assert.ok(protectionCalls.length > 0);
    assert.deepEqual(
      protectionCalls.filter((r) => Object.values(r.params).includes(plainId)),
      [],
    );

    // when it is previewed, refreshed and previewed again
    const steady = await cli(stack.preview({ expectNoChanges: true, diff: true }));
    assertOk(steady, "preview --expect-no-changes after up");
    assert.ok(
      steady.steps.every((s) => s.op === "same"),
      JSON.stringify(steady.steps),
    );
    assertOk(await cli(stack.refresh({ expectNoChanges: true })), "refresh");
    assert.deepEqual(await outputsOf(stack, "retained"), retained);
    // then nothing is to do: the recorded lock and tier are what the program asks for
    assertOk(await cli(stack.preview({ expectNoChanges: true })), "preview --expect-no-changes after refresh");

    // when the program asks for the standard tier
    await stack.setConfig("ebs-protect:storageTier", "standard");
    world.proxy.clearRequests();
    const restoreUp = await cli(stack.up());
    assertOk(restoreUp, "up with storageTier standard");
    // then one in-place update starts a permanent restore without waiting for it (EC2 takes 24 to 72 hours)
    // The engine does not promise the order of independent steps.
    assert.deepEqual(restoreUp.steps.map((s) => [s.name, s.op]).sort(), [
      ["plain", "same"],
      ["retained", "update"],
    ]);
    assert.deepEqual(
      world.proxy.requestsFor("RestoreSnapshotTier").map((r) => [r.params["SnapshotId"], r.params["PermanentRestore"]]),
      [[retainedId, "true"]],
    );
    assert.equal(world.proxy.tierOf(retainedId)?.lastTieringOperationStatus, "permanent-restore-in-progress");
    assert.match(restoreUp.output, new RegExp(`Snapshot "retained": restoring ${retainedId} from the archive for good; EC2 takes 24 to 72 hours`));
    // and the outputs say so: still in the archive tier while the restore runs (proxy), the lock untouched
    const restoring = await outputsOf(stack, "retained");
    assert.deepEqual([restoring.storageTier, restoring.lastTieringOperationStatus, restoring.lockState], ["archive", "permanent-restore-in-progress", "governance"]);
    assert.equal(world.proxy.count("LockSnapshot") + world.proxy.count("UnlockSnapshot"), 0);
    // and a preview while the restore is in progress shows no change
    assertOk(await cli(stack.preview({ expectNoChanges: true })), "preview --expect-no-changes while restoring");

    // when the stack is destroyed, going on past errors
    const destroy = await cli(stack.destroy({ continueOnError: true }));

    // then the plain snapshot is deleted, and the locked one is refused by EC2 (proxy) and kept, in EC2 and in the stack
    assert.equal(destroy.ok, false);
    assert.deepEqual(await snapshotIds(), [retainedId]);
    assert.deepEqual([...(await stack.snapshots()).keys()], ["retained"]);
    // and the CLI says which snapshot, in which mode, until when, and how to unlock it
    assert.match(
      destroy.output,
      new RegExp(
        `Snapshot "retained": snapshot ${retainedId} is locked in governance mode until ${escaped(lock.lockExpiresOn)} \\(EC2 SnapshotLocked\\), so EC2 will not delete it`,
      ),
    );
    assert.match(
      destroy.output,
      new RegExp(
        `unlock it with the ec2:UnlockSnapshot permission \\(remove \`lock\` from the program and run \`pulumi up\`, or \`aws ec2 unlock-snapshot --snapshot-id ${retainedId}\`\\)`,
      ),
    );
    assert.equal(world.proxy.lockOf(retainedId)?.state, "governance");

    // when the stack is refreshed after the failed destroy
    assertOk(await cli(stack.refresh()), "refresh after the refused destroy");
    // then it still records the locked snapshot, as EC2 has it
    const kept = await outputsOf(stack, "retained");
    assert.deepEqual([kept.snapshotId, kept.lockState, kept.lockExpiresOn], [retainedId, "governance", lock.lockExpiresOn]);

    // when the lock's 7 days are over (proxy) and the stack is destroyed
    world.proxy.expireLock(retainedId);
    assertOk(await cli(stack.destroy()), "destroy after the lock expired");
    // then nothing is left, in EC2 or in the stack
    assert.deepEqual(await snapshotIds(), []);
    assert.equal((await stack.snapshots()).size, 0);
    await assertNoCredentials(stack);
  });

  it("a compliance lock past its cool-off: a shorter lock is refused at preview, naming the snapshot; a longer one is applied", async function () {
    // given a snapshot locked in compliance mode for 10 days with a 1-hour cool-off
    const volumeId = await seedVolume(world.ec2);
    let lock: LockArgs = { mode: "compliance", duration: "10d", coolOffHours: 1 };
    const stack = await world.newStack({
      project: "compliance-lock",
      program: async () => {
        const vault = new world.sdk.Snapshot("vault", { volumeId, lock: { ...lock } });
        return { snapshotId: vault.snapshotId };
      },
    });
    assertOk(await cli(stack.up()), "up");
    const created = await outputsOf(stack, "vault");
    const snapshotId = created.snapshotId as string;
    assert.equal(created.lockState, "compliance-cooloff");
    assert.equal(created.coolOffPeriodExpiresOn, world.proxy.lockOf(snapshotId)?.coolOffPeriodExpiresOn);
    const tenDays = created.lockExpiresOn as string;

    // when the cool-off hour has passed (proxy) and the stack is refreshed
    world.proxy.endCoolOff(snapshotId);
    assertOk(await cli(stack.refresh()), "refresh after the cool-off");
    // then the state records the lock as final
    assert.equal((await outputsOf(stack, "vault")).lockState, "compliance");

    // when a pull request shortens the lock to 5 days
    lock = { mode: "compliance", duration: "5d", coolOffHours: 1 };
    world.proxy.clearRequests();
    const shorter = await cli(stack.preview());

    // then the preview fails, naming the snapshot, the lock's end and that it can only be extended, with no EC2 change
    assert.equal(shorter.ok, false);
    assert.match(
      shorter.output,
      new RegExp(`Snapshot "vault": the snapshot ${snapshotId} is locked in compliance mode until ${escaped(tenDays)}, and its cool-off period has ended: EC2 can only extend it`),
    );
    assert.match(shorter.output, new RegExp(`Give lock\\.duration or lock\\.expiresAt a later end than ${escaped(tenDays)}, or keep the current lock`));
    assert.deepEqual(
      world.proxy.requests.filter((r) => !r.action.startsWith("Describe")).map((r) => r.action),
      [],
    );
    assert.equal(world.proxy.lockOf(snapshotId)?.lockExpiresOn, tenDays);

    // when the program extends it to 20 days instead, without the cool-off, which EC2 refuses in an
    // extension (keeping it is the pending test below: a provider bug)
    lock = { mode: "compliance", duration: "20d" };
    const longer = await cli(stack.up());

    // then the lock is extended in place: the same snapshot, locked 10 days longer, still in compliance mode
    assertOk(longer, "up with a 20-day lock");
    assert.deepEqual(
      longer.steps.map((s) => [s.name, s.op]),
      [["vault", "update"]],
    );
    const extended = await outputsOf(stack, "vault");
    assert.equal(extended.snapshotId, snapshotId);
    assert.equal(extended.lockState, "compliance");
    assert.equal(Date.parse(extended.lockExpiresOn as string) - Date.parse(tenDays), 10 * DAY_MS);
    assert.deepEqual([world.proxy.lockOf(snapshotId)?.lockDuration, world.proxy.lockOf(snapshotId)?.lockExpiresOn], [20, extended.lockExpiresOn]);
    assert.deepEqual(
      world.proxy.requestsFor("LockSnapshot").map((r) => [r.params["SnapshotId"], r.params["LockMode"], r.params["LockDuration"], r.params["CoolOffPeriod"]]),
      [[snapshotId, "compliance", "20", undefined]],
    );
    // and the next preview has nothing to do
    assertOk(await cli(stack.preview({ expectNoChanges: true })), "preview --expect-no-changes after the extension");

    // when the lock has run out (proxy) and the stack is destroyed
    world.proxy.expireLock(snapshotId);
    assertOk(await cli(stack.destroy()), "destroy after the lock expired");
    // then nothing is left
    assert.deepEqual(await snapshotIds(), []);
    assert.equal((await stack.snapshots()).size, 0);
    await assertNoCredentials(stack);
  });

  it("removing `lock` unlocks a compliance lock still in its cool-off, after which destroy deletes the snapshot", async function () {
    // given a snapshot locked in compliance mode with a 72-hour cool-off, still running (proxy)
    const volumeId = await seedVolume(world.ec2);
    let lock: LockArgs | undefined = { mode: "compliance", duration: "30d", coolOffHours: 72 };
    const stack = await world.newStack({
      project: "unlock",
      program: async () => {
        const vault = new world.sdk.Snapshot("vault", { volumeId, ...(lock !== undefined ? { lock: { ...lock } } : {}) });
        return { snapshotId: vault.snapshotId };
      },
    });
    assertOk(await cli(stack.up()), "up");
    const snapshotId = (await outputsOf(stack, "vault")).snapshotId as string;
    assert.equal(world.proxy.lockOf(snapshotId)?.state, "compliance-cooloff");

    // when the program no longer asks for a lock
    lock = undefined;
    world.proxy.clearRequests();
    const up = await cli(stack.up());

    // then one in-place update unlocks it (proxy), and the outputs report no lock
    assertOk(up, "up without lock");
    assert.deepEqual(
      up.steps.map((s) => [s.name, s.op]),
      [["vault", "update"]],
    );
    assert.deepEqual(
      world.proxy.requestsFor("UnlockSnapshot").map((r) => r.params["SnapshotId"]),
      [snapshotId],
    );
    assert.equal(world.proxy.lockOf(snapshotId), undefined);
    const unlocked = await outputsOf(stack, "vault");
    assert.deepEqual([unlocked.lock, unlocked.lockState, unlocked.lockExpiresOn, unlocked.coolOffPeriodExpiresOn], [undefined, undefined, undefined, undefined]);
    assertOk(await cli(stack.preview({ expectNoChanges: true })), "preview --expect-no-changes after the unlock");

    // when the stack is destroyed
    assertOk(await cli(stack.destroy()), "destroy");
    // then the snapshot is gone, in EC2 and in the stack
    assert.deepEqual(await snapshotIds(), []);
    assert.equal((await stack.snapshots()).size, 0);
    await assertNoCredentials(stack);
  });

  /*
   * EC2's LockSnapshot reference: "If you are extending the lock duration for a snapshot that is locked
   * in compliance mode after the cooling-off period has expired, omit this parameter [CoolOffPeriod]. If
   * you specify a cooling-period in such a request, the request fails." DescribeLockedSnapshots keeps
   * reporting the original cool-off after an extension, so it must not make later updates re-lock.
   */
  it("extends a compliance lock past its cool-off with coolOffHours still in the program, and a later tag change leaves the lock alone", async function () {
    // given a snapshot locked in compliance mode for 10 days with a 1-hour cool-off that has passed (proxy)
    const volumeId = await seedVolume(world.ec2);
    let lock: LockArgs = { mode: "compliance", duration: "10d", coolOffHours: 1 };
    let tags: Record<string, string> = { Team: "storage" };
    const stack = await world.newStack({
      project: "compliance-extension",
      program: async () => {
        const vault = new world.sdk.Snapshot("vault", { volumeId, lock: { ...lock }, tags: { ...tags } });
        return { snapshotId: vault.snapshotId };
      },
    });
    assertOk(await cli(stack.up()), "up");
    const snapshotId = (await outputsOf(stack, "vault")).snapshotId as string;
    world.proxy.endCoolOff(snapshotId);
    assertOk(await cli(stack.refresh()), "refresh after the cool-off");

    // when only the duration grows, the program's lock otherwise as it was
    lock = { mode: "compliance", duration: "20d", coolOffHours: 1 };
    world.proxy.clearRequests();
    // then the update extends the lock, sending no CoolOffPeriod
    assertOk(await cli(stack.up()), "up with a 20-day lock, coolOffHours kept");
    assert.equal(world.proxy.lockOf(snapshotId)?.lockDuration, 20);
    assert.deepEqual(
      world.proxy.requestsFor("LockSnapshot").map((r) => r.params["CoolOffPeriod"]),
      [undefined],
    );

    // when a later change touches only the tags
    tags = { Team: "platform" };
    world.proxy.clearRequests();
    // then the update changes the tags and sends no LockSnapshot
    assertOk(await cli(stack.up()), "up with a tag change");
    assert.equal(world.proxy.count("LockSnapshot"), 0);

    world.proxy.expireLock(snapshotId);
    assertOk(await cli(stack.destroy()), "destroy after the lock expired");
  });
});

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
