import * as assert from "node:assert/strict";
import { CreateSnapshotCommand, CreateTagsCommand, DeleteSnapshotCommand, DeleteTagsCommand } from "@aws-sdk/client-ec2";
import * as grpc from "@grpc/grpc-js";
import { Snapshot, type SnapshotArgs } from "../../sdk";
import type { ProgramResource, ResourceState } from "../../harness/deployment";
import { TEST_CREDENTIALS } from "../../harness/engineWorld";
import { HostCallError } from "../../harness/providerHost";
import { CALLS, CREATE_REFUSALS, describeMix, faultMixes, injectMix } from "../support/reliabilityMixes";
import { onlyStep, recordedResource, runScenario, stepOutcome, type Scenario, type ScenarioSpec } from "../support/reliabilityScenario";
import { ReliabilityWorld, SLOW_REQUEST_TIMEOUT_MS } from "../support/reliabilityWorld";
import { allSnapshots, seedInstance, seedVolume, tagsOf } from "../../harness/seed";

const SUITE = "Snapshot";
const TOKEN_TAG = "pulumi-ebs-snapshots:create-token";

/**
 * The reliability scenarios of Snapshot: each fault alone, then mixed at random with a fixed seed, run
 * through the SDK's dynamic-provider host against moto, each ending with the emulator compared with the
 * state (runScenario). Facts moto cannot produce come from the fault proxy: EC2 error answers, resets,
 * slow answers, pending and error states, and snapshots that DescribeSnapshots does not show yet.
 */
describe("Reliability: Snapshot under faults", function () {
  let rw: ReliabilityWorld;

  before(async function () {
    rw = await ReliabilityWorld.start({ freshHosts: 5, slowHost: true, secrets: Object.values(TEST_CREDENTIALS) });
  });

  after(async function () {
    await rw?.stop();
  });

  function scenario(spec: Omit<ScenarioSpec, "resource">): void {
    it(spec.name, async function () {
      await runScenario(rw.world, rw.hosts, SUITE, { ...spec, resource: "Snapshot" });
    });
  }

  function program(name: string, args: SnapshotArgs): Promise<ProgramResource[]> {
    return rw.world.register(() => {
      new Snapshot(name, { ...args });
    });
  }

  const only = onlyStep;
  const outcome = stepOutcome;
  const recorded = (s: Scenario, name: string): ResourceState => recordedResource(s, "Snapshot", name);

  async function snapshotsOf(volumeId: string): Promise<string[]> {
    return (await allSnapshots(rw.world.ec2))
      .filter((s) => s.VolumeId === volumeId)
      .map((s) => s.SnapshotId ?? "")
      .sort();
  }

  /** A data volume attached to a running instance, so that create also describes the instance. */
  async function attachedVolume(): Promise<string> {
    const instance = await seedInstance(rw.world.ec2, [{}]);
    return instance.dataVolumes[0].volumeId;
  }

  /** Create with two tags, change them, refresh, run again unchanged: each step must succeed. */
  async function createUpdateRefresh(s: Scenario, name: string, volumeId: string): Promise<ResourceState> {
    const created = only(await s.up(await program(name, { volumeId, tags: { team: "storage", env: "test" } })));
    assert.deepEqual(outcome(created), ["create", true, undefined]);
    const updated = only(await s.up(await program(name, { volumeId, tags: { team: "platform" } })));
    assert.deepEqual(outcome(updated), ["update", true, undefined]);
    const [refreshed] = await s.refresh();
    assert.deepEqual(outcome(refreshed), ["refresh", true, undefined]);
    const again = only(await s.up(await program(name, { volumeId, tags: { team: "platform" } })));
    assert.deepEqual(outcome(again), ["same", true, undefined]);
    const resource = recorded(s, name);
    assert.deepEqual([resource.outputs.state, resource.outputs.tags], ["completed", { team: "platform" }]);
    assert.deepEqual(await snapshotsOf(volumeId), [resource.id]);
    return resource;
  }

  /** The one successful create of the scenario: the resource, exactly one snapshot of the volume. */
  async function createdOnce(s: Scenario, name: string, args: SnapshotArgs & { volumeId: string }): Promise<ResourceState> {
    const step = only(await s.up(await program(name, args)));
    assert.deepEqual(outcome(step), ["create", true, undefined]);
    const resource = recorded(s, name);
    assert.equal(resource.outputs.state, "completed");
    assert.deepEqual(await snapshotsOf(args.volumeId), [resource.id]);
    return resource;
  }

  function forwardedCreates(s: Scenario, volumeId: string): number {
    return s.world.proxy.requestsFor("CreateSnapshot").filter((r) => r.params.VolumeId === volumeId && r.forwarded).length;
  }

  describe("throttling (RequestLimitExceeded, HTTP 503) in bursts", function () {
    for (const action of CALLS.Snapshot) {
      scenario({
        name: `a burst of 3 RequestLimitExceeded on ${action} is retried through`,
        async run(s) {
          const volumeId = await attachedVolume();
          s.pending([volumeId], 2);
          const burst = s.inject({ kind: "error", action, code: "RequestLimitExceeded", times: 3 });
          await createUpdateRefresh(s, "throttled", volumeId);
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
        const volumeId = await attachedVolume();
        s.pending([volumeId], 2);
        const burst = s.inject({ kind: "error", code: "RequestLimitExceeded", times: 12 });
        await createUpdateRefresh(s, "throttled-all", volumeId);
        assert.equal(burst.hits, 12);
        assert.deepEqual(
          [...new Set(s.world.proxy.requests.filter((r) => r.fault !== undefined).map((r) => r.action))],
          ["DescribeVolumes"],
          "the burst throttles the first calls, whatever their kind",
        );
      },
    });

    scenario({
      name: "throttling of CreateSnapshot that outlasts the create timeout fails the create and makes no snapshot",
      async run(s) {
        const volumeId = await seedVolume(s.world.ec2);
        const throttle = s.inject({ kind: "error", action: "CreateSnapshot", code: "RequestLimitExceeded", times: Number.POSITIVE_INFINITY });
        const failed = only(await s.up(await program("starved", { volumeId, timeouts: { create: "1s" } })));
        assert.deepEqual([failed.op, failed.ok], ["create", false]);
        assert.match(
          failed.error?.message ?? "",
          new RegExp(
            `^Snapshot "starved": create \\(volume ${volumeId}\\) did not finish within its 1s timeout \\(last EC2 answer: RequestLimitExceeded\\)\\. ` +
              "No snapshot of this create was found \\(searched by its create token\\)\\. Raise timeouts\\.create to give it longer, then run again\\.$",
          ),
        );
        assert.deepEqual(s.deployment.state.resources, {});
        assert.deepEqual(await snapshotsOf(volumeId), []);
        throttle.remove();
        await createdOnce(s, "starved", { volumeId, timeouts: { create: "1s" } });
      },
    });

    scenario({
      name: "throttling of DescribeSnapshotAttribute that outlasts the create timeout records the new snapshot",
      async run(s) {
        const volumeId = await seedVolume(s.world.ec2);
        const throttle = s.inject({ kind: "error", action: "DescribeSnapshotAttribute", code: "RequestLimitExceeded", times: Number.POSITIVE_INFINITY });
        const failed = only(await s.up(await program("attr-starved", { volumeId, timeouts: { create: "1s" } })));
        assert.deepEqual([failed.op, failed.ok], ["create", false]);
        // The snapshot exists: it must be in state (partial), or it is leaked.
        const [snapshotId] = await snapshotsOf(volumeId);
        assert.equal(recorded(s, "attr-starved").id, snapshotId, `the create failed with "${failed.error?.message}" and recorded nothing`);
        throttle.remove();
        const resumed = only(await s.up(await program("attr-starved", { volumeId, timeouts: { create: "1s" } })));
        assert.deepEqual(outcome(resumed), ["update", true, undefined]);
      },
    });

    scenario({
      name: "throttling of DescribeSnapshots that outlasts the wait records the pending snapshot, and the next up completes it",
      async run(s) {
        const volumeId = await seedVolume(s.world.ec2);
        s.pending([volumeId], 1);
        const throttle = s.inject({ kind: "error", action: "DescribeSnapshots", code: "RequestLimitExceeded", times: Number.POSITIVE_INFINITY });
        const failed = only(await s.up(await program("wait-starved", { volumeId, timeouts: { create: "1s" } })));
        assert.deepEqual([failed.op, failed.ok], ["create", false]);
        const partial = recorded(s, "wait-starved");
        assert.deepEqual([partial.outputs.state, partial.initErrors?.length], ["pending", 1]);
        throttle.remove();
        const resumed = only(await s.up(await program("wait-starved", { volumeId, timeouts: { create: "1s" } })));
        assert.deepEqual(outcome(resumed), ["update", true, undefined]);
        assert.deepEqual([recorded(s, "wait-starved").id, recorded(s, "wait-starved").outputs.state], [partial.id, "completed"]);
      },
    });
  });

  describe("EC2 refusing the create for the volume's limits", function () {
    for (const code of CREATE_REFUSALS) {
      scenario({
        name: `CreateSnapshot refused twice with ${code} is retried and makes exactly one snapshot`,
        async run(s) {
          const volumeId = await seedVolume(s.world.ec2);
          const refusal = s.inject({ kind: "error", action: "CreateSnapshot", code, times: 2 });
          await createdOnce(s, "refused", { volumeId });
          assert.equal(refusal.hits, 2);
          assert.deepEqual(
            s.world.proxy.requestsFor("CreateSnapshot").map((r) => r.fault ?? "forwarded"),
            [`error:${code}`, `error:${code}`, "forwarded"],
          );
        },
      });
    }
  });

  describe("connection resets", function () {
    for (const phase of ["before-forward", "after-forward"] as const) {
      scenario({
        name: `a CreateSnapshot connection reset ${phase === "before-forward" ? "before EC2 saw it" : "after EC2 acted (answer lost)"} makes exactly one snapshot`,
        async run(s) {
          const volumeId = await seedVolume(s.world.ec2);
          s.inject({ kind: "reset", action: "CreateSnapshot", phase });
          await createdOnce(s, "reset", { volumeId, tags: { team: "storage" } });
          assert.equal(forwardedCreates(s, volumeId), 1);
          assert.deepEqual(
            s.world.proxy.requestsFor("CreateSnapshot").map((r) => r.fault ?? "answered"),
            phase === "before-forward" ? ["reset:before-forward", "answered"] : ["reset:after-forward"],
          );
        },
      });
    }

    scenario({
      name: "connection resets on DescribeSnapshots and CreateTags (after EC2 acted) are retried through",
      async run(s) {
        const volumeId = await seedVolume(s.world.ec2);
        s.pending([volumeId], 2);
        s.inject({ kind: "reset", action: "DescribeSnapshots", phase: "before-forward", times: 2 });
        s.inject({ kind: "reset", action: "CreateTags", phase: "after-forward" });
        await createUpdateRefresh(s, "reset-calls", volumeId);
      },
    });

    scenario({
      name: "a DeleteSnapshot whose answer is lost after EC2 deleted counts as deleted",
      async run(s) {
        const volumeId = await seedVolume(s.world.ec2);
        await createdOnce(s, "reset-delete", { volumeId });
        s.inject({ kind: "reset", action: "DeleteSnapshot", phase: "after-forward" });
      },
      destroyUnderFaults: true,
      afterDestroy(s) {
        assert.deepEqual(
          s.world.proxy.requestsFor("DeleteSnapshot").map((r) => [r.fault ?? "answered", r.status]),
          [
            ["reset:after-forward", 0],
            ["answered", 400],
          ],
        );
      },
    });
  });

  describe(`answers slower than the socket timeout (${SLOW_REQUEST_TIMEOUT_MS} ms)`, function () {
    scenario({
      name: "a CreateSnapshot answer held past the socket timeout, after EC2 acted, is adopted: exactly one snapshot",
      async run(s) {
        s.useHost(rw.slow);
        const volumeId = await seedVolume(s.world.ec2);
        s.inject({ kind: "delay", action: "CreateSnapshot", ms: 3 * SLOW_REQUEST_TIMEOUT_MS, forwardFirst: true });
        await createdOnce(s, "slow-create", { volumeId });
        assert.equal(forwardedCreates(s, volumeId), 1);
      },
    });

    scenario({
      name: "a CreateSnapshot held past the socket timeout before EC2 saw it is sent again: exactly one snapshot",
      async run(s) {
        s.useHost(rw.slow);
        const volumeId = await seedVolume(s.world.ec2);
        s.inject({ kind: "delay", action: "CreateSnapshot", ms: 3 * SLOW_REQUEST_TIMEOUT_MS, forwardFirst: false });
        await createdOnce(s, "slow-unsent", { volumeId });
        assert.equal(s.world.proxy.requestsFor("CreateSnapshot").length, 2);
      },
    });

    scenario({
      name: "slow DescribeSnapshots, CreateTags and DeleteSnapshot answers are retried through",
      async run(s) {
        s.useHost(rw.slow);
        const volumeId = await seedVolume(s.world.ec2);
        s.pending([volumeId], 1);
        for (const action of ["DescribeSnapshots", "CreateTags", "DeleteSnapshot"]) {
          s.inject({ kind: "delay", action, ms: 3 * SLOW_REQUEST_TIMEOUT_MS, forwardFirst: true });
        }
        await createUpdateRefresh(s, "slow-calls", volumeId);
      },
      destroyUnderFaults: true,
      afterDestroy(s) {
        assert.deepEqual(
          s.world.proxy.requestsFor("DeleteSnapshot").map((r) => [r.fault ?? "answered", r.status]),
          [
            [`delay:${3 * SLOW_REQUEST_TIMEOUT_MS}ms`, 0],
            ["answered", 400],
          ],
        );
      },
    });
  });

  describe("eventual consistency right after create", function () {
    scenario({
      name: "a new snapshot missing from DescribeSnapshots for 3 lookups is waited for, not lost or duplicated",
      async run(s) {
        const volumeId = await seedVolume(s.world.ec2);
        s.pending([volumeId], 1);
        s.hide([volumeId], 3);
        await createUpdateRefresh(s, "shy", volumeId);
      },
    });

    scenario({
      name: "InvalidSnapshot.NotFound from DescribeSnapshotAttribute right after create still records the product codes",
      async run(s) {
        const volumeId = await seedVolume(s.world.ec2);
        s.world.proxy.enrich(volumeId, { productCodes: [{ id: "8fjvgz4q2a3zq1wyp6cjvbn3x", type: "marketplace" }] });
        s.inject({ kind: "error", action: "DescribeSnapshotAttribute", code: "InvalidSnapshot.NotFound", times: 1 });
        const resource = await createdOnce(s, "codes", { volumeId });
        assert.deepEqual(resource.outputs.productCodes, [{ productCodeId: "8fjvgz4q2a3zq1wyp6cjvbn3x", productCodeType: "marketplace" }]);
      },
    });

    scenario({
      name: "a lost CreateSnapshot answer while the new snapshot is not yet visible leaves no duplicate behind",
      async run(s) {
        const volumeId = await seedVolume(s.world.ec2);
        s.inject({ kind: "reset", action: "CreateSnapshot", phase: "after-forward" });
        s.hide([volumeId], 2);
        const resource = await createdOnce(s, "lost-and-shy", { volumeId });
        assert.equal(resource.outputs.state, "completed");
      },
    });
  });

  describe("snapshots that end in error", function () {
    scenario({
      name: "a snapshot that ends in error is deleted and the create fails with EC2's reason; the next up makes a good one",
      async run(s) {
        const volumeId = await seedVolume(s.world.ec2);
        const rule = s.endInError([volumeId], "The volume is impaired");
        const failed = only(await s.up(await program("doomed", { volumeId })));
        assert.deepEqual([failed.op, failed.ok], ["create", false]);
        assert.match(
          failed.error?.message ?? "",
          new RegExp(
            `^Snapshot "doomed": snapshot snap-[0-9a-f]{17} of volume ${volumeId} failed \\(state error: The volume is impaired\\)\\. It was deleted, so nothing of this create is left\\. Check the volume, then run \`pulumi up\` again\\.$`,
          ),
        );
        assert.deepEqual(s.deployment.state.resources, {});
        assert.deepEqual(await snapshotsOf(volumeId), []);
        rule.remove();
        await createdOnce(s, "doomed", { volumeId });
      },
    });

    scenario({
      name: "a snapshot that ends in error while an update resumes the wait is recorded as failed and replaced on the next up",
      async run(s) {
        const volumeId = await seedVolume(s.world.ec2);
        s.endInError([volumeId], "The volume is impaired", 2);
        const started = only(await s.up(await program("late-error", { volumeId, waitForCompletion: false })));
        assert.deepEqual(outcome(started), ["create", true, undefined]);
        const first = recorded(s, "late-error");
        assert.equal(first.outputs.state, "pending");
        const failed = only(await s.up(await program("late-error", { volumeId })));
        assert.deepEqual([failed.op, failed.ok], ["update", false]);
        assert.deepEqual([recorded(s, "late-error").id, recorded(s, "late-error").outputs.state], [first.id, "error"]);
        s.quiesce();
        const replaced = only(await s.up(await program("late-error", { volumeId })));
        assert.deepEqual(outcome(replaced), ["replace", true, undefined]);
        const second = recorded(s, "late-error");
        assert.notEqual(second.id, first.id);
        assert.deepEqual(await snapshotsOf(volumeId), [second.id]);
      },
    });

    scenario({
      name: "a snapshot in error that cannot be deleted (AMI holds it) is recorded, and replaced once the AMI is gone",
      async run(s) {
        const volumeId = await seedVolume(s.world.ec2);
        s.endInError([volumeId], "The volume is impaired");
        const inUse = s.inject({ kind: "error", action: "DeleteSnapshot", code: "InvalidSnapshot.InUse", times: Number.POSITIVE_INFINITY });
        const failed = only(await s.up(await program("stuck", { volumeId, timeouts: { delete: "1s" } })));
        assert.deepEqual([failed.op, failed.ok], ["create", false]);
        const stuck = recorded(s, "stuck");
        assert.deepEqual([stuck.outputs.state, await snapshotsOf(volumeId)], ["error", [stuck.id]]);
        inUse.remove();
        s.quiesce();
        const replaced = only(await s.up(await program("stuck", { volumeId, timeouts: { delete: "1s" } })));
        assert.deepEqual(outcome(replaced), ["replace", true, undefined]);
        assert.deepEqual(await snapshotsOf(volumeId), [recorded(s, "stuck").id]);
      },
    });
  });

  describe("deadline overrun (partial state), then an update that completes it", function () {
    scenario({
      name: "a snapshot still pending at the create deadline is recorded, and the next up waits for it",
      async run(s) {
        const volumeId = await seedVolume(s.world.ec2);
        const hold = s.hold([volumeId]);
        const failed = only(await s.up(await program("overrun", { volumeId, timeouts: { create: "500ms" } })));
        assert.deepEqual([failed.op, failed.ok], ["create", false]);
        const partial = recorded(s, "overrun");
        assert.deepEqual([partial.outputs.state, hold.snapshotIds], ["pending", [partial.id]]);
        hold.release();
        const resumed = only(await s.up(await program("overrun", { volumeId, timeouts: { create: "500ms" } })));
        assert.deepEqual(outcome(resumed), ["update", true, undefined]);
        assert.deepEqual([recorded(s, "overrun").id, recorded(s, "overrun").outputs.state], [partial.id, "completed"]);
      },
    });

    scenario({
      name: "a snapshot recorded at the create deadline can be refreshed and destroyed without another up",
      async run(s) {
        const volumeId = await seedVolume(s.world.ec2);
        const hold = s.hold([volumeId]);
        const failed = only(await s.up(await program("overrun-refresh", { volumeId, timeouts: { create: "500ms" } })));
        assert.deepEqual([failed.op, failed.ok], ["create", false]);
        hold.release();
        const [refreshed] = await s.refresh();
        assert.deepEqual(outcome(refreshed), ["refresh", true, undefined]);
        assert.equal(recorded(s, "overrun-refresh").outputs.state, "completed");
      },
    });

    scenario({
      name: "a create deadline that cuts off CreateSnapshot after EC2 acted records the snapshot it made",
      async run(s) {
        const volumeId = await seedVolume(s.world.ec2);
        s.inject({ kind: "delay", action: "CreateSnapshot", ms: 2_000, forwardFirst: true });
        const failed = only(await s.up(await program("cut-off", { volumeId, timeouts: { create: "500ms" } })));
        assert.deepEqual([failed.op, failed.ok], ["create", false]);
        const [made] = await snapshotsOf(volumeId);
        assert.equal(recorded(s, "cut-off").id, made);
        const resumed = only(await s.up(await program("cut-off", { volumeId, timeouts: { create: "500ms" } })));
        assert.deepEqual(outcome(resumed), ["update", true, undefined]);
        assert.deepEqual(await snapshotsOf(volumeId), [made]);
      },
    });

    scenario({
      name: "a create deadline that cuts off CreateSnapshot before EC2 saw it records nothing, and the next up creates",
      async run(s) {
        const volumeId = await seedVolume(s.world.ec2);
        s.inject({ kind: "delay", action: "CreateSnapshot", ms: 1_500, forwardFirst: false });
        const failed = only(await s.up(await program("never-sent", { volumeId, timeouts: { create: "500ms" } })));
        assert.deepEqual([failed.op, failed.ok], ["create", false]);
        assert.match(
          failed.error?.message ?? "",
          /did not finish within its 500ms timeout\. No snapshot of this create was found \(searched by its create token\)\. Raise timeouts\.create/,
        );
        assert.deepEqual(s.deployment.state.resources, {});
        await createdOnce(s, "never-sent", { volumeId, timeouts: { create: "500ms" } });
      },
    });
  });

  describe("the host killed mid-operation, then a fresh host given the recorded state", function () {
    scenario({
      name: "a host killed while an update waits; a fresh host refreshes and completes the snapshot from the recorded state",
      async run(s) {
        const volumeId = await seedVolume(s.world.ec2);
        s.pending([volumeId], 3);
        const started = only(await s.up(await program("kill-wait", { volumeId, waitForCompletion: false })));
        assert.deepEqual(outcome(started), ["create", true, undefined]);
        const pending = recorded(s, "kill-wait");
        await s.continueOnFreshHost();
        const interrupted = only(await s.killWhen(/^Snapshot "kill-wait": snap-\S+ \d+% pending/, async () => s.up(await program("kill-wait", { volumeId }))));
        assert.deepEqual([interrupted.op, interrupted.ok], ["update", false]);
        assert.ok(interrupted.error instanceof HostCallError && interrupted.error.code === grpc.status.UNAVAILABLE, String(interrupted.error));
        assert.deepEqual([recorded(s, "kill-wait").id, recorded(s, "kill-wait").outputs.state], [pending.id, "pending"]);
        await s.continueOnFreshHost();
        const [refreshed] = await s.refresh();
        assert.deepEqual(outcome(refreshed), ["refresh", true, undefined]);
        const resumed = only(await s.up(await program("kill-wait", { volumeId })));
        assert.deepEqual(outcome(resumed), ["update", true, undefined]);
        assert.deepEqual([recorded(s, "kill-wait").id, recorded(s, "kill-wait").outputs.state], [pending.id, "completed"]);
        assert.deepEqual(await snapshotsOf(volumeId), [pending.id]);
      },
    });
    scenario({
      name: "a host killed while DeleteSnapshot is in flight (EC2 acted); a fresh host's refresh drops the snapshot from state",
      async run(s) {
        const volumeId = await seedVolume(s.world.ec2);
        const created = await createdOnce(s, "kill-delete", { volumeId });
        await s.continueOnFreshHost();
        s.inject({ kind: "delay", action: "DeleteSnapshot", ms: 2_000, forwardFirst: true });
        const [interrupted] = await s.killWhenRequested("DeleteSnapshot", () => s.destroy());
        assert.deepEqual([interrupted.op, interrupted.ok], ["delete", false]);
        assert.equal(recorded(s, "kill-delete").id, created.id, "an interrupted delete keeps the snapshot in state");
        assert.deepEqual(await snapshotsOf(volumeId), []);
        await s.continueOnFreshHost();
        const [refreshed] = await s.refresh();
        assert.deepEqual(outcome(refreshed), ["refresh", true, undefined]);
        assert.deepEqual(s.deployment.state.resources, {});
      },
    });
  });

  describe("changes made outside Pulumi, then refresh and update", function () {
    scenario({
      name: "a snapshot deleted outside Pulumi is dropped by refresh and made again by up",
      async run(s) {
        const volumeId = await seedVolume(s.world.ec2);
        const first = await createdOnce(s, "deleted", { volumeId });
        await s.outOfBand("delete", async () => {
          await s.world.ec2.send(new DeleteSnapshotCommand({ SnapshotId: first.id }));
        });
        const [refreshed] = await s.refresh();
        assert.deepEqual(outcome(refreshed), ["refresh", true, undefined]);
        assert.deepEqual(s.deployment.state.resources, {});
        const again = await createdOnce(s, "deleted", { volumeId });
        assert.notEqual(again.id, first.id);
      },
    });

    scenario({
      name: "tags changed outside Pulumi show after refresh and are put back by up",
      async run(s) {
        const volumeId = await seedVolume(s.world.ec2);
        const first = await createdOnce(s, "retagged", { volumeId, tags: { team: "storage", env: "prod" } });
        await s.outOfBand("tags", async () => {
          await s.world.ec2.send(
            new CreateTagsCommand({
              Resources: [first.id],
              Tags: [
                { Key: "team", Value: "intruder" },
                { Key: "extra", Value: "1" },
              ],
            }),
          );
          await s.world.ec2.send(new DeleteTagsCommand({ Resources: [first.id], Tags: [{ Key: "env" }] }));
        });
        await s.refresh();
        assert.deepEqual(recorded(s, "retagged").outputs.tags, { extra: "1", team: "intruder" });
        const restored = only(await s.up(await program("retagged", { volumeId, tags: { team: "storage", env: "prod" } })));
        assert.deepEqual(outcome(restored), ["update", true, undefined]);
        const [snapshot] = (await allSnapshots(s.world.ec2)).filter((x) => x.SnapshotId === first.id);
        const { [TOKEN_TAG]: _token, ...userTags } = tagsOf(snapshot);
        assert.deepEqual(userTags, { env: "prod", team: "storage" });
      },
    });

    scenario({
      name: "a snapshot of the same volume made outside Pulumi is never adopted or deleted, even after a lost create answer",
      async run(s) {
        const volumeId = await seedVolume(s.world.ec2);
        const foreign = await s.world.ec2.send(
          new CreateSnapshotCommand({ VolumeId: volumeId, TagSpecifications: [{ ResourceType: "snapshot", Tags: [{ Key: "team", Value: "storage" }] }] }),
        );
        s.foreign.add(foreign.SnapshotId ?? "");
        s.inject({ kind: "reset", action: "CreateSnapshot", phase: "after-forward" });
        const step = only(await s.up(await program("neighbour", { volumeId, tags: { team: "storage" } })));
        assert.deepEqual(outcome(step), ["create", true, undefined]);
        assert.notEqual(recorded(s, "neighbour").id, foreign.SnapshotId);
        assert.deepEqual(await snapshotsOf(volumeId), [foreign.SnapshotId ?? "", recorded(s, "neighbour").id].sort());
      },
    });

    const fiftyTags = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${String(i).padStart(2, "0")}`, "v"]));
    for (const phase of ["before-forward", "after-forward"] as const) {
      scenario({
        name: `with all 50 tags taken (no create token), a CreateSnapshot reset ${phase} never adopts an identical snapshot made outside Pulumi`,
        async run(s) {
          const volumeId = await seedVolume(s.world.ec2);
          const foreign = await s.world.ec2.send(
            new CreateSnapshotCommand({
              VolumeId: volumeId,
              Description: "nightly",
              TagSpecifications: [{ ResourceType: "snapshot", Tags: Object.entries(fiftyTags).map(([Key, Value]) => ({ Key, Value })) }],
            }),
          );
          s.foreign.add(foreign.SnapshotId ?? "");
          s.inject({ kind: "reset", action: "CreateSnapshot", phase });
          const step = only(await s.up(await program("twin", { volumeId, description: "nightly", tags: fiftyTags })));
          assert.deepEqual(outcome(step), ["create", true, undefined]);
          const mine = recorded(s, "twin").id;
          assert.notEqual(mine, foreign.SnapshotId, "the provider recorded the snapshot made outside Pulumi as its own");
          assert.deepEqual(await snapshotsOf(volumeId), [foreign.SnapshotId ?? "", mine].sort());
        },
      });
    }
  });

  describe("faults mixed at random (fixed seed)", function () {
    faultMixes("Snapshot", 6).forEach((mix, index) => {
      scenario({
        name: `mix ${index + 1}: ${describeMix(mix)}`,
        async run(s) {
          const volumeId = await attachedVolume();
          s.pending([volumeId], 2);
          injectMix(s, "Snapshot", mix, [volumeId], [volumeId]);
          const name = `mix-${index + 1}`;
          await s.up(await program(name, { volumeId, tags: { team: "storage", env: "test" } }));
          await s.up(await program(name, { volumeId, tags: { team: "platform" } }));
          await s.refresh();
          s.quiesce();
          const settled = only(await s.up(await program(name, { volumeId, tags: { team: "platform" } })));
          assert.equal(settled.ok, true, String(settled.error));
          const resource = recorded(s, name);
          assert.deepEqual([resource.outputs.state, resource.outputs.tags], ["completed", { team: "platform" }]);
          assert.deepEqual(await snapshotsOf(volumeId), [resource.id]);
        },
      });
    });
  });

  describe("a create that never returned", function () {
    scenario({
      name: "a host killed while the first create waits; the next up, on a fresh host, resumes the snapshot it started",
      async run(s) {
        const volumeId = await seedVolume(s.world.ec2);
        s.pending([volumeId], 3);
        await s.continueOnFreshHost();
        const interrupted = only(await s.killWhen(/^Snapshot "orphan": snap-\S+ \d+% pending/, async () => s.up(await program("orphan", { volumeId, tags: { team: "storage" } }))));
        // The create never returned: no state records the snapshot, which carries the in-flight token.
        assert.deepEqual([interrupted.op, interrupted.ok], ["create", false]);
        assert.deepEqual(s.deployment.state.resources, {});
        const [orphan, ...others] = await snapshotsOf(volumeId);
        assert.deepEqual(others, []);
        await s.continueOnFreshHost();
        // The program changed a tag meanwhile: the resumed snapshot takes the tags wanted now.
        const resumed = only(await s.up(await program("orphan", { volumeId, tags: { team: "platform" } })));
        assert.deepEqual(outcome(resumed), ["create", true, undefined]);
        const resource = recorded(s, "orphan");
        assert.deepEqual([resource.id, resource.outputs.state, resource.outputs.tags], [orphan, "completed", { team: "platform" }]);
        assert.deepEqual(await snapshotsOf(volumeId), [orphan]);
        const [snapshot] = (await allSnapshots(s.world.ec2)).filter((x) => x.SnapshotId === orphan);
        assert.match(tagsOf(snapshot)[TOKEN_TAG] ?? "", /^[0-9a-f-]{36}$/);
      },
    });
  });
});
