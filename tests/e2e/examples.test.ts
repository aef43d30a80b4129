import * as assert from "node:assert/strict";
import { assertOk, CliWorld, type CliRun, type CliStack } from "../support/cliWorld";
import { TEST_CREDENTIALS } from "../../harness/engineWorld";
import { allSnapshots, KMS_KEY_ARN, seedInstance, seedVolume } from "../../harness/seed";
import { exampleNames } from "../support/examplesHarness";

interface ExampleCase {
  name: string;
  /** Seeds what the example snapshots and returns its stack config. */
  seed(world: CliWorld): Promise<Record<string, string>>;
  /** The names of the resources the example declares. */
  resources: string[];
}

const EXAMPLES: ExampleCase[] = [
  {
    name: "backup",
    resources: ["db-server", "archive"],
    async seed(world) {
      const instance = await seedInstance(world.ec2, [{ size: 100 }, { size: 50, encrypted: true }]);
      const archive = await seedVolume(world.ec2, { size: 200, encrypted: true });
      world.proxy.enrich(archive, { kmsKeyId: KMS_KEY_ARN, storageTier: "standard", productCodes: [{ id: "2qbrqa8lrc2e7ad1ojrmnd0ba", type: "marketplace" }] });
      return { "ebs-backup:instanceId": instance.instanceId, "ebs-backup:archiveVolumeId": archive };
    },
  },
  {
    name: "snapshot",
    resources: ["volume-snapshot"],
    async seed(world) {
      return { "ebs-snapshot:volumeId": await seedVolume(world.ec2, { size: 20 }) };
    },
  },
  {
    name: "dr-copy",
    resources: ["nightly", "offsite"],
    async seed(world) {
      // The copy stays in the test's region, where this suite counts what EC2 holds; the engine tests copy across regions.
      return { "ebs-dr-copy:volumeId": await seedVolume(world.ec2, { size: 20 }), "ebs-dr-copy:copyRegion": "us-east-1" };
    },
  },
  {
    name: "share",
    resources: ["shared"],
    async seed(world) {
      const volumeId = await seedVolume(world.ec2, { size: 20, encrypted: true });
      world.proxy.enrich(volumeId, { kmsKeyId: KMS_KEY_ARN });
      return { "ebs-share:volumeId": volumeId, "ebs-share:shareWith": "111122223333" };
    },
  },
  {
    name: "snapshot-set",
    resources: ["instance-snapshots"],
    async seed(world) {
      const instance = await seedInstance(world.ec2);
      return { "ebs-snapshot-set:instanceId": instance.instanceId };
    },
  },
];

/**
 * Examples this suite does not run, each with why and where it is covered instead: every other folder
 * under examples/ must be in EXAMPLES.
 */
const NOT_RUN_HERE: Record<string, string> = {
  "aws-volume": "its @pulumi/aws plugin cannot be built here; tests/unit/examples.test.ts runs it under mocks",
  protect: "its snapshot is locked, so destroy is refused, as the example means it to be; tests/e2e/protection.test.ts runs it through the CLI",
  restore: "it restores volumes onto a second instance, which the checks below (snapshots only) cannot see; tests/e2e/restore.test.ts runs it through the CLI",
};

/** The project name each example's Pulumi.yaml declares, which prefixes its config keys. */
const PROJECTS: Record<string, string> = { backup: "ebs-backup", snapshot: "ebs-snapshot", "dr-copy": "ebs-dr-copy", share: "ebs-share", "snapshot-set": "ebs-snapshot-set" };

function opsByName(run: CliRun): Record<string, string[]> {
  const ops: Record<string, string[]> = {};
  for (const step of run.steps) {
    (ops[step.name] ??= []).push(step.op);
  }
  return ops;
}

/**
 * Every example program (compiled, installed from the packed package into a consumer project) through
 * the real Pulumi CLI against moto. Snapshots pend for two polls, and the archive volume's KMS key and
 * product code are reported, by the fault proxy (moto reports every snapshot completed at once and
 * copies neither field).
 *
 * examples/aws-volume is not run here: it creates its volume with @pulumi/aws, whose engine plugin
 * (pulumi-resource-aws) is downloaded from get.pulumi.com and cannot be built from the Go module proxy,
 * so no machine of this kind can run it. It is type-checked and run under mocks in tests/unit/examples.test.ts.
 *
 * examples/protect is not run here either: it locks its snapshot in governance mode for days, so the
 * destroy below is refused while the lock holds. tests/e2e/protection.test.ts runs it through the CLI
 * instead, destroy refused and then, once the lock has expired (proxy), nothing left.
 */
describe("examples under the real Pulumi CLI", function () {
  this.timeout(600_000);
  let world: CliWorld;

  before(async function () {
    world = await CliWorld.start();
  });

  after(async function () {
    await world?.stop();
  });

  it("runs every example folder, but those NOT_RUN_HERE names with where they run instead", function () {
    assert.deepEqual([...EXAMPLES.map((e) => e.name), ...Object.keys(NOT_RUN_HERE)].sort(), exampleNames());
  });

  for (const example of EXAMPLES) {
    it(`${example.name}: preview, up, no diff after up and after refresh, destroy, nothing left and no credential anywhere`, async function () {
      // given the example's EC2 resources, snapshots that pend for two polls (proxy), and a fresh stack
      await world.moto.reset();
      world.proxy.reset();
      const config = await example.seed(world);
      world.proxy.progressNewSnapshots({ pendingDescribes: 2 });
      const stack: CliStack = await world.newStack({ project: PROJECTS[example.name], program: world.exampleProgram(example.name), config });
      const transcript: string[] = [];
      const run = async (what: string, command: Promise<CliRun>): Promise<CliRun> => {
        const result = await command;
        transcript.push(result.output, result.error ?? "");
        assertOk(result, what);
        return result;
      };

      // when it is previewed before anything exists
      const firstPreview = await run("the first preview", stack.preview());
      // then every resource is a create, and EC2 saw no mutating call
      assert.deepEqual(opsByName(firstPreview), Object.fromEntries(example.resources.map((name) => [name, ["create"]])));
      assert.deepEqual(
        world.proxy.requests.filter((r) => !r.action.startsWith("Describe")).map((r) => r.action),
        [],
      );
      assert.equal((await allSnapshots(world.ec2)).length, 0);

      // when it is deployed
      await run("up", stack.up());
      const recorded = await stack.snapshots();
      assert.deepEqual([...recorded.keys()].sort(), [...example.resources].sort());
      const recordedIds = [...recorded.values()].flatMap((r) => (Array.isArray(r.outputs?.snapshotIds) ? (r.outputs.snapshotIds as string[]) : [r.id ?? ""])).sort();
      const inEc2 = await allSnapshots(world.ec2);
      // then EC2 holds exactly the snapshots the state records, each completed
      assert.deepEqual(inEc2.map((s) => s.SnapshotId).sort(), recordedIds);
      for (const resource of recorded.values()) {
        assert.equal(resource.outputs?.state, "completed", `${resource.urn} is ${String(resource.outputs?.state)}`);
        assert.equal(resource.initErrors, undefined);
      }

      // then a preview finds nothing to do, before and after a refresh, and the refresh changes no output
      const steady = await run("preview --expect-no-changes after up", stack.preview({ expectNoChanges: true, diff: true }));
      assert.ok(
        steady.steps.every((s) => s.op === "same"),
        JSON.stringify(steady.steps),
      );
      await run("refresh", stack.refresh({ expectNoChanges: true }));
      const refreshed = await stack.snapshots();
      for (const [name, resource] of recorded) {
        assert.deepEqual(refreshed.get(name)?.outputs, resource.outputs, `refresh changed the outputs of ${name}`);
      }
      await run("preview --expect-no-changes after refresh", stack.preview({ expectNoChanges: true, diff: true }));

      // when it is destroyed
      await run("destroy", stack.destroy());
      // then nothing is left, in EC2 or in state
      assert.deepEqual(
        (await allSnapshots(world.ec2)).map((s) => s.SnapshotId),
        [],
      );
      assert.equal((await stack.snapshots()).size, 0);
      // and no credential appears in the state, the CLI's output or the backend's files
      const everything = [JSON.stringify(await stack.stack.exportStack()), stack.backendText(), ...transcript].join("\n");
      for (const secret of [TEST_CREDENTIALS.accessKeyId, TEST_CREDENTIALS.secretAccessKey]) {
        assert.ok(!everything.includes(secret), `a credential appears in the state, output or backend of ${example.name}`);
      }
    });
  }
});
