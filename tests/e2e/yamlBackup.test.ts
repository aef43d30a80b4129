import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { CreateTagsCommand, EC2Client, UnlockSnapshotCommand } from "@aws-sdk/client-ec2";
import { TEST_CREDENTIALS } from "../../harness/engineWorld";
import { allSnapshots, REGION, seedInstance, seedVolume, tagsOf, type SeededInstance } from "../../harness/seed";
import { YamlWorld } from "../support/yamlWorld";
import { assertOk, type PulumiProject } from "../support/yamlProject";

const DR_REGION = "us-west-2";

/**
 * examples/yaml-backup, a Pulumi YAML program, through the real CLI, the YAML language host and the
 * plugin `pulumi-resource-ebs-snapshots` (found through the project's `plugins:` entry), as `pulumi`
 * commands in the example's own folder. EC2 is moto behind the fault proxy; Snapshot Lock, which moto
 * lacks, comes from the proxy.
 */
describe("examples/yaml-backup: Pulumi YAML through the real CLI and the plugin", function () {
  this.timeout(240_000);
  let world: YamlWorld;
  let ec2: EC2Client;
  let project: PulumiProject;
  let instance: SeededInstance;
  let logVolumeId: string;

  before(async function () {
    world = await YamlWorld.start("yaml-backup");
    ec2 = world.ec2;
    instance = await seedInstance(ec2, [{}]);
    logVolumeId = await seedVolume(ec2);
    project = await world.project(path.join("examples", "yaml-backup"));
    await project.setConfig("instanceId", instance.instanceId);
    await project.setConfig("logVolumeId", logVolumeId);
    await project.setConfig("drRegion", DR_REGION);
  });

  after(async function () {
    await world?.stop();
  });

  it("previews, then creates the set, the locked snapshot and its copy in the other region", async function () {
    const preview = await project.run(["preview"]);
    assertOk(preview, "preview");
    assert.match(preview.output, /\+\s+ebs-snapshots:index:SnapshotSet\s+database\s+create/);
    assert.match(preview.output, /\+\s+ebs-snapshots:index:Snapshot\s+logs\s+create/);
    assert.match(preview.output, /\+\s+ebs-snapshots:index:SnapshotCopy\s+logsOffsite\s+create/);
    assert.doesNotMatch(preview.output, /warning/i);

    const up = await project.run(["up", "--yes"]);
    assertOk(up, "up");

    const outputs = JSON.parse((await project.run(["stack", "output", "--json"])).stdout) as Record<string, unknown>;
    const setIds = outputs.setSnapshotIds as string[];
    assert.equal(setIds.length, 2);
    assert.equal(outputs.offsiteRegion, DR_REGION);
    const logs = (await allSnapshots(ec2)).find((s) => s.SnapshotId === outputs.logSnapshotId);
    assert.equal(logs?.VolumeId, logVolumeId);
    assert.equal(tagsOf(logs).Team, "storage");
    // the lock is the proxy's (moto has no Snapshot Lock)
    assert.equal(world.proxy.count("LockSnapshot"), 1);
    const west = new EC2Client({ region: DR_REGION, endpoint: world.moto.endpoint, credentials: TEST_CREDENTIALS });
    try {
      assert.equal((await allSnapshots(west)).filter((s) => s.SnapshotId === outputs.offsiteSnapshotId).length, 1);
    } finally {
      west.destroy();
    }
  });

  it("shows no diff after up, nor after a refresh", async function () {
    assertOk(await project.run(["preview", "--expect-no-changes"]), "preview --expect-no-changes after up");
    assertOk(await project.run(["refresh", "--yes"]), "refresh");
    assertOk(await project.run(["preview", "--expect-no-changes"]), "preview --expect-no-changes after refresh");
  });

  it("shows tag drift found by a refresh as the one tag it puts back, and puts it back", async function () {
    // given a tag of the log snapshot changed outside Pulumi
    const outputs = JSON.parse((await project.run(["stack", "output", "--json"])).stdout) as Record<string, string>;
    await ec2.send(new CreateTagsCommand({ Resources: [outputs.logSnapshotId], Tags: [{ Key: "Team", Value: "someone-else" }] }));
    // when a refresh records it, and the pull request's preview runs
    assertOk(await project.run(["refresh", "--yes"]), "refresh");
    const preview = await project.run(["preview", "--diff"]);
    // then the diff names that tag and the value it will put back, and nothing else
    assertOk(preview, "preview --diff after drift");
    assert.match(preview.output, /~ tags: \{\s*~ Team: "someone-else" => "storage"\s*\}/);
    assert.match(preview.output, /~ 1 to update/);
    assertOk(await project.run(["up", "--yes"]), "up that puts the tag back");
    assert.equal(tagsOf((await allSnapshots(ec2)).find((s) => s.SnapshotId === outputs.logSnapshotId)).Team, "storage");
    assertOk(await project.run(["preview", "--expect-no-changes"]), "preview after the drift is put back");
  });

  it("names only the changed tag in `preview --diff`, and applies it in place", async function () {
    await project.setConfig("team", "platform");
    const preview = await project.run(["preview", "--diff"]);
    assertOk(preview, "preview --diff");
    assert.match(preview.output, /~\s+ebs-snapshots:index:Snapshot: \(update\)/);
    assert.match(preview.output, /~ tags\s*:\s*\{\s*~ Team: "storage" => "platform"/);
    // only the tag: no output listed as removed, no other input
    assert.doesNotMatch(preview.output, /- arn|- state|- progress|~ volumeId|~ description|~ sourceSnapshotId|replace/);
    assertOk(await project.run(["up", "--yes"]), "up with the new tag");
    assertOk(await project.run(["preview", "--expect-no-changes"]), "preview after the tag change");
  });

  it("shows a volume change as a replace whose only listed property is the volume", async function () {
    const other = await seedVolume(ec2);
    await project.setConfig("logVolumeId", other);
    try {
      const preview = await project.run(["preview", "--diff"]);
      assertOk(preview, "preview --diff of a volume change");
      assert.match(preview.output, /\+-\s*ebs-snapshots:index:Snapshot: \(replace\)/);
      assert.match(preview.output, new RegExp(`~ volumeId\\s*: "${logVolumeId}" => "${other}"`));
      assert.doesNotMatch(preview.output, /- arn|- state|- progress|- snapshotId/);
    } finally {
      await project.setConfig("logVolumeId", logVolumeId);
    }
  });

  it("destroys all it made once the governance lock is lifted as the provider advises, and leaves no credential in state or output", async function () {
    const exported = JSON.stringify(await project.exported());
    // given the log snapshot still under its governance lock: destroy keeps it and says how to lift it
    const locked = await project.run(["destroy", "--yes"]);
    assert.equal(locked.ok, false);
    assert.match(locked.output, /Snapshot "logs": snapshot snap-[0-9a-f]+ is locked in governance mode until .*, or `aws ec2 unlock-snapshot --snapshot-id (snap-[0-9a-f]+)`/);
    const snapshotId = /aws ec2 unlock-snapshot --snapshot-id (snap-[0-9a-f]+)/.exec(locked.output)?.[1] ?? "";
    // when the user unlocks it as advised (through the proxy, which supplies Snapshot Lock) and destroys again
    const viaProxy = new EC2Client({ region: REGION, endpoint: world.proxy.endpoint, credentials: TEST_CREDENTIALS });
    try {
      await viaProxy.send(new UnlockSnapshotCommand({ SnapshotId: snapshotId }));
    } finally {
      viaProxy.destroy();
    }
    const destroy = await project.run(["destroy", "--yes"]);
    assertOk(destroy, "destroy after unlocking");
    // then nothing it made is left in either region
    const west = new EC2Client({ region: DR_REGION, endpoint: world.moto.endpoint, credentials: TEST_CREDENTIALS });
    try {
      assert.deepEqual(
        [...(await allSnapshots(ec2)), ...(await allSnapshots(west))].map((s) => s.SnapshotId),
        [],
      );
    } finally {
      west.destroy();
    }
    for (const text of [exported, locked.output, destroy.output, ...project.sandboxFiles().map((file) => fs.readFileSync(file, "utf8"))]) {
      assert.ok(!text.includes(TEST_CREDENTIALS.secretAccessKey), "the secret key appears in state, output or a stack file");
    }
  });
});
