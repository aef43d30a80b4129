import * as assert from "node:assert/strict";
import { CreateSnapshotCommand, CreateTagsCommand, DeleteSnapshotCommand } from "@aws-sdk/client-ec2";
import * as grpc from "@grpc/grpc-js";
import { SnapshotSet, type SnapshotSetArgs } from "../../sdk";
import type { ProgramResource, ResourceState } from "../../harness/deployment";
import { TEST_CREDENTIALS } from "../../harness/engineWorld";
import { HostCallError } from "../../harness/providerHost";
import { CALLS, CREATE_REFUSALS, describeMix, faultMixes, injectMix } from "../support/reliabilityMixes";
import { onlyStep, recordedResource, runScenario, stepOutcome, type Scenario, type ScenarioSpec } from "../support/reliabilityScenario";
import { ReliabilityWorld, SLOW_REQUEST_TIMEOUT_MS } from "../support/reliabilityWorld";
import { allSnapshots, seedInstance, tagsOf, type SeededInstance } from "../../harness/seed";

const SUITE = "SnapshotSet";
const TOKEN_TAG = "pulumi-ebs-snapshots:create-token";

interface Member {
  snapshotId: string;
  volumeId: string;
  state: string;
  tags: Record<string, string>;
  productCodes: unknown[];
}

/**
 * The reliability scenarios of SnapshotSet (one CreateSnapshots over an instance's root and two data
 * volumes): each fault alone, then mixed at random with a fixed seed, each ending with the emulator
 * compared with the state (runScenario). Facts moto cannot produce come from the fault proxy.
 */
describe("Reliability: SnapshotSet under faults", function () {
  let rw: ReliabilityWorld;

  before(async function () {
    rw = await ReliabilityWorld.start({ freshHosts: 4, slowHost: true, secrets: Object.values(TEST_CREDENTIALS) });
  });

  after(async function () {
    await rw?.stop();
  });

  function scenario(spec: Omit<ScenarioSpec, "resource">): void {
    it(spec.name, async function () {
      await runScenario(rw.world, rw.hosts, SUITE, { ...spec, resource: "SnapshotSet" });
    });
  }

  function program(name: string, args: SnapshotSetArgs): Promise<ProgramResource[]> {
    return rw.world.register(() => {
      new SnapshotSet(name, { ...args });
    });
  }

  const only = onlyStep;
  const outcome = stepOutcome;
  const recorded = (s: Scenario, name: string): ResourceState => recordedResource(s, "SnapshotSet", name);

  function membersOf(resource: ResourceState): Member[] {
    return resource.outputs.snapshots as unknown as Member[];
  }

  function volumesOf(instance: SeededInstance): string[] {
    return [instance.rootVolumeId, ...instance.dataVolumes.map((v) => v.volumeId)].sort();
  }

  /** Snapshot ids in the emulator, sorted. */
  async function snapshotIds(): Promise<string[]> {
    return (await allSnapshots(rw.world.ec2)).map((s) => s.SnapshotId ?? "").sort();
  }

  /** The recorded set covers every volume of the instance once, and its members are exactly what EC2 holds. */
  async function assertWholeSet(resource: ResourceState, instance: SeededInstance, state = "completed"): Promise<void> {
    const members = membersOf(resource);
    assert.deepEqual(members.map((m) => m.volumeId).sort(), volumesOf(instance), "the set does not cover every volume of the instance once");
    assert.deepEqual([resource.outputs.state, resource.outputs.snapshotIds], [state, members.map((m) => m.snapshotId)]);
    assert.deepEqual(await snapshotIds(), members.map((m) => m.snapshotId).sort());
  }

  async function instanceOf(s: Scenario): Promise<SeededInstance> {
    return seedInstance(s.world.ec2, [{}, { encrypted: true }]);
  }

  async function createUpdateRefresh(s: Scenario, name: string, instance: SeededInstance): Promise<ResourceState> {
    const created = only(await s.up(await program(name, { instanceId: instance.instanceId, tags: { team: "web", env: "test" } })));
    assert.deepEqual(outcome(created), ["create", true, undefined]);
    const updated = only(await s.up(await program(name, { instanceId: instance.instanceId, tags: { team: "platform" } })));
    assert.deepEqual(outcome(updated), ["update", true, undefined]);
    const [refreshed] = await s.refresh();
    assert.deepEqual(outcome(refreshed), ["refresh", true, undefined]);
    const again = only(await s.up(await program(name, { instanceId: instance.instanceId, tags: { team: "platform" } })));
    assert.deepEqual(outcome(again), ["same", true, undefined]);
    const resource = recorded(s, name);
    await assertWholeSet(resource, instance);
    assert.deepEqual(
      membersOf(resource).map((m) => m.tags),
      [{ team: "platform" }, { team: "platform" }, { team: "platform" }],
    );
    return resource;
  }

  async function createdOnce(s: Scenario, name: string, args: SnapshotSetArgs, instance: SeededInstance): Promise<ResourceState> {
    const step = only(await s.up(await program(name, args)));
    assert.deepEqual(outcome(step), ["create", true, undefined]);
    const resource = recorded(s, name);
    await assertWholeSet(resource, instance);
    return resource;
  }

  function forwardedCreates(s: Scenario): number {
    return s.world.proxy.requestsFor("CreateSnapshots").filter((r) => r.forwarded).length;
  }

  describe("throttling (RequestLimitExceeded, HTTP 503) in bursts", function () {
    for (const action of CALLS.SnapshotSet) {
      scenario({
        name: `a burst of 3 RequestLimitExceeded on ${action} is retried through`,
        async run(s) {
          const instance = await instanceOf(s);
          s.pending(volumesOf(instance), 2);
          const burst = s.inject({ kind: "error", action, code: "RequestLimitExceeded", times: 3 });
          await createUpdateRefresh(s, "throttled", instance);
          if (action !== "DeleteSnapshot") {
            assert.equal(burst.hits, 3);
          }
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
        const instance = await instanceOf(s);
        s.pending(volumesOf(instance), 2);
        const burst = s.inject({ kind: "error", code: "RequestLimitExceeded", times: 12 });
        await createUpdateRefresh(s, "throttled-all", instance);
        assert.equal(burst.hits, 12);
      },
    });

    scenario({
      name: "throttling of CreateSnapshots that outlasts the create timeout fails the create and takes no snapshot",
      async run(s) {
        const instance = await instanceOf(s);
        const throttle = s.inject({ kind: "error", action: "CreateSnapshots", code: "RequestLimitExceeded", times: Number.POSITIVE_INFINITY });
        const failed = only(await s.up(await program("starved", { instanceId: instance.instanceId, timeouts: { create: "1s" } })));
        assert.deepEqual([failed.op, failed.ok], ["create", false]);
        assert.match(
          failed.error?.message ?? "",
          /did not finish within its 1s timeout \(last EC2 answer: RequestLimitExceeded\)\. No snapshot of this create was found \(searched by its create token\)\. Raise timeouts\.create to give it longer, then run again\.$/,
        );
        assert.deepEqual([s.deployment.state.resources, await snapshotIds()], [{}, []]);
        throttle.remove();
        await createdOnce(s, "starved", { instanceId: instance.instanceId, timeouts: { create: "1s" } }, instance);
      },
    });

    scenario({
      name: "throttling of DescribeSnapshotAttribute that outlasts the create timeout records the new set",
      async run(s) {
        const instance = await instanceOf(s);
        const throttle = s.inject({ kind: "error", action: "DescribeSnapshotAttribute", code: "RequestLimitExceeded", times: Number.POSITIVE_INFINITY });
        const failed = only(await s.up(await program("attr-starved", { instanceId: instance.instanceId, timeouts: { create: "1s" } })));
        assert.deepEqual([failed.op, failed.ok], ["create", false]);
        await assertWholeSet(recorded(s, "attr-starved"), instance);
        throttle.remove();
        const resumed = only(await s.up(await program("attr-starved", { instanceId: instance.instanceId, timeouts: { create: "1s" } })));
        assert.deepEqual(outcome(resumed), ["update", true, undefined]);
      },
    });
  });

  describe("EC2 refusing the create for the volumes' limits", function () {
    for (const code of CREATE_REFUSALS) {
      scenario({
        name: `CreateSnapshots refused twice with ${code} is retried and takes exactly one set`,
        async run(s) {
          const instance = await instanceOf(s);
          const refusal = s.inject({ kind: "error", action: "CreateSnapshots", code, times: 2 });
          await createdOnce(s, "refused", { instanceId: instance.instanceId }, instance);
          assert.equal(refusal.hits, 2);
          assert.deepEqual(
            s.world.proxy.requestsFor("CreateSnapshots").map((r) => r.fault ?? "forwarded"),
            [`error:${code}`, `error:${code}`, "forwarded"],
          );
        },
      });
    }
  });

  describe("connection resets", function () {
    for (const phase of ["before-forward", "after-forward"] as const) {
      scenario({
        name: `a CreateSnapshots connection reset ${phase === "before-forward" ? "before EC2 saw it" : "after EC2 acted (answer lost)"} takes exactly one set`,
        async run(s) {
          const instance = await instanceOf(s);
          s.inject({ kind: "reset", action: "CreateSnapshots", phase });
          await createdOnce(s, "reset", { instanceId: instance.instanceId, tags: { team: "web" } }, instance);
          assert.equal(forwardedCreates(s), 1);
        },
      });
    }

    scenario({
      name: "DeleteSnapshot answers lost after EC2 deleted count as deleted",
      async run(s) {
        const instance = await instanceOf(s);
        await createdOnce(s, "reset-delete", { instanceId: instance.instanceId }, instance);
        s.inject({ kind: "reset", action: "DeleteSnapshot", phase: "after-forward", times: 2 });
      },
      destroyUnderFaults: true,
      afterDestroy(s) {
        assert.deepEqual(
          s.world.proxy
            .requestsFor("DeleteSnapshot")
            .map((r) => r.fault ?? "answered")
            .sort(),
          ["answered", "answered", "answered", "reset:after-forward", "reset:after-forward"],
        );
      },
    });
  });

  describe(`answers slower than the socket timeout (${SLOW_REQUEST_TIMEOUT_MS} ms)`, function () {
    for (const forwardFirst of [true, false]) {
      scenario({
        name: `a CreateSnapshots answer held past the socket timeout ${forwardFirst ? "after EC2 acted is adopted" : "before EC2 saw it is sent again"}: exactly one set`,
        async run(s) {
          s.useHost(rw.slow);
          const instance = await instanceOf(s);
          s.inject({ kind: "delay", action: "CreateSnapshots", ms: 3 * SLOW_REQUEST_TIMEOUT_MS, forwardFirst });
          await createdOnce(s, "slow-create", { instanceId: instance.instanceId }, instance);
          assert.equal(forwardedCreates(s), 1);
        },
      });
    }
  });

  describe("eventual consistency right after create", function () {
    scenario({
      name: "new members missing from DescribeSnapshots for 3 lookups are waited for, not lost or duplicated",
      async run(s) {
        const instance = await instanceOf(s);
        s.pending(volumesOf(instance), 1);
        s.hide(volumesOf(instance), 3);
        await createUpdateRefresh(s, "shy", instance);
      },
    });

    scenario({
      name: "InvalidSnapshot.NotFound from DescribeSnapshotAttribute right after create still records the product codes",
      async run(s) {
        const instance = await instanceOf(s);
        const marketplace = instance.dataVolumes[0].volumeId;
        s.world.proxy.enrich(marketplace, { productCodes: [{ id: "8fjvgz4q2a3zq1wyp6cjvbn3x", type: "marketplace" }] });
        s.inject({ kind: "error", action: "DescribeSnapshotAttribute", code: "InvalidSnapshot.NotFound", times: 3 });
        const resource = await createdOnce(s, "codes", { instanceId: instance.instanceId }, instance);
        assert.deepEqual(membersOf(resource).find((m) => m.volumeId === marketplace)?.productCodes, [
          { productCodeId: "8fjvgz4q2a3zq1wyp6cjvbn3x", productCodeType: "marketplace" },
        ]);
      },
    });

    scenario({
      name: "a lost CreateSnapshots answer while one new member is not yet visible still records every volume",
      async run(s) {
        const instance = await instanceOf(s);
        s.inject({ kind: "reset", action: "CreateSnapshots", phase: "after-forward" });
        s.hide([instance.dataVolumes[1].volumeId], 1);
        await createdOnce(s, "partly-shy", { instanceId: instance.instanceId }, instance);
      },
    });

    scenario({
      name: "a lost CreateSnapshots answer while the new set is not yet visible leaves no duplicate set behind",
      async run(s) {
        const instance = await instanceOf(s);
        s.inject({ kind: "reset", action: "CreateSnapshots", phase: "after-forward" });
        s.hide(volumesOf(instance), 2);
        await createdOnce(s, "lost-and-shy", { instanceId: instance.instanceId }, instance);
      },
    });
  });

  describe("members that end in error", function () {
    scenario({
      name: "one member ending in error deletes the whole set and names the volume; the next up takes a good set",
      async run(s) {
        const instance = await instanceOf(s);
        const failing = instance.dataVolumes[1].volumeId;
        s.pending(volumesOf(instance), 1);
        const rule = s.endInError([failing], "The volume is impaired");
        const failed = only(await s.up(await program("doomed", { instanceId: instance.instanceId })));
        assert.deepEqual([failed.op, failed.ok], ["create", false]);
        assert.match(
          failed.error?.message ?? "",
          new RegExp(
            `^SnapshotSet "doomed": the snapshot set of instance ${instance.instanceId} failed: snap-[0-9a-f]{17} \\(volume ${failing}: The volume is impaired\\)\\. ` +
              "All 3 snapshots of the set were deleted, so nothing of this create is left\\. Check the volumes, then run `pulumi up` again\\.$",
          ),
        );
        assert.deepEqual([s.deployment.state.resources, await snapshotIds()], [{}, []]);
        rule.remove();
        await createdOnce(s, "doomed", { instanceId: instance.instanceId }, instance);
      },
    });

    scenario({
      name: "a failed set whose member cannot be deleted (AMI holds it) is replaced by a whole set on the next up",
      async run(s) {
        const instance = await instanceOf(s);
        const failing = instance.dataVolumes[1].volumeId;
        const held = instance.dataVolumes[0].volumeId;
        s.pending(volumesOf(instance), 1);
        s.endInError([failing], "The volume is impaired");
        const inUse = s.inject({
          kind: "error",
          action: "DeleteSnapshot",
          code: "InvalidSnapshot.InUse",
          times: Number.POSITIVE_INFINITY,
          when: (params) => s.world.proxy.volumeOf(params.SnapshotId ?? "") === held,
        });
        const failed = only(await s.up(await program("stuck", { instanceId: instance.instanceId, timeouts: { delete: "1s" } })));
        assert.deepEqual([failed.op, failed.ok], ["create", false]);
        assert.deepEqual(
          membersOf(recorded(s, "stuck")).map((m) => m.volumeId),
          [held],
        );
        inUse.remove();
        s.quiesce();
        const replaced = only(await s.up(await program("stuck", { instanceId: instance.instanceId, timeouts: { delete: "1s" } })));
        assert.deepEqual(outcome(replaced), ["replace", true, undefined]);
        await assertWholeSet(recorded(s, "stuck"), instance);
      },
    });

    scenario({
      name: "a member ending in error while an update resumes the wait records the set as failed, and the next up replaces it",
      async run(s) {
        const instance = await instanceOf(s);
        s.pending(volumesOf(instance), 2);
        s.endInError([instance.dataVolumes[0].volumeId], "The volume is impaired", 2);
        const started = only(await s.up(await program("late-error", { instanceId: instance.instanceId, waitForCompletion: false })));
        assert.deepEqual(outcome(started), ["create", true, undefined]);
        const first = recorded(s, "late-error");
        assert.equal(first.outputs.state, "pending");
        const failed = only(await s.up(await program("late-error", { instanceId: instance.instanceId })));
        assert.deepEqual([failed.op, failed.ok], ["update", false]);
        assert.equal(recorded(s, "late-error").outputs.state, "error");
        s.quiesce();
        const replaced = only(await s.up(await program("late-error", { instanceId: instance.instanceId })));
        assert.deepEqual(outcome(replaced), ["replace", true, undefined]);
        assert.notEqual(recorded(s, "late-error").id, first.id);
        await assertWholeSet(recorded(s, "late-error"), instance);
      },
    });
  });

  describe("deadline overrun (partial state), then an update that completes it", function () {
    scenario({
      name: "a set still pending at the create deadline is recorded, and the next up waits for it",
      async run(s) {
        const instance = await instanceOf(s);
        const hold = s.hold(volumesOf(instance));
        const failed = only(await s.up(await program("overrun", { instanceId: instance.instanceId, timeouts: { create: "500ms" } })));
        assert.deepEqual([failed.op, failed.ok], ["create", false]);
        const partial = recorded(s, "overrun");
        await assertWholeSet(partial, instance, "pending");
        assert.deepEqual(
          [...hold.snapshotIds].sort(),
          membersOf(partial)
            .map((m) => m.snapshotId)
            .sort(),
        );
        hold.release();
        const resumed = only(await s.up(await program("overrun", { instanceId: instance.instanceId, timeouts: { create: "500ms" } })));
        assert.deepEqual(outcome(resumed), ["update", true, undefined]);
        assert.equal(recorded(s, "overrun").id, partial.id);
        await assertWholeSet(recorded(s, "overrun"), instance);
      },
    });

    scenario({
      name: "a set recorded at the create deadline can be refreshed and destroyed without another up",
      async run(s) {
        const instance = await instanceOf(s);
        const hold = s.hold(volumesOf(instance));
        const failed = only(await s.up(await program("overrun-refresh", { instanceId: instance.instanceId, timeouts: { create: "500ms" } })));
        assert.deepEqual([failed.op, failed.ok], ["create", false]);
        hold.release();
        const [refreshed] = await s.refresh();
        assert.deepEqual(outcome(refreshed), ["refresh", true, undefined]);
        await assertWholeSet(recorded(s, "overrun-refresh"), instance);
      },
    });

    scenario({
      name: "a create deadline that cuts off CreateSnapshots after EC2 acted records the set it made",
      async run(s) {
        const instance = await instanceOf(s);
        s.inject({ kind: "delay", action: "CreateSnapshots", ms: 2_000, forwardFirst: true });
        const failed = only(await s.up(await program("cut-off", { instanceId: instance.instanceId, timeouts: { create: "500ms" } })));
        assert.deepEqual([failed.op, failed.ok], ["create", false]);
        await assertWholeSet(recorded(s, "cut-off"), instance);
        const resumed = only(await s.up(await program("cut-off", { instanceId: instance.instanceId, timeouts: { create: "500ms" } })));
        assert.deepEqual(outcome(resumed), ["update", true, undefined]);
        await assertWholeSet(recorded(s, "cut-off"), instance);
      },
    });
  });

  describe("the host killed mid-operation, then a fresh host given the recorded state", function () {
    scenario({
      name: "a host killed while an update waits; a fresh host refreshes and completes the set from the recorded state",
      async run(s) {
        const instance = await instanceOf(s);
        s.pending(volumesOf(instance), 3);
        const started = only(await s.up(await program("kill-wait", { instanceId: instance.instanceId, waitForCompletion: false })));
        assert.deepEqual(outcome(started), ["create", true, undefined]);
        const pending = recorded(s, "kill-wait");
        await s.continueOnFreshHost();
        const interrupted = only(
          await s.killWhen(/^SnapshotSet "kill-wait": snap-\S+ \d+% pending/, async () => s.up(await program("kill-wait", { instanceId: instance.instanceId }))),
        );
        assert.deepEqual([interrupted.op, interrupted.ok], ["update", false]);
        assert.ok(interrupted.error instanceof HostCallError && interrupted.error.code === grpc.status.UNAVAILABLE, String(interrupted.error));
        assert.deepEqual(recorded(s, "kill-wait").outputs.snapshotIds, pending.outputs.snapshotIds);
        await s.continueOnFreshHost();
        const [refreshed] = await s.refresh();
        assert.deepEqual(outcome(refreshed), ["refresh", true, undefined]);
        const resumed = only(await s.up(await program("kill-wait", { instanceId: instance.instanceId })));
        assert.deepEqual(outcome(resumed), ["update", true, undefined]);
        assert.equal(recorded(s, "kill-wait").id, pending.id);
        await assertWholeSet(recorded(s, "kill-wait"), instance);
      },
    });
    scenario({
      name: "a host killed while the first create waits; the next up, on a fresh host, resumes the set it started",
      async run(s) {
        const instance = await instanceOf(s);
        s.pending(volumesOf(instance), 3);
        await s.continueOnFreshHost();
        const interrupted = only(
          await s.killWhen(/^SnapshotSet "orphans": snap-\S+ \d+% pending/, async () => s.up(await program("orphans", { instanceId: instance.instanceId }))),
        );
        // The create never returned: no state records the set, whose members carry the in-flight token.
        assert.deepEqual([interrupted.op, interrupted.ok], ["create", false]);
        assert.deepEqual(s.deployment.state.resources, {});
        const orphans = await snapshotIds();
        assert.equal(orphans.length, volumesOf(instance).length);
        await s.continueOnFreshHost();
        const resumed = only(await s.up(await program("orphans", { instanceId: instance.instanceId })));
        assert.deepEqual(outcome(resumed), ["create", true, undefined]);
        const resource = recorded(s, "orphans");
        assert.deepEqual([...(resource.outputs.snapshotIds as string[])].sort(), orphans);
        assert.deepEqual(await snapshotIds(), orphans);
        await assertWholeSet(resource, instance);
      },
    });
    scenario({
      name: "a host killed while the set's DeleteSnapshot calls are in flight; a fresh host's destroy finishes the delete",
      async run(s) {
        const instance = await instanceOf(s);
        const created = await createdOnce(s, "kill-delete", { instanceId: instance.instanceId }, instance);
        await s.continueOnFreshHost();
        s.inject({ kind: "delay", action: "DeleteSnapshot", ms: 2_000, forwardFirst: true, times: Number.POSITIVE_INFINITY });
        const [interrupted] = await s.killWhenRequested("DeleteSnapshot", () => s.destroy());
        assert.deepEqual([interrupted.op, interrupted.ok], ["delete", false]);
        assert.equal(recorded(s, "kill-delete").id, created.id, "an interrupted delete keeps the set in state");
        s.quiesce();
        await s.continueOnFreshHost();
        const destroyed = await s.destroy();
        assert.deepEqual(destroyed.map(outcome), [["delete", true, undefined]]);
        assert.deepEqual([s.deployment.state.resources, await snapshotIds()], [{}, []]);
      },
    });
  });

  describe("changes made outside Pulumi, then refresh and update", function () {
    scenario({
      name: "a member deleted outside Pulumi is reported missing by refresh, and up replaces the set with a whole one",
      async run(s) {
        const instance = await instanceOf(s);
        const first = await createdOnce(s, "gap", { instanceId: instance.instanceId }, instance);
        const [victim] = membersOf(first);
        await s.outOfBand("delete-member", async () => {
          await s.world.ec2.send(new DeleteSnapshotCommand({ SnapshotId: victim.snapshotId }));
        });
        const [refreshed] = await s.refresh();
        assert.deepEqual(outcome(refreshed), ["refresh", true, undefined]);
        assert.deepEqual(recorded(s, "gap").outputs.missingSnapshotIds, [victim.snapshotId]);
        const replaced = only(await s.up(await program("gap", { instanceId: instance.instanceId })));
        assert.deepEqual(outcome(replaced), ["replace", true, undefined]);
        await assertWholeSet(recorded(s, "gap"), instance);
      },
    });

    scenario({
      name: "a set whose members were all deleted outside Pulumi is dropped by refresh and taken again by up",
      async run(s) {
        const instance = await instanceOf(s);
        const first = await createdOnce(s, "wiped", { instanceId: instance.instanceId }, instance);
        await s.outOfBand("delete-all", async () => {
          for (const member of membersOf(first)) {
            await s.world.ec2.send(new DeleteSnapshotCommand({ SnapshotId: member.snapshotId }));
          }
        });
        const [refreshed] = await s.refresh();
        assert.deepEqual(outcome(refreshed), ["refresh", true, undefined]);
        assert.deepEqual(s.deployment.state.resources, {});
        const again = await createdOnce(s, "wiped", { instanceId: instance.instanceId }, instance);
        assert.notEqual(again.id, first.id);
      },
    });

    scenario({
      name: "tags changed outside Pulumi on one member show after refresh and are put back by up",
      async run(s) {
        const instance = await instanceOf(s);
        const first = await createdOnce(s, "retagged", { instanceId: instance.instanceId, tags: { team: "web" } }, instance);
        const [victim] = membersOf(first);
        await s.outOfBand("tags", async () => {
          await s.world.ec2.send(new CreateTagsCommand({ Resources: [victim.snapshotId], Tags: [{ Key: "team", Value: "intruder" }] }));
        });
        await s.refresh();
        assert.deepEqual(membersOf(recorded(s, "retagged"))[0].tags, { team: "intruder" });
        const restored = only(await s.up(await program("retagged", { instanceId: instance.instanceId, tags: { team: "web" } })));
        assert.deepEqual(outcome(restored), ["update", true, undefined]);
        const tags = (await allSnapshots(s.world.ec2)).map((x) => {
          const { [TOKEN_TAG]: _token, ...user } = tagsOf(x);
          return user;
        });
        assert.deepEqual(tags, [{ team: "web" }, { team: "web" }, { team: "web" }]);
      },
    });

    scenario({
      name: "a snapshot of a member volume made outside Pulumi is never adopted or deleted, even after a lost create answer",
      async run(s) {
        const instance = await instanceOf(s);
        const foreign = await s.world.ec2.send(
          new CreateSnapshotCommand({ VolumeId: instance.dataVolumes[0].volumeId, TagSpecifications: [{ ResourceType: "snapshot", Tags: [{ Key: "team", Value: "web" }] }] }),
        );
        s.foreign.add(foreign.SnapshotId ?? "");
        s.inject({ kind: "reset", action: "CreateSnapshots", phase: "after-forward" });
        const step = only(await s.up(await program("neighbour", { instanceId: instance.instanceId, tags: { team: "web" } })));
        assert.deepEqual(outcome(step), ["create", true, undefined]);
        const members = membersOf(recorded(s, "neighbour"));
        assert.deepEqual(members.map((m) => m.volumeId).sort(), volumesOf(instance));
      },
    });

    scenario({
      name: "with all 50 tags taken (no create token), a lost CreateSnapshots answer never adopts an identical snapshot made outside Pulumi",
      async run(s) {
        const instance = await instanceOf(s);
        const fiftyTags = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${String(i).padStart(2, "0")}`, "v"]));
        const foreign = await s.world.ec2.send(
          new CreateSnapshotCommand({
            VolumeId: instance.dataVolumes[0].volumeId,
            Description: "nightly",
            TagSpecifications: [{ ResourceType: "snapshot", Tags: Object.entries(fiftyTags).map(([Key, Value]) => ({ Key, Value })) }],
          }),
        );
        s.foreign.add(foreign.SnapshotId ?? "");
        s.inject({ kind: "reset", action: "CreateSnapshots", phase: "after-forward" });
        const step = only(await s.up(await program("twin", { instanceId: instance.instanceId, description: "nightly", tags: fiftyTags })));
        assert.deepEqual(outcome(step), ["create", true, undefined]);
        const members = membersOf(recorded(s, "twin"));
        assert.deepEqual(members.map((m) => m.volumeId).sort(), volumesOf(instance));
        assert.equal(
          members.some((m) => m.snapshotId === foreign.SnapshotId),
          false,
          "the set adopted the snapshot made outside Pulumi",
        );
      },
    });
  });

  describe("faults mixed at random (fixed seed)", function () {
    faultMixes("SnapshotSet", 6).forEach((mix, index) => {
      scenario({
        name: `mix ${index + 1}: ${describeMix(mix)}`,
        async run(s) {
          const instance = await instanceOf(s);
          s.pending(volumesOf(instance), 2);
          injectMix(s, "SnapshotSet", mix, volumesOf(instance), [instance.dataVolumes[0].volumeId]);
          const name = `mix-${index + 1}`;
          await s.up(await program(name, { instanceId: instance.instanceId, tags: { team: "web", env: "test" } }));
          await s.up(await program(name, { instanceId: instance.instanceId, tags: { team: "platform" } }));
          await s.refresh();
          s.quiesce();
          const settled = only(await s.up(await program(name, { instanceId: instance.instanceId, tags: { team: "platform" } })));
          assert.equal(settled.ok, true, String(settled.error));
          const resource = recorded(s, name);
          await assertWholeSet(resource, instance);
          assert.deepEqual(
            membersOf(resource).map((m) => m.tags),
            [{ team: "platform" }, { team: "platform" }, { team: "platform" }],
          );
        },
      });
    });
  });
});
