import * as assert from "node:assert/strict";
import { CreateVolumeCommand, DeleteVolumeCommand, DetachVolumeCommand } from "@aws-sdk/client-ec2";
import * as grpc from "@grpc/grpc-js";
import { VolumeSet, type VolumeSetArgs } from "../../sdk";
import type { ProgramResource, ResourceState } from "../../harness/deployment";
import { TEST_CREDENTIALS } from "../../harness/engineWorld";
import { HostCallError } from "../../harness/providerHost";
import { AVAILABILITY_ZONE } from "../../harness/seed";
import { CALLS, describeVolumeMix, injectVolumeMix, volumeFaultMixes } from "../support/reliabilityMixes";
import { onlyStep, recordedResource, runScenario, stepOutcome, type Scenario, type ScenarioSpec } from "../support/reliabilityScenario";
import {
  assertWholeRestore,
  recordedVolumes,
  restoredVolumeIds,
  restoredVolumes,
  seedRestore,
  userTags,
  type RestoreEntry,
  type RestoreSource,
} from "../support/reliabilityVolumes";
import { ReliabilityWorld, SLOW_REQUEST_TIMEOUT_MS } from "../support/reliabilityWorld";

const SUITE = "VolumeSet";

/**
 * The reliability scenarios of VolumeSet: three snapshots (taken outside Pulumi from a source instance's
 * data volumes) restored onto a second instance at the devices they had, under each fault alone, each
 * scenario ending with the emulator compared with the state (runScenario): a volume the provider made
 * that no state records is leaked, a recorded volume gone without a delete is lost, and the source
 * snapshots and the instances' own volumes must survive untouched.
 *
 * moto 5.2.1 makes volumes `available` at once and attaches at once. What EC2 does beyond that comes
 * from the fault proxy, marked "(proxy)": volumes `creating` for some polls, volumes ending in `error`,
 * refused attaches, ClientToken replay of a lost CreateVolume answer, fast snapshot restore, and every
 * injected error, reset and slow answer.
 */
describe("Reliability: VolumeSet under faults", function () {
  let rw: ReliabilityWorld;

  before(async function () {
    rw = await ReliabilityWorld.start({ freshHosts: 6, slowHost: true, secrets: Object.values(TEST_CREDENTIALS) });
  });

  after(async function () {
    await rw?.stop();
  });

  function scenario(spec: Omit<ScenarioSpec, "resource">): void {
    it(spec.name, async function () {
      await runScenario(rw.world, rw.hosts, SUITE, { ...spec, resource: "VolumeSet" });
    });
  }

  function program(name: string, args: VolumeSetArgs): Promise<ProgramResource[]> {
    return rw.world.register(() => {
      new VolumeSet(name, { ...args });
    });
  }

  const only = onlyStep;
  const outcome = stepOutcome;
  const recorded = (s: Scenario, name: string): ResourceState => recordedResource(s, "VolumeSet", name);

  /** The restore of every entry onto the target instance, in its zone. */
  function restoreArgs(restore: RestoreSource, extra: Partial<VolumeSetArgs> = {}): VolumeSetArgs {
    return { snapshots: restore.entries.map((e) => ({ ...e })), availabilityZone: AVAILABILITY_ZONE, attach: { instanceId: restore.targetId }, ...extra };
  }

  async function createdOnce(s: Scenario, name: string, restore: RestoreSource, extra: Partial<VolumeSetArgs> = {}): Promise<ResourceState> {
    const step = only(await s.up(await program(name, restoreArgs(restore, extra))));
    assert.deepEqual(outcome(step), ["create", true, undefined]);
    const resource = recorded(s, name);
    await assertWholeRestore(s, resource, restore.entries, restore.targetId);
    return resource;
  }

  /** Create, a tag update, a refresh and an up with nothing to do: the set whole and attached after each. */
  async function createUpdateRefresh(s: Scenario, name: string, restore: RestoreSource): Promise<ResourceState> {
    await createdOnce(s, name, restore, { tags: { team: "db", env: "drill" } });
    const updated = only(await s.up(await program(name, restoreArgs(restore, { tags: { team: "platform" } }))));
    assert.deepEqual(outcome(updated), ["update", true, undefined]);
    const [refreshed] = await s.refresh();
    assert.deepEqual(outcome(refreshed), ["refresh", true, undefined]);
    const again = only(await s.up(await program(name, restoreArgs(restore, { tags: { team: "platform" } }))));
    assert.deepEqual(outcome(again), ["same", true, undefined]);
    const resource = recorded(s, name);
    const volumes = await assertWholeRestore(s, resource, restore.entries, restore.targetId);
    assert.deepEqual(
      volumes.map(userTags),
      restore.entries.map(() => ({ team: "platform" })),
    );
    return resource;
  }

  /** Nothing of a failed create is left: no state, and no volume from the restore's snapshots. */
  async function assertNothingLeft(s: Scenario, entries: readonly RestoreEntry[]): Promise<void> {
    assert.deepEqual([s.deployment.state.resources, await restoredVolumeIds(s, entries)], [{}, []]);
  }

  /**
   * (proxy) Fast snapshot restore is off again for every snapshot of the restore in its zone (`disabling`
   * or `disabled`, or not listed at all), and the last Enable/Disable request for each pair was a disable.
   */
  function assertFastRestoreOff(s: Scenario, entries: readonly RestoreEntry[]): void {
    const history = s.world.proxy.fastRestoreHistory().filter((h) => h.availabilityZone === AVAILABILITY_ZONE);
    assert.deepEqual(
      entries.map((e) => [e.snapshotId, ["disabling", "disabled", undefined].includes(s.world.proxy.fastRestoreOf(e.snapshotId, AVAILABILITY_ZONE)?.state)]),
      entries.map((e) => [e.snapshotId, true]),
      "fast snapshot restore was left on (and billed)",
    );
    assert.deepEqual(
      entries.map((e) => [e.snapshotId, history.filter((h) => h.snapshotId === e.snapshotId).pop()?.action]),
      entries.map((e) => [e.snapshotId, "disable"]),
    );
  }

  /** How many CreateVolume requests reached EC2 (moto), per snapshot, in the entries' order. */
  function forwardedCreates(s: Scenario, entries: readonly RestoreEntry[]): number[] {
    const forwarded = s.world.proxy.requestsFor("CreateVolume").filter((r) => r.forwarded);
    return entries.map((e) => forwarded.filter((r) => r.params["SnapshotId"] === e.snapshotId).length);
  }

  describe("throttling (RequestLimitExceeded, HTTP 503) in bursts", function () {
    for (const action of CALLS.VolumeSet) {
      // Detaches and deletes happen in the scenario's final destroy, under the same fault.
      const atDestroy = action === "DetachVolume" || action === "DeleteVolume";
      scenario({
        name: `a burst of 3 RequestLimitExceeded on ${action} is retried through: one volume per snapshot, attached${atDestroy ? ", then destroyed" : ""}`,
        async run(s) {
          const restore = await seedRestore(s);
          // (proxy) the volumes are `creating` for two polls before moto's `available`.
          s.world.proxy.creatingVolumes({ describes: 2 });
          const burst = s.inject({ kind: "error", action, code: "RequestLimitExceeded", times: 3 });
          await createUpdateRefresh(s, "throttled", restore);
          if (!atDestroy) {
            assert.equal(burst.hits, 3);
          }
          assert.deepEqual(forwardedCreates(s, restore.entries), [1, 1, 1]);
        },
        destroyUnderFaults: true,
        afterDestroy(s) {
          assert.equal(s.world.proxy.requestsFor(action).filter((r) => r.fault === "error:RequestLimitExceeded").length, 3);
        },
      });
    }

    scenario({
      name: "a burst of 12 RequestLimitExceeded on every kind of call in a row is retried through",
      async run(s) {
        const restore = await seedRestore(s);
        s.world.proxy.creatingVolumes({ describes: 2 });
        const burst = s.inject({ kind: "error", code: "RequestLimitExceeded", times: 12 });
        await createUpdateRefresh(s, "throttled-all", restore);
        assert.equal(burst.hits, 12);
      },
    });
  });

  describe("lost and doubtful CreateVolume answers", function () {
    for (const phase of ["before-forward", "after-forward"] as const) {
      scenario({
        name: `a CreateVolume connection reset ${phase === "before-forward" ? "before EC2 saw it" : "after EC2 acted (answer lost)"} makes exactly one volume per snapshot`,
        async run(s) {
          const restore = await seedRestore(s);
          const reset = s.inject({ kind: "reset", action: "CreateVolume", phase, when: (p) => p["SnapshotId"] === restore.entries[1].snapshotId });
          await createdOnce(s, "reset", restore);
          assert.equal(reset.hits, 1);
          // Before forwarding, EC2 saw only the retry; after, the retry is answered from the ClientToken (proxy) or found by the create token.
          assert.deepEqual(forwardedCreates(s, restore.entries), [1, 1, 1]);
        },
      });
    }

    scenario({
      name: "InternalError after EC2 made the volume (CreateVolume) is retried with the same ClientToken: exactly one volume per snapshot",
      async run(s) {
        const restore = await seedRestore(s);
        const failing = restore.entries[2].snapshotId;
        const internal = s.inject({ kind: "error", action: "CreateVolume", code: "InternalError", afterForward: true, when: (p) => p["SnapshotId"] === failing });
        await createdOnce(s, "internal", restore);
        assert.equal(internal.hits, 1);
        // (proxy) EC2 made the volume once; the retry, if any, was answered from its ClientToken and not forwarded.
        assert.deepEqual(forwardedCreates(s, restore.entries), [1, 1, 1]);
        assert.equal(s.world.proxy.volumeFromSnapshot(failing).length, 1);
      },
    });

    scenario({
      name: `a CreateVolume answer held past the socket timeout (${SLOW_REQUEST_TIMEOUT_MS} ms) after EC2 acted is adopted: exactly one volume per snapshot`,
      async run(s) {
        s.useHost(rw.slow);
        const restore = await seedRestore(s);
        s.inject({ kind: "delay", action: "CreateVolume", ms: 3 * SLOW_REQUEST_TIMEOUT_MS, forwardFirst: true, when: (p) => p["SnapshotId"] === restore.entries[0].snapshotId });
        await createdOnce(s, "slow-create", restore);
        assert.deepEqual(forwardedCreates(s, restore.entries), [1, 1, 1]);
      },
    });
  });

  describe("lost answers of the other calls", function () {
    scenario({
      name: "an AttachVolume answer lost after EC2 attached: the set ends attached once, at the entry's device",
      async run(s) {
        const restore = await seedRestore(s);
        const reset = s.inject({ kind: "reset", action: "AttachVolume", phase: "after-forward" });
        await createdOnce(s, "attach-lost", restore);
        assert.equal(reset.hits, 1);
      },
    });

    scenario({
      name: "DeleteVolume answers lost after EC2 deleted count as deleted",
      async run(s) {
        const restore = await seedRestore(s);
        await createdOnce(s, "reset-delete", restore);
        s.inject({ kind: "reset", action: "DeleteVolume", phase: "after-forward", times: 2 });
      },
      destroyUnderFaults: true,
      afterDestroy(s) {
        assert.equal(s.world.proxy.requestsFor("DeleteVolume").filter((r) => r.fault === "reset:after-forward").length, 2);
        assert.deepEqual(s.deployment.state.resources, {});
      },
    });

    scenario({
      name: "a DetachVolume answer lost after EC2 detached: the destroy still deletes every volume",
      async run(s) {
        const restore = await seedRestore(s);
        await createdOnce(s, "reset-detach", restore);
        s.inject({ kind: "reset", action: "DetachVolume", phase: "after-forward" });
      },
      destroyUnderFaults: true,
      afterDestroy(s) {
        assert.equal(s.world.proxy.requestsFor("DetachVolume").filter((r) => r.fault === "reset:after-forward").length, 1);
      },
    });
  });

  describe("volumes that fail: all or nothing", function () {
    scenario({
      name: "one volume ending in error deletes every volume of the create and names it; the next up restores a whole set",
      async run(s) {
        const restore = await seedRestore(s);
        const failing = restore.entries[1].snapshotId;
        // (proxy) the volume made from the second snapshot is `creating` once, then `error`.
        const rule = s.failVolumes(failing);
        const failed = only(await s.up(await program("doomed", restoreArgs(restore))));
        assert.deepEqual([failed.op, failed.ok], ["create", false]);
        const [errored] = s.world.proxy.volumeFromSnapshot(failing);
        assert.match(
          failed.error?.message ?? "",
          new RegExp(
            `^VolumeSet "doomed": creating failed for 1 volume: ${errored} \\(from ${failing}\\) ended in error\\. All 3 volumes this restore made \\(vol-[0-9a-f]{17}, vol-[0-9a-f]{17}, vol-[0-9a-f]{17}\\) were detached and deleted, so nothing of it is left\\. `,
          ),
        );
        await assertNothingLeft(s, restore.entries);
        rule.remove();
        await createdOnce(s, "doomed", restore);
      },
    });

    scenario({
      name: "a refused attach detaches and deletes every volume of the create, naming the volume and device; the next up restores a whole set",
      async run(s) {
        const restore = await seedRestore(s);
        const refused = restore.entries[2];
        // (proxy) AttachVolume of the volume from the third snapshot is refused for good and not forwarded.
        const rule = s.refuseAttach({ snapshotId: refused.snapshotId }, { code: "UnsupportedOperation", message: "The instance does not support this volume (injected)." });
        const failed = only(await s.up(await program("refused", restoreArgs(restore))));
        assert.deepEqual([failed.op, failed.ok], ["create", false]);
        const [volumeId] = s.world.proxy.volumeFromSnapshot(refused.snapshotId);
        const message = failed.error?.message ?? "";
        assert.match(
          message,
          new RegExp(`^VolumeSet "refused": AttachVolume to ${restore.targetId} failed for 1 volume: ${volumeId} at ${refused.deviceName}: .*UnsupportedOperation`),
        );
        assert.match(message, /were detached and deleted, so nothing of it is left\./);
        // The two volumes that were attached were detached before their delete.
        assert.equal(s.world.proxy.requestsFor("DetachVolume").filter((r) => r.forwarded).length, 2);
        await assertNothingLeft(s, restore.entries);
        rule.remove();
        await createdOnce(s, "refused", restore);
      },
    });
  });

  describe("volumes that fail when the cleanup fails too, or after create returned", function () {
    scenario({
      name: "a volume in error whose cleanup EC2 refuses (DeleteVolume UnauthorizedOperation) is recorded, never leaked; the next up replaces it with a whole set",
      async run(s) {
        const restore = await seedRestore(s);
        const failing = restore.entries[0].snapshotId;
        // (proxy) the volume from the first snapshot ends in error.
        const rule = s.failVolumes(failing);
        // The role lacks ec2:DeleteVolume for the volume in error only: the other two are deleted.
        const refusal = s.inject({
          kind: "error",
          action: "DeleteVolume",
          code: "UnauthorizedOperation",
          times: Number.POSITIVE_INFINITY,
          when: (p) => s.world.proxy.snapshotOfVolume(p["VolumeId"] ?? "") === failing,
        });
        const failed = only(await s.up(await program("stuck", restoreArgs(restore))));
        assert.deepEqual([failed.op, failed.ok], ["create", false]);
        const [errored] = s.world.proxy.volumeFromSnapshot(failing);
        assert.match(
          failed.error?.message ?? "",
          // The id as EC2 spells it, however the sentence begins.
          new RegExp(
            `deleting the restore's volumes then failed: ${errored}: .*UnauthorizedOperation.*\\. (?:Volume )?${errored} is recorded in the stack, and the 2 others were deleted\\. `,
          ),
        );
        const partial = recorded(s, "stuck");
        assert.deepEqual([partial.outputs.volumeIds, partial.outputs.state], [[errored], "error"]);
        assert.deepEqual(await restoredVolumeIds(s, restore.entries), [errored]);
        refusal.remove();
        rule.remove();
        const replaced = only(await s.up(await program("stuck", restoreArgs(restore))));
        assert.deepEqual(outcome(replaced), ["replace", true, undefined]);
        await assertWholeRestore(s, recorded(s, "stuck"), restore.entries, restore.targetId);
      },
    });

    scenario({
      name: "a volume ending in error after a create that did not wait is recorded as failed, and the next up replaces the set with a whole one",
      async run(s) {
        const restore = await seedRestore(s);
        // (proxy) the volume from the third snapshot is `creating` for its first poll, then `error`.
        s.failVolumes(restore.entries[2].snapshotId);
        const started = only(await s.up(await program("late-error", restoreArgs(restore, { waitForCompletion: false }))));
        assert.deepEqual(outcome(started), ["create", true, undefined]);
        const first = recorded(s, "late-error");
        assert.equal(first.outputs.state, "creating");
        const failed = only(await s.up(await program("late-error", restoreArgs(restore))));
        assert.deepEqual([failed.op, failed.ok], ["update", false]);
        assert.equal(recorded(s, "late-error").outputs.state, "error");
        s.quiesce();
        const replaced = only(await s.up(await program("late-error", restoreArgs(restore))));
        assert.deepEqual(outcome(replaced), ["replace", true, undefined]);
        assert.notEqual(recorded(s, "late-error").id, first.id);
        await assertWholeRestore(s, recorded(s, "late-error"), restore.entries, restore.targetId);
      },
    });
  });

  describe("updates in place and replacements under faults", function () {
    scenario({
      name: "an IOPS change in place under throttled ModifyVolume and DescribeVolumesModifications keeps the same volumes",
      async run(s) {
        const restore = await seedRestore(s);
        const first = await createdOnce(s, "tuned", restore, { iops: 3_000 });
        const modify = s.inject({ kind: "error", action: "ModifyVolume", code: "RequestLimitExceeded", times: 2 });
        const watch = s.inject({ kind: "error", action: "DescribeVolumesModifications", code: "RequestLimitExceeded", times: 2 });
        const updated = only(await s.up(await program("tuned", restoreArgs(restore, { iops: 4_000 }))));
        assert.deepEqual(outcome(updated), ["update", true, undefined]);
        assert.deepEqual([modify.hits, watch.hits], [2, 2]);
        const volumes = await assertWholeRestore(s, recorded(s, "tuned"), restore.entries, restore.targetId);
        assert.deepEqual(
          volumes.map((v) => [v.VolumeId, v.Iops]),
          recordedVolumes(first).map((v) => [v.volumeId, 4_000]),
        );
      },
    });

    scenario({
      name: "moving the set to another instance (detach, attach) under resets before EC2 saw the calls keeps the same volumes, attached once",
      async run(s) {
        const restore = await seedRestore(s);
        const first = await createdOnce(s, "moved", restore);
        const second = await seedRestore(s);
        const detach = s.inject({ kind: "reset", action: "DetachVolume", phase: "before-forward" });
        const attach = s.inject({ kind: "reset", action: "AttachVolume", phase: "before-forward" });
        const updated = only(await s.up(await program("moved", restoreArgs({ ...restore, targetId: second.targetId }))));
        assert.deepEqual(outcome(updated), ["update", true, undefined]);
        assert.deepEqual([detach.hits, attach.hits], [1, 1]);
        const resource = recorded(s, "moved");
        assert.deepEqual(resource.outputs.volumeIds, first.outputs.volumeIds);
        await assertWholeRestore(s, resource, restore.entries, second.targetId);
      },
    });

    scenario({
      name: "a replacement (one snapshot fewer) under a DeleteVolume answer lost after EC2 deleted deletes the old set first and restores the new one whole",
      async run(s) {
        const restore = await seedRestore(s);
        const first = await createdOnce(s, "shrunk", restore);
        s.inject({ kind: "reset", action: "DeleteVolume", phase: "after-forward" });
        const fewer = { ...restore, entries: restore.entries.slice(0, 2) };
        const replaced = only(await s.up(await program("shrunk", restoreArgs(fewer))));
        assert.deepEqual(outcome(replaced), ["replace", true, undefined]);
        const resource = recorded(s, "shrunk");
        assert.notEqual(resource.id, first.id);
        await assertWholeRestore(s, resource, fewer.entries, restore.targetId);
        assert.deepEqual(await restoredVolumeIds(s, restore.entries.slice(2)), []);
      },
    });
  });

  describe("deadline overrun (partial state), then an up that resumes", function () {
    scenario({
      name: "an attach refused with IncorrectState until the create deadline fails the set: every volume is detached and deleted; the next up restores it whole",
      async run(s) {
        const restore = await seedRestore(s);
        const refused = restore.entries[1];
        // (proxy) EC2 keeps refusing one volume's attach: a per-volume refusal that outlasts the deadline, so the set fails as a whole.
        const rule = s.refuseAttach({ snapshotId: refused.snapshotId });
        const args = restoreArgs(restore, { timeouts: { create: "2s" } });
        const failed = only(await s.up(await program("not-now", args)));
        assert.deepEqual([failed.op, failed.ok], ["create", false]);
        assert.match(
          failed.error?.message ?? "",
          /last EC2 answer: IncorrectState\)\. All 3 volumes this restore made \(.*\) were detached and deleted, so nothing of it is left\. /,
        );
        assert.equal(
          Object.keys(s.deployment.state.resources).some((urn) => urn.endsWith("::not-now")),
          false,
        );
        const volumes = await restoredVolumes(s, restore.entries);
        assert.deepEqual([...volumes.values()].flat(), []);
        rule.remove();
        const again = only(await s.up(await program("not-now", args)));
        assert.deepEqual(outcome(again), ["create", true, undefined]);
        await assertWholeRestore(s, recorded(s, "not-now"), restore.entries, restore.targetId);
      },
    });

    scenario({
      name: "volumes still creating at the create deadline are recorded, and the next up waits for them and attaches them",
      async run(s) {
        const restore = await seedRestore(s);
        // (proxy) the volumes stay `creating` for 12 polls, and each poll's answer takes 300 ms: longer
        // than the 1 s deadline. The next up, with answers at their usual pace, spends the rest.
        s.world.proxy.creatingVolumes({ describes: 12 });
        const slow = s.inject({ kind: "delay", action: "DescribeVolumes", ms: 300, times: Number.POSITIVE_INFINITY });
        const args = restoreArgs(restore, { timeouts: { create: "1s" } });
        const failed = only(await s.up(await program("overrun", args)));
        slow.remove();
        assert.deepEqual([failed.op, failed.ok], ["create", false]);
        assert.match(
          failed.error?.message ?? "",
          /^VolumeSet "overrun": .*3 of 3 volumes \(vol-[0-9a-f]{17}, vol-[0-9a-f]{17}, vol-[0-9a-f]{17}\) exist and are recorded in the stack\. /,
        );
        const partial = recorded(s, "overrun");
        assert.equal(partial.outputs.state, "creating");
        assert.deepEqual([...(partial.outputs.volumeIds as string[])].sort(), await restoredVolumeIds(s, restore.entries));
        const resumed = only(await s.up(await program("overrun", args)));
        assert.deepEqual(outcome(resumed), ["update", true, undefined]);
        assert.equal(recorded(s, "overrun").id, partial.id);
        await assertWholeRestore(s, recorded(s, "overrun"), restore.entries, restore.targetId);
      },
    });

    scenario({
      name: "a set recorded at the create deadline while its volumes were creating can be refreshed and destroyed without another up",
      async run(s) {
        const restore = await seedRestore(s);
        s.world.proxy.creatingVolumes({ describes: 12 });
        const slow = s.inject({ kind: "delay", action: "DescribeVolumes", ms: 300, times: Number.POSITIVE_INFINITY });
        const failed = only(await s.up(await program("overrun-refresh", restoreArgs(restore, { timeouts: { create: "1s" } }))));
        assert.deepEqual([failed.op, failed.ok], ["create", false]);
        slow.remove();
        const [refreshed] = await s.refresh();
        assert.deepEqual(outcome(refreshed), ["refresh", true, undefined]);
        assert.deepEqual([...(recorded(s, "overrun-refresh").outputs.volumeIds as string[])].sort(), await restoredVolumeIds(s, restore.entries));
      },
    });

    scenario({
      name: "a create deadline that cuts off one CreateVolume before EC2 saw it records the two volumes made; the next up makes the third and attaches all",
      async run(s) {
        const restore = await seedRestore(s);
        const late = restore.entries[2].snapshotId;
        // The answer is held before forwarding: the client gives up at its deadline, and EC2 never sees it.
        s.inject({ kind: "delay", action: "CreateVolume", ms: 3_000, forwardFirst: false, when: (p) => p["SnapshotId"] === late });
        const args = restoreArgs(restore, { timeouts: { create: "1s" } });
        const failed = only(await s.up(await program("cut-short", args)));
        assert.deepEqual([failed.op, failed.ok], ["create", false]);
        const partial = recorded(s, "cut-short");
        assert.deepEqual(
          recordedVolumes(partial).map((v) => v.snapshotId),
          restore.entries.slice(0, 2).map((e) => e.snapshotId),
        );
        assert.deepEqual(forwardedCreates(s, restore.entries), [1, 1, 0]);
        s.quiesce();
        const resumed = only(await s.up(await program("cut-short", args)));
        assert.deepEqual(outcome(resumed), ["update", true, undefined]);
        assert.equal(recorded(s, "cut-short").id, partial.id);
        await assertWholeRestore(s, recorded(s, "cut-short"), restore.entries, restore.targetId);
      },
    });
  });

  describe("the host killed mid-operation, then a fresh host given the recorded state", function () {
    scenario({
      name: "a host killed while the first create waits for its volumes; the next up, on a fresh host, adopts the volumes it made",
      async run(s) {
        const restore = await seedRestore(s);
        // (proxy) the volumes are `creating` long enough for the kill to land in the wait.
        s.world.proxy.creatingVolumes({ describes: 8 });
        await s.continueOnFreshHost();
        const interrupted = only(
          await s.killWhenVolumes(/^VolumeSet "orphans": creating: \d+ of 3 volumes still moving/, async () => s.up(await program("orphans", restoreArgs(restore)))),
        );
        // The create never returned: no state records the volumes, which carry the in-flight token.
        assert.deepEqual([interrupted.op, interrupted.ok], ["create", false]);
        assert.ok(interrupted.error instanceof HostCallError && interrupted.error.code === grpc.status.UNAVAILABLE, String(interrupted.error));
        assert.deepEqual(s.deployment.state.resources, {});
        const orphans = await restoredVolumeIds(s, restore.entries);
        assert.equal(orphans.length, 3);
        await s.continueOnFreshHost();
        const resumed = only(await s.up(await program("orphans", restoreArgs(restore))));
        assert.deepEqual(outcome(resumed), ["create", true, undefined]);
        const resource = recorded(s, "orphans");
        assert.deepEqual([...(resource.outputs.volumeIds as string[])].sort(), orphans);
        await assertWholeRestore(s, resource, restore.entries, restore.targetId);
      },
    });

    scenario({
      name: "a host killed while CreateVolume calls are in flight; the next up, on a fresh host, adopts what EC2 made and makes the rest",
      async run(s) {
        const restore = await seedRestore(s);
        // EC2 acts on each CreateVolume at once; its answers are held, so they are in flight at the kill.
        s.inject({ kind: "delay", action: "CreateVolume", ms: 2_000, forwardFirst: true, times: Number.POSITIVE_INFINITY });
        await s.continueOnFreshHost();
        const interrupted = only(await s.killWhenRequested("CreateVolume", async () => s.up(await program("in-flight", restoreArgs(restore)))));
        assert.deepEqual([interrupted.op, interrupted.ok], ["create", false]);
        assert.deepEqual(s.deployment.state.resources, {});
        s.quiesce();
        // Wait for EC2 to act on whatever requests reached it before the kill.
        await new Promise((resolve) => setTimeout(resolve, 200));
        const made = await restoredVolumeIds(s, restore.entries);
        assert.ok(made.length >= 1 && made.length <= 3, `EC2 made ${made.length} volumes before the kill`);
        await s.continueOnFreshHost();
        const resumed = only(await s.up(await program("in-flight", restoreArgs(restore))));
        assert.deepEqual(outcome(resumed), ["create", true, undefined]);
        const resource = recorded(s, "in-flight");
        await assertWholeRestore(s, resource, restore.entries, restore.targetId);
        const ids = resource.outputs.volumeIds as string[];
        assert.deepEqual(
          made.filter((id) => !ids.includes(id)),
          [],
          "a volume made before the kill was not adopted",
        );
      },
    });

    scenario({
      name: "a host killed while AttachVolume calls are in flight; the next up, on a fresh host, adopts the volumes and attaches them once",
      async run(s) {
        const restore = await seedRestore(s);
        s.inject({ kind: "delay", action: "AttachVolume", ms: 2_000, forwardFirst: true, times: Number.POSITIVE_INFINITY });
        await s.continueOnFreshHost();
        const interrupted = only(await s.killWhenRequested("AttachVolume", async () => s.up(await program("kill-attach", restoreArgs(restore)))));
        assert.deepEqual([interrupted.op, interrupted.ok], ["create", false]);
        assert.deepEqual(s.deployment.state.resources, {});
        s.quiesce();
        const orphans = await restoredVolumeIds(s, restore.entries);
        assert.equal(orphans.length, 3);
        await s.continueOnFreshHost();
        const resumed = only(await s.up(await program("kill-attach", restoreArgs(restore))));
        assert.deepEqual(outcome(resumed), ["create", true, undefined]);
        const resource = recorded(s, "kill-attach");
        assert.deepEqual([...(resource.outputs.volumeIds as string[])].sort(), orphans);
        await assertWholeRestore(s, resource, restore.entries, restore.targetId);
      },
    });

    scenario({
      name: "a host killed while the set's DetachVolume calls are in flight; a fresh host's destroy finishes the delete",
      async run(s) {
        const restore = await seedRestore(s);
        const created = await createdOnce(s, "kill-detach", restore);
        await s.continueOnFreshHost();
        s.inject({ kind: "delay", action: "DetachVolume", ms: 2_000, forwardFirst: true, times: Number.POSITIVE_INFINITY });
        const [interrupted] = await s.killWhenRequested("DetachVolume", () => s.destroy());
        assert.deepEqual([interrupted.op, interrupted.ok], ["delete", false]);
        assert.equal(recorded(s, "kill-detach").id, created.id, "an interrupted delete keeps the set in state");
        s.quiesce();
        await s.continueOnFreshHost();
        const destroyed = await s.destroy();
        assert.deepEqual(destroyed.map(outcome), [["delete", true, undefined]]);
        await assertNothingLeft(s, restore.entries);
      },
    });

    scenario({
      name: "a host killed while the set's DeleteVolume calls are in flight; a fresh host's destroy finishes the delete",
      async run(s) {
        const restore = await seedRestore(s);
        const created = await createdOnce(s, "kill-delete", restore);
        await s.continueOnFreshHost();
        s.inject({ kind: "delay", action: "DeleteVolume", ms: 2_000, forwardFirst: true, times: Number.POSITIVE_INFINITY });
        const [interrupted] = await s.killWhenRequested("DeleteVolume", () => s.destroy());
        assert.deepEqual([interrupted.op, interrupted.ok], ["delete", false]);
        assert.equal(recorded(s, "kill-delete").id, created.id, "an interrupted delete keeps the set in state");
        s.quiesce();
        await s.continueOnFreshHost();
        const destroyed = await s.destroy();
        assert.deepEqual(destroyed.map(outcome), [["delete", true, undefined]]);
        await assertNothingLeft(s, restore.entries);
      },
    });
  });

  describe("changes made outside Pulumi, then refresh and up", function () {
    scenario({
      name: "a volume deleted outside Pulumi is reported missing by refresh, and up replaces the set with a whole one",
      async run(s) {
        const restore = await seedRestore(s);
        const first = await createdOnce(s, "gap", restore);
        const [victim] = recordedVolumes(first);
        await s.outOfBand("delete-volume", async () => {
          await s.world.ec2.send(new DetachVolumeCommand({ VolumeId: victim.volumeId, InstanceId: restore.targetId }));
          await s.world.ec2.send(new DeleteVolumeCommand({ VolumeId: victim.volumeId }));
        });
        const [refreshed] = await s.refresh();
        assert.deepEqual(outcome(refreshed), ["refresh", true, undefined]);
        assert.deepEqual(recorded(s, "gap").outputs.missingVolumeIds, [victim.volumeId]);
        const replaced = only(await s.up(await program("gap", restoreArgs(restore))));
        assert.deepEqual(outcome(replaced), ["replace", true, undefined]);
        const resource = recorded(s, "gap");
        assert.notEqual(resource.id, first.id);
        await assertWholeRestore(s, resource, restore.entries, restore.targetId);
      },
    });

    scenario({
      name: "a volume detached outside Pulumi shows after refresh, and up attaches it again at its device",
      async run(s) {
        const restore = await seedRestore(s);
        const first = await createdOnce(s, "loose", restore);
        const victim = recordedVolumes(first)[2];
        await s.outOfBand("detach-volume", async () => {
          await s.world.ec2.send(new DetachVolumeCommand({ VolumeId: victim.volumeId, InstanceId: restore.targetId }));
        });
        const [refreshed] = await s.refresh();
        assert.deepEqual(outcome(refreshed), ["refresh", true, undefined]);
        assert.deepEqual(
          recordedVolumes(recorded(s, "loose")).map((v) => v.attachmentState),
          ["attached", "attached", "detached"],
        );
        const reattached = only(await s.up(await program("loose", restoreArgs(restore))));
        assert.deepEqual(outcome(reattached), ["update", true, undefined]);
        assert.equal(recorded(s, "loose").id, first.id);
        await assertWholeRestore(s, recorded(s, "loose"), restore.entries, restore.targetId);
      },
    });

    scenario({
      name: "a set whose volumes were all deleted outside Pulumi is dropped by refresh and restored again by up",
      async run(s) {
        const restore = await seedRestore(s);
        const first = await createdOnce(s, "wiped", restore);
        await s.outOfBand("delete-all", async () => {
          for (const volume of recordedVolumes(first)) {
            await s.world.ec2.send(new DetachVolumeCommand({ VolumeId: volume.volumeId, InstanceId: restore.targetId }));
            await s.world.ec2.send(new DeleteVolumeCommand({ VolumeId: volume.volumeId }));
          }
        });
        const [refreshed] = await s.refresh();
        assert.deepEqual(outcome(refreshed), ["refresh", true, undefined]);
        assert.deepEqual(s.deployment.state.resources, {});
        const again = await createdOnce(s, "wiped", restore);
        assert.notEqual(again.id, first.id);
      },
    });

    scenario({
      name: "a volume made outside Pulumi from a restored snapshot is never adopted or deleted, even after a lost CreateVolume answer",
      async run(s) {
        const restore = await seedRestore(s);
        const neighbour = await s.world.ec2.send(
          new CreateVolumeCommand({
            SnapshotId: restore.entries[0].snapshotId,
            AvailabilityZone: AVAILABILITY_ZONE,
            TagSpecifications: [{ ResourceType: "volume", Tags: [{ Key: "team", Value: "db" }] }],
          }),
        );
        assert.ok(neighbour.VolumeId);
        s.foreign.add(neighbour.VolumeId);
        s.inject({ kind: "reset", action: "CreateVolume", phase: "after-forward", when: (p) => p["SnapshotId"] === restore.entries[0].snapshotId });
        const resource = await createdOnce(s, "neighbour", restore, { tags: { team: "db" } });
        assert.equal((resource.outputs.volumeIds as string[]).includes(neighbour.VolumeId), false, "the set adopted the volume made outside Pulumi");
      },
    });
  });

  describe("fast snapshot restore", function () {
    scenario({
      name: "throttled EnableFastSnapshotRestores is retried; the set is restored and fast snapshot restore ends disabled",
      async run(s) {
        const restore = await seedRestore(s);
        const burst = s.inject({ kind: "error", action: "EnableFastSnapshotRestores", code: "RequestLimitExceeded", times: 2 });
        await createdOnce(s, "fast", restore, { initialization: { fastSnapshotRestore: true } });
        assert.equal(burst.hits, 2);
        assertFastRestoreOff(s, restore.entries);
      },
    });

    scenario({
      name: "an EnableFastSnapshotRestores answer lost after EC2 enabled (InternalError) is retried; fast snapshot restore ends disabled",
      async run(s) {
        const restore = await seedRestore(s);
        const internal = s.inject({ kind: "error", action: "EnableFastSnapshotRestores", code: "InternalError", afterForward: true });
        await createdOnce(s, "fast-lost", restore, { initialization: { fastSnapshotRestore: true } });
        assert.equal(internal.hits, 1);
        assertFastRestoreOff(s, restore.entries);
      },
    });

    scenario({
      name: "EnableFastSnapshotRestores answers lost until the create deadline: the create fails with nothing made, and fast snapshot restore ends disabled",
      async run(s) {
        const restore = await seedRestore(s);
        // (proxy) EC2 enables fast snapshot restore for every pair, but the answer never arrives.
        s.inject({ kind: "error", action: "EnableFastSnapshotRestores", code: "InternalError", afterForward: true, times: Number.POSITIVE_INFINITY });
        const failed = only(await s.up(await program("fast-starved", restoreArgs(restore, { initialization: { fastSnapshotRestore: true }, timeouts: { create: "2s" } }))));
        assert.deepEqual([failed.op, failed.ok], ["create", false]);
        await assertNothingLeft(s, restore.entries);
        assertFastRestoreOff(s, restore.entries);
      },
    });

    scenario({
      name: "throttled DisableFastSnapshotRestores is retried; fast snapshot restore ends disabled",
      async run(s) {
        const restore = await seedRestore(s);
        const burst = s.inject({ kind: "error", action: "DisableFastSnapshotRestores", code: "RequestLimitExceeded", times: 2 });
        await createdOnce(s, "fast-disable", restore, { initialization: { fastSnapshotRestore: true } });
        assert.equal(burst.hits, 2);
        assertFastRestoreOff(s, restore.entries);
      },
    });

    scenario({
      name: "a volume ending in error during a fast restore: nothing is left, and fast snapshot restore ends disabled",
      async run(s) {
        const restore = await seedRestore(s);
        s.failVolumes(restore.entries[0].snapshotId);
        const failed = only(await s.up(await program("fast-doomed", restoreArgs(restore, { initialization: { fastSnapshotRestore: true } }))));
        assert.deepEqual([failed.op, failed.ok], ["create", false]);
        await assertNothingLeft(s, restore.entries);
        assertFastRestoreOff(s, restore.entries);
      },
    });
  });

  describe("faults mixed at random (fixed seed)", function () {
    volumeFaultMixes(6, 3).forEach((mix, index) => {
      scenario({
        name: `mix ${index + 1}: ${describeVolumeMix(mix)}`,
        async run(s) {
          const restore = await seedRestore(s);
          injectVolumeMix(
            s,
            mix,
            restore.entries.map((e) => e.snapshotId),
          );
          const name = `mix-${index + 1}`;
          await s.up(await program(name, restoreArgs(restore, { tags: { team: "db", env: "drill" } })));
          await s.up(await program(name, restoreArgs(restore, { tags: { team: "platform" } })));
          await s.refresh();
          s.quiesce();
          const settled = only(await s.up(await program(name, restoreArgs(restore, { tags: { team: "platform" } }))));
          assert.equal(settled.ok, true, String(settled.error));
          const volumes = await assertWholeRestore(s, recorded(s, name), restore.entries, restore.targetId);
          assert.deepEqual(
            volumes.map(userTags),
            restore.entries.map(() => ({ team: "platform" })),
          );
        },
      });
    });
  });
});
