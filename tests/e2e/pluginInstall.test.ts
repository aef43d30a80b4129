import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../../harness/pulumiCli";
import { allSnapshots, seedVolume, tagsOf } from "../../harness/seed";
import { YamlWorld } from "../support/yamlWorld";
import { assertOk, type PulumiProject } from "../support/yamlProject";

const PLUGIN = "pulumi-resource-ebs-snapshots";

/** Bound on `npm run plugin:pack`: a build when dist/ lacks the plugin, and an npm install. */
const PACK_TIMEOUT_MS = 180_000;

/** A project with no `plugins:` entry: the CLI must find the provider in its plugin cache. */
const PROJECT_YAML = `name: plugin-install
runtime: yaml
config:
  volumeId:
    type: string
resources:
  data:
    type: ebs-snapshots:Snapshot
    properties:
      volumeId: \${volumeId}
      tags:
        Team: storage
outputs:
  snapshotId: \${data.snapshotId}
`;

/** `npm run --silent plugin:pack` in the repository: the tarball's path, its last line of stdout. */
function pack(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "--silent", "plugin:pack"], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), PACK_TIMEOUT_MS);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      const last = stdout.trim().split("\n").pop() ?? "";
      if (code === 0 && path.isAbsolute(last) && fs.existsSync(last)) {
        resolve(last);
      } else {
        reject(new Error(`npm run plugin:pack exited with ${code}, last stdout line ${JSON.stringify(last)}:\n${stdout}${stderr}`));
      }
    });
  });
}

/**
 * PATH without the folders holding the plugin's executable: under `npx mocha` node_modules/.bin is on
 * PATH, and it links the plugin (the package depends on itself), which the CLI would use instead.
 */
function pathWithoutPlugin(): string {
  return (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter((dir) => dir !== "" && !fs.existsSync(path.join(dir, PLUGIN)))
    .join(path.delimiter);
}

/**
 * The plugin as users install it: the tarball `npm run plugin:pack` makes, installed with
 * `pulumi plugin install resource ebs-snapshots <version> --file <tarball>` into the CLI's plugin
 * cache, then used by a Pulumi YAML program that names no plugin path. EC2 is moto behind the fault proxy.
 */
describe("the plugin tarball, installed with `pulumi plugin install`", function () {
  this.timeout(300_000);
  let world: YamlWorld;
  let tarball: string;
  let project: PulumiProject;
  let volumeId: string;
  const version = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;

  before(async function () {
    tarball = await pack();
    world = await YamlWorld.start("plugin-install");
    volumeId = await seedVolume(world.ec2);
    const dir = path.join(world.tmp, "project");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), PROJECT_YAML);
    project = await world.project(dir, { PATH: pathWithoutPlugin() });
    await project.setConfig("volumeId", volumeId);
  });

  after(async function () {
    await world?.stop();
  });

  it("is named for its version and installs into the project's plugin cache", async function () {
    assert.equal(path.basename(tarball), `${PLUGIN}-v${version}-linux-amd64.tar.gz`);
    assert.equal(path.dirname(tarball), path.join(REPO_ROOT, "dist", "plugin"));
    const install = await project.run(["plugin", "install", "resource", "ebs-snapshots", version, "--file", tarball]);
    assertOk(install, "pulumi plugin install");
    const listed = await project.run(["plugin", "ls", "--json"]);
    assertOk(listed, "pulumi plugin ls");
    const plugins = JSON.parse(listed.stdout) as { name: string; kind: string; version: string }[];
    assert.deepEqual(
      plugins.filter((plugin) => plugin.name === "ebs-snapshots").map((plugin) => [plugin.kind, plugin.version]),
      [["resource", version]],
    );
  });

  it("creates the snapshot through the installed plugin, with no warning", async function () {
    const up = await project.run(["up", "--yes"]);
    assertOk(up, "up");
    assert.doesNotMatch(up.output, /warning/i);
    assert.match(up.output, /\+\s+ebs-snapshots:index:Snapshot\s+data\s+created/);
    const outputs = JSON.parse((await project.run(["stack", "output", "--json"])).stdout) as { snapshotId?: string };
    assert.match(outputs.snapshotId ?? "", /^snap-[0-9a-f]+$/);
    const snapshots = await allSnapshots(world.ec2);
    assert.deepEqual(
      snapshots.map((s) => s.SnapshotId),
      [outputs.snapshotId],
    );
    assert.equal(snapshots[0].VolumeId, volumeId);
    assert.equal(tagsOf(snapshots[0]).Team, "storage");
  });

  it("destroys it, leaving no snapshot", async function () {
    const destroy = await project.run(["destroy", "--yes"]);
    assertOk(destroy, "destroy");
    assert.doesNotMatch(destroy.output, /warning/i);
    assert.deepEqual(await allSnapshots(world.ec2), []);
  });
});
