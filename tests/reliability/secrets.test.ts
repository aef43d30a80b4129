import * as assert from "node:assert/strict";
import { Snapshot, SnapshotSet, VolumeSet, type SnapshotArgs, type SnapshotSetArgs, type VolumeSetArgs } from "../../sdk";
import type { ProgramResource, Step } from "../../harness/deployment";
import { TEST_CREDENTIALS } from "../../harness/engineWorld";
import { runScenario, urnOf, type ScenarioSpec } from "../support/reliabilityScenario";
import { ReliabilityWorld } from "../support/reliabilityWorld";
import { AVAILABILITY_ZONE, REGION, seedInstance, seedVolume } from "../../harness/seed";
import { seedRestore } from "../support/reliabilityVolumes";

const SUITE = "secrets";

/** Credentials in the stack's configuration, besides the ones in the host's environment (TEST_CREDENTIALS). */
const STACK_CREDENTIALS = {
  accessKey: "AKIASTACKCONFIG00KEY",
  secretKey: "stack/Config+Secret0Key/ForTheEmulator9",
  token: "IQoJb3JpZ2luX2VjEStackConfigSessionToken0123456789abcdefEXAMPLE==",
};

/**
 * Credentials in the environment and in stack config (aws:accessKey, aws:secretKey, aws:token), and
 * scenarios that go through success, failure, partial state, a host kill and destroy. runScenario scans
 * the state after every command (inputs, outputs, `__provider` text), every line the hosts wrote and
 * every error message for each credential value; any hit fails the scenario and counts in secrets_found.
 */
describe("Reliability: credentials never reach state, output or errors", function () {
  let rw: ReliabilityWorld;

  before(async function () {
    rw = await ReliabilityWorld.start({
      freshHosts: 2,
      slowHost: false,
      tapCredentials: true,
      config: { "aws:region": REGION, "aws:accessKey": STACK_CREDENTIALS.accessKey, "aws:secretKey": STACK_CREDENTIALS.secretKey, "aws:token": STACK_CREDENTIALS.token },
      secrets: [...Object.values(TEST_CREDENTIALS), ...Object.values(STACK_CREDENTIALS)],
    });
  });

  after(async function () {
    await rw?.stop();
  });

  function scenario(spec: ScenarioSpec): void {
    it(spec.name, async function () {
      const signedBefore = rw.tap?.accessKeys.length ?? 0;
      await runScenario(rw.world, rw.hosts, SUITE, spec);
      // The stack's key, not the environment's, signed every request: the scan looked for the credential in use.
      const signers = new Set(rw.tap?.accessKeys.slice(signedBefore));
      assert.deepEqual([...signers], [STACK_CREDENTIALS.accessKey]);
    });
  }

  function snapshot(name: string, args: SnapshotArgs): () => void {
    return () => {
      new Snapshot(name, { ...args });
    };
  }

  async function program(...parts: (() => void)[]): Promise<ProgramResource[]> {
    return rw.world.register(() => parts.forEach((part) => part()));
  }

  function outcomes(steps: Step[]): [string, boolean][] {
    return steps.map((step) => [step.op, step.ok]);
  }

  /** Outcomes by resource name: the steps of one up come in registration order, which the program does not fix. */
  function byName(steps: Step[]): Record<string, [string, boolean]> {
    return Object.fromEntries(steps.map((step) => [step.urn.split("::").pop() ?? "", [step.op, step.ok]]));
  }

  scenario({
    name: "Snapshot: create, update, refresh and destroy under throttling keep the credentials out",
    resource: "Snapshot",
    async run(s) {
      const volumeId = await seedVolume(s.world.ec2);
      s.pending([volumeId], 2);
      s.inject({ kind: "error", code: "RequestLimitExceeded", times: 6 });
      assert.deepEqual(outcomes(await s.up(await program(snapshot("kept", { volumeId, tags: { team: "storage" } })))), [["create", true]]);
      assert.deepEqual(outcomes(await s.up(await program(snapshot("kept", { volumeId, tags: { team: "platform" } })))), [["update", true]]);
      assert.deepEqual(outcomes(await s.refresh()), [["refresh", true]]);
    },
  });

  scenario({
    name: "Snapshot: a missing volume, a create timeout under throttling, partial state and a failed snapshot keep the credentials out",
    resource: "Snapshot",
    async run(s) {
      const volumeId = await seedVolume(s.world.ec2);
      const hold = s.hold([volumeId]);
      s.inject({ kind: "error", action: "DescribeSnapshotAttribute", code: "RequestLimitExceeded", times: 3 });
      const parts = [snapshot("missing", { volumeId: "vol-0000000000000000f" }), snapshot("overrun", { volumeId, timeouts: { create: "500ms" } })];
      const first = await s.up(await program(...parts));
      assert.deepEqual(byName(first), { missing: ["create", false], overrun: ["create", false] });
      assert.equal(
        first.find((step) => step.urn === urnOf("Snapshot", "missing"))?.error?.message,
        'Snapshot "missing": volume vol-0000000000000000f does not exist in us-east-1 (EC2 InvalidVolume.NotFound). No snapshot was created. Check volumeId and region.',
      );
      assert.equal(s.deployment.state.resources[urnOf("Snapshot", "overrun")]?.outputs.state, "pending");
      hold.release();
      const errorVolume = await seedVolume(s.world.ec2);
      s.endInError([errorVolume], "The volume is impaired");
      const second = await s.up(await program(snapshot("overrun", { volumeId, timeouts: { create: "500ms" } }), snapshot("failing", { volumeId: errorVolume })));
      assert.deepEqual(byName(second), { overrun: ["update", true], failing: ["create", false] });
    },
  });

  scenario({
    name: "SnapshotSet: a member in error, a good set, a refresh and destroy keep the credentials out",
    resource: "SnapshotSet",
    async run(s) {
      const instance = await seedInstance(s.world.ec2, [{}, { encrypted: true }]);
      const set = (args: SnapshotSetArgs) => () => {
        new SnapshotSet("web", { ...args });
      };
      const rule = s.endInError([instance.dataVolumes[1].volumeId], "The volume is impaired");
      assert.deepEqual(outcomes(await s.up(await program(set({ instanceId: instance.instanceId })))), [["create", false]]);
      rule.remove();
      assert.deepEqual(outcomes(await s.up(await program(set({ instanceId: instance.instanceId, tags: { team: "web" } })))), [["create", true]]);
      assert.deepEqual(outcomes(await s.refresh()), [["refresh", true]]);
    },
  });

  scenario({
    name: "VolumeSet: a volume in error, a restore cut off at its deadline and resumed, a refresh and destroy keep the credentials out",
    resource: "VolumeSet",
    async run(s) {
      const restore = await seedRestore(s);
      const set = (args: Partial<VolumeSetArgs>) => () => {
        new VolumeSet("restore", { snapshots: restore.entries.map((e) => ({ ...e })), availabilityZone: AVAILABILITY_ZONE, attach: { instanceId: restore.targetId }, ...args });
      };
      // (proxy) the volume from the second snapshot ends in error: the create cleans up and fails.
      const rule = s.failVolumes(restore.entries[1].snapshotId);
      assert.deepEqual(outcomes(await s.up(await program(set({ tags: { team: "db" } })))), [["create", false]]);
      rule.remove();
      // (proxy) volumes `creating` for 12 polls of 300 ms each outlast a 1 s create: partial state.
      s.world.proxy.creatingVolumes({ describes: 12 });
      const slow = s.inject({ kind: "delay", action: "DescribeVolumes", ms: 300, times: Number.POSITIVE_INFINITY });
      assert.deepEqual(outcomes(await s.up(await program(set({ tags: { team: "db" }, timeouts: { create: "1s" } })))), [["create", false]]);
      assert.equal(s.deployment.state.resources[urnOf("VolumeSet", "restore")]?.outputs.state, "creating");
      slow.remove();
      assert.deepEqual(outcomes(await s.up(await program(set({ tags: { team: "db" }, timeouts: { create: "1s" } })))), [["update", true]]);
      assert.deepEqual(outcomes(await s.refresh()), [["refresh", true]]);
    },
  });

  scenario({
    name: "Snapshot: a host killed mid-wait and a fresh host configured from the stack keep the credentials out",
    resource: "Snapshot",
    async run(s) {
      const volumeId = await seedVolume(s.world.ec2);
      s.pending([volumeId], 3);
      assert.deepEqual(outcomes(await s.up(await program(snapshot("killed", { volumeId, waitForCompletion: false })))), [["create", true]]);
      await s.continueOnFreshHost();
      const interrupted = await s.killWhen(/^Snapshot "killed": snap-\S+ \d+% pending/, async () => s.up(await program(snapshot("killed", { volumeId }))));
      assert.deepEqual(outcomes(interrupted), [["update", false]]);
      await s.continueOnFreshHost();
      assert.deepEqual(outcomes(await s.refresh()), [["refresh", true]]);
      assert.deepEqual(outcomes(await s.up(await program(snapshot("killed", { volumeId })))), [["update", true]]);
    },
  });
});
