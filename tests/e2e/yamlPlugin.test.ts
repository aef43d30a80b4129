import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { CopySnapshotCommand, CreateSnapshotCommand, CreateSnapshotsCommand, CreateTagsCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { REPO_ROOT } from "../../harness/pulumiCli";
import { allSnapshots, REGION, seedInstance, seedVolume, tagsOf } from "../../harness/seed";
import { YamlWorld } from "../support/yamlWorld";
import { assertOk, type PulumiProject } from "../support/yamlProject";

/**
 * What the plugin face gives a Pulumi YAML program beyond the example: Pulumi's `customTimeouts`,
 * `pulumi import`, progress lines under the resource, and bad input named at its property. Each case is a
 * small YAML project of its own in a temporary folder, run with `pulumi` commands through the real CLI,
 * the YAML host and the plugin from this repository's bin/. EC2 is moto behind the fault proxy; a
 * snapshot kept `pending` is the proxy's doing (moto completes every snapshot at once).
 */
describe("Pulumi YAML programs through the plugin", function () {
  this.timeout(240_000);
  let world: YamlWorld;
  let ec2: EC2Client;
  let proxy: YamlWorld["proxy"];
  let tmp: string;
  let count = 0;

  before(async function () {
    world = await YamlWorld.start("yaml-plugin");
    ({ ec2, proxy, tmp } = world);
  });

  after(async function () {
    await world?.stop();
  });

  afterEach(function () {
    proxy.clearFaults();
  });

  /** A YAML project with these resources (YAML text, indented as under `resources:`), on its own stack. */
  async function yamlProject(resources: string, config: Record<string, string> = {}): Promise<PulumiProject> {
    count += 1;
    const dir = path.join(tmp, `project-${count}`);
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, "Pulumi.yaml"),
      [
        `name: yaml-plugin-${count}`,
        "runtime: yaml",
        "plugins:",
        "  providers:",
        "    - name: ebs-snapshots",
        `      path: ${path.join(REPO_ROOT, "bin")}`,
        "resources:",
        resources,
      ].join("\n"),
    );
    const project = await world.project(dir);
    for (const [key, value] of Object.entries(config)) {
      await project.setConfig(key, value);
    }
    return project;
  }

  it("bounds a create by customTimeouts, records the pending snapshot as partial state, and the next up resumes it", async function () {
    // given a snapshot EC2 keeps pending (proxy), once throttled first (proxy), and customTimeouts.create of 3 s on the resource
    const volumeId = await seedVolume(ec2);
    const hold = proxy.holdNewSnapshots();
    proxy.inject({ kind: "error", action: "CreateSnapshot", code: "RequestLimitExceeded", times: 1 });
    const project = await yamlProject(
      ["  data:", "    type: ebs-snapshots:Snapshot", "    properties:", `      volumeId: ${volumeId}`, "    options:", "      customTimeouts:", "        create: 3s"].join("\n"),
    );
    // the provider's real first backoff (1 s), so that the wait is announced
    project.setEnv({ EBS_SNAPSHOTS_RETRY_MIN_MS: "1000", EBS_SNAPSHOTS_RETRY_MAX_MS: "1000" });

    // when it is deployed
    const up = await project.run(["up", "--yes"]);

    // then the create stops at 3 s, says the snapshot is recorded and which option gives it longer
    assert.equal(up.ok, false);
    assert.match(
      up.output,
      /Snapshot "data": snapshot snap-[0-9a-f]+ is still pending \(0%\) after 3s\. It is recorded in the stack, and the next `pulumi up` resumes waiting\. Run `pulumi up` again, or raise customTimeouts\.create to wait longer in one run\./,
    );
    // and the line about the throttled call is the resource's, in its own diagnostics, not the Stack's
    const diagnostics = up.output.slice(up.output.indexOf("Diagnostics:"));
    assert.match(
      diagnostics,
      /ebs-snapshots:index:Snapshot \(data\):\n(\s+.*\n)*?\s+Snapshot "data": CreateSnapshot for volume vol-[0-9a-f]+: EC2 answered RequestLimitExceeded, because EC2 is throttling/,
    );
    assert.doesNotMatch(diagnostics.slice(0, diagnostics.indexOf("ebs-snapshots:index:Snapshot (data)")), /RequestLimitExceeded/);
    const [recorded] = (await project.exported()).resources.filter((r) => r.type === "ebs-snapshots:index:Snapshot");
    assert.equal(recorded?.outputs?.state, "pending");
    const snapshotId = recorded?.id ?? "";

    // when EC2 completes it and the user runs `pulumi up` again
    hold.release();
    const resumed = await project.run(["up", "--yes"]);

    // then the same snapshot completes in the stack: no second snapshot
    assertOk(resumed, "the up after the timeout");
    const [after] = (await project.exported()).resources.filter((r) => r.type === "ebs-snapshots:index:Snapshot");
    assert.deepEqual([after?.id, after?.outputs?.state], [snapshotId, "completed"]);
    assert.deepEqual(
      (await allSnapshots(ec2)).filter((s) => s.VolumeId === volumeId).map((s) => s.SnapshotId),
      [snapshotId],
    );
    assertOk(await project.run(["destroy", "--yes"]), "destroy");
  });

  it("imports a snapshot made outside Pulumi: the code `pulumi import` prints previews with no diff", async function () {
    // given a snapshot taken with the EC2 API, tagged, that no stack records
    const volumeId = await seedVolume(ec2);
    const made = await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId, Description: "made by hand" }));
    const snapshotId = made.SnapshotId ?? "";
    await ec2.send(new CreateTagsCommand({ Resources: [snapshotId], Tags: [{ Key: "Team", Value: "legacy" }] }));
    const project = await yamlProject("  {}");

    // when it is imported
    const codeFile = path.join(tmp, `import-${count}.yaml`);
    const imported = await project.run(["import", "ebs-snapshots:index:Snapshot", "legacy", snapshotId, "--yes", "--out", codeFile]);
    assertOk(imported, "pulumi import");

    // then the printed code declares it from what EC2 says, and once in the program it previews with no diff
    const code = fs.readFileSync(codeFile, "utf8");
    assert.match(code, new RegExp(`volumeId: ${volumeId}`));
    assert.match(code, /description: made by hand/);
    assert.match(code, /Team: legacy/);
    assert.doesNotMatch(code, /__logicalName|__urn|create-token/);
    const program = path.join(project.dir, "Pulumi.yaml");
    fs.writeFileSync(program, fs.readFileSync(program, "utf8").replace("resources:\n  {}", code.replace(/^resources:\n/m, "resources:\n")));
    assertOk(await project.run(["preview", "--expect-no-changes"]), "preview of the imported code");
  });

  it("imports a SnapshotSet by its members' ids and a SnapshotCopy by its id: the printed code previews with no diff", async function () {
    // given a crash-consistent set and a copy, both made with the EC2 API
    const instance = await seedInstance(ec2, [{}]);
    const set = await ec2.send(
      new CreateSnapshotsCommand({
        InstanceSpecification: { InstanceId: instance.instanceId },
        Description: "nightly by hand",
        TagSpecifications: [{ ResourceType: "snapshot", Tags: [{ Key: "Team", Value: "db" }] }],
      }),
    );
    const memberIds = (set.Snapshots ?? []).map((m) => m.SnapshotId ?? "");
    const copy = await ec2.send(new CopySnapshotCommand({ SourceSnapshotId: memberIds[0], SourceRegion: REGION }));
    const project = await yamlProject("  {}");

    // when both are imported
    const setCode = path.join(tmp, `import-set-${count}.yaml`);
    assertOk(await project.run(["import", "ebs-snapshots:index:SnapshotSet", "db", memberIds.join(","), "--yes", "--out", setCode]), "pulumi import of the set");
    const copyCode = path.join(tmp, `import-copy-${count}.yaml`);
    // moto gives a copy no description, where EC2 writes "[Copied snap-… from <region>]": the id names the source
    const copyId = `${copy.SnapshotId ?? ""}:${memberIds[0]}`;
    assertOk(await project.run(["import", "ebs-snapshots:index:SnapshotCopy", "dbCopy", copyId, "--yes", "--out", copyCode]), "pulumi import of the copy");

    // then the code names the instance, the shared description and tags, and the copy's source
    const code = [fs.readFileSync(setCode, "utf8"), fs.readFileSync(copyCode, "utf8")].map((text) => text.replace(/^resources:\n/m, "")).join("");
    assert.match(code, new RegExp(`instanceId: ${instance.instanceId}`));
    assert.match(code, /description: nightly by hand/);
    assert.match(code, /Team: db/);
    assert.match(code, new RegExp(`sourceSnapshotId: ${memberIds[0]}`));
    const program = path.join(project.dir, "Pulumi.yaml");
    fs.writeFileSync(program, fs.readFileSync(program, "utf8").replace("resources:\n  {}", `resources:\n${code}`));
    assertOk(await project.run(["preview", "--expect-no-changes"]), "preview of the imported code");
  });

  it("keeps a secret input secret in state and outputs", async function () {
    // given tags the program marks secret
    const volumeId = await seedVolume(ec2);
    const project = await yamlProject(
      ["  data:", "    type: ebs-snapshots:Snapshot", "    properties:", `      volumeId: ${volumeId}`, "      tags:", "        fn::secret:", "          Team: s3cr3t-team"].join(
        "\n",
      ),
    );
    // when it is deployed
    const up = await project.run(["up", "--yes"]);
    assertOk(up, "up with secret tags");
    // then EC2 has the tag, and the stack holds it only as a secret, in the inputs and in the outputs
    assert.equal(tagsOf((await allSnapshots(ec2)).find((s) => s.VolumeId === volumeId)).Team, "s3cr3t-team");
    const [recorded] = (await project.exported()).resources.filter((r) => r.type === "ebs-snapshots:index:Snapshot");
    const secretSig = "4dabf18193072939515e22adb298388d";
    assert.ok(JSON.stringify(recorded?.inputs?.tags).includes(secretSig), JSON.stringify(recorded?.inputs?.tags));
    assert.ok(JSON.stringify(recorded?.outputs?.tags).includes(secretSig), JSON.stringify(recorded?.outputs?.tags));
    assert.doesNotMatch(JSON.stringify(await project.exported()), /s3cr3t-team/);
    assert.doesNotMatch(up.output, /s3cr3t-team/);
    assertOk(await project.run(["destroy", "--yes"]), "destroy");
  });

  it("names the property of bad input: an unknown property, a wrong type, a 51st tag", async function () {
    const volumeId = await seedVolume(ec2);
    const tags = Array.from({ length: 51 }, (_, i) => `        Key${String(i + 1).padStart(2, "0")}: v`).join("\n");
    const cases: [resources: string, expected: RegExp][] = [
      [["  data:", "    type: ebs-snapshots:Snapshot", "    properties:", `      volumeId: ${volumeId}`, "      volumeIdd: x"].join("\n"), /volumeIdd/],
      [["  data:", "    type: ebs-snapshots:Snapshot", "    properties:", `      volumeId: ${volumeId}`, "      waitForCompletion: [1]"].join("\n"), /waitForCompletion/],
      [
        ["  data:", "    type: ebs-snapshots:Snapshot", "    properties:", `      volumeId: ${volumeId}`, "      tags:", tags].join("\n"),
        /property tags\["Key51"\] .*has a problem: tags has 51 tags; EC2 allows at most 50 per snapshot/,
      ],
    ];
    for (const [resources, expected] of cases) {
      const preview = await (await yamlProject(resources)).run(["preview"]);
      assert.equal(preview.ok, false, preview.output);
      assert.match(preview.output, expected);
    }
    assert.deepEqual(
      (await allSnapshots(ec2)).filter((s) => s.VolumeId === volumeId),
      [],
    );
  });
});
