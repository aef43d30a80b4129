import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { TEST_CREDENTIALS } from "../../harness/engineWorld";
import { newSandbox, offlineEnvironment, pulumiCli, REPO_ROOT, type CliSandbox, type PulumiCli } from "../../harness/pulumiCli";
import { allSnapshots, REGION, seedInstance, seedVolume, tagsOf, type SeededInstance } from "../../harness/seed";
import { YamlWorld } from "../support/yamlWorld";

const PLUGIN = "pulumi-resource-ebs-snapshots";
const EXAMPLE_DIR = path.join(REPO_ROOT, "examples", "python-backup");
const DRIVER = path.join(REPO_ROOT, "tests", "support", "pythonAutomation.py");
const PACKAGE = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string; devDependencies: Record<string, string> };
/** The `pulumi` Python package at the version of the @pulumi/pulumi the tests use. */
const PULUMI_VERSION = PACKAGE.devDependencies["@pulumi/pulumi"];

/** Bounds below mocha's timeout, so that a hung command fails its test with its output. */
const PIP_TIMEOUT_MS = 240_000;
const PACK_TIMEOUT_MS = 180_000;
const STEP_TIMEOUT_MS = 150_000;

interface Ran {
  code: number | null;
  output: string;
  stdout: string;
}

/** Runs a command to its end (killed after `timeoutMs`), with stdout and stderr as they arrived. */
function run(command: string, args: string[], options: { cwd: string; env: Record<string, string>; stdin?: string; timeoutMs: number }): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output, stdout });
    });
    child.stdin.end(options.stdin ?? "");
  });
}

function assertRan(ran: Ran, what: string): void {
  assert.equal(ran.code, 0, `${what} exited with ${ran.code}:\n${ran.output}`);
}

/** This process's environment without what would reach a real cloud or another backend. */
function scrubbed(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && !/^(AWS_|PULUMI_|EBS_SNAPSHOTS_)/.test(entry[0])));
}

/**
 * PATH without the folders holding the plugin's executable: under `npx mocha` node_modules/.bin is on
 * PATH, and it links the plugin (the package depends on itself), which the CLI would use instead of the
 * installed one.
 */
function pathWithoutPlugin(): string {
  return (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter((dir) => dir !== "" && !fs.existsSync(path.join(dir, PLUGIN)))
    .join(path.delimiter);
}

/** What one driver run reported (tests/support/pythonAutomation.py). */
interface StepResult {
  ok: boolean;
  error?: string;
  changeSummary?: Record<string, number>;
  stdout?: string;
  outputs?: { dataSnapshotIds?: string[]; archiveSnapshotId?: string };
  deployment?: { resources?: { type: string; id?: string; urn: string; outputs?: Record<string, unknown> }[] };
}

/**
 * The Python SDK as a Python user gets it: in a fresh virtual environment, `pip install` of `pulumi` from
 * PyPI at the version the tests use and of sdk/python; the plugin from the tarball `npm run plugin:pack`
 * makes, installed with `pulumi plugin install` into the sandbox's plugin cache. Then examples/python-backup
 * runs as an Automation API inline program (the Python language host cannot be built on this machine
 * kind; an inline program needs none) through the real CLI, one command per driver run, against moto
 * behind the fault proxy (its snapshots pend for two polls, the proxy's doing). What exists is checked in
 * moto directly after every step.
 */
describe("the Python SDK: examples/python-backup inline through the real CLI and the installed plugin", function () {
  this.timeout(300_000);
  const started = Date.now();
  let installMs = 0;
  let world: YamlWorld;
  let cli: PulumiCli;
  let sandbox: CliSandbox;
  let workDir: string;
  let python = "";
  let instance: SeededInstance;
  let volumeId: string;
  const config: Record<string, string> = {};
  let created: { set: string[]; archive: string } | undefined;
  /** Every step's exported state, searched for credentials at the end. */
  const states: string[] = [];

  before(async function () {
    cli = await pulumiCli();
    world = await YamlWorld.start("python-sdk");
    sandbox = newSandbox(world.tmp);
    workDir = path.join(path.dirname(sandbox.backendDir), "work");
    fs.mkdirSync(workDir);
    instance = await seedInstance(world.ec2, [{}, {}]);
    volumeId = await seedVolume(world.ec2);
    Object.assign(config, { "ebs-snapshots:region": REGION, instanceId: instance.instanceId, volumeId });
    world.proxy.progressNewSnapshots({ pendingDescribes: 2 });
  });

  after(async function () {
    await world?.stop();
    console.log(`      wall time: ${((Date.now() - started) / 1000).toFixed(1)} s, of which venv and pip install ${(installMs / 1000).toFixed(1)} s`);
  });

  /** One command on the stack, through the driver in the virtual environment. */
  async function step(command: "preview" | "up" | "refresh" | "destroy", expectNoChanges = false): Promise<StepResult> {
    assert.notEqual(python, "", "the virtual environment was not made (see the first test)");
    const resultFile = path.join(world.tmp, `result-${command}-${Date.now()}.json`);
    const request = {
      command,
      expectNoChanges,
      program: path.join(EXAMPLE_DIR, "__main__.py"),
      project: /^name:\s*(\S+)/m.exec(fs.readFileSync(path.join(EXAMPLE_DIR, "Pulumi.yaml"), "utf8"))?.[1],
      stack: "dev",
      workDir,
      cliRoot: cli.root,
      backend: `file://${sandbox.backendDir}`,
      env: { ...offlineEnvironment(sandbox), ...world.env, AWS_REGION: REGION },
      config,
      resultFile,
    };
    const ran = await run(python, [DRIVER], { cwd: workDir, env: { ...scrubbed(), PATH: pathWithoutPlugin() }, stdin: JSON.stringify(request), timeoutMs: STEP_TIMEOUT_MS });
    assert.ok(fs.existsSync(resultFile), `the driver wrote no result (exit ${ran.code}):\n${ran.output}`);
    const result = JSON.parse(fs.readFileSync(resultFile, "utf8")) as StepResult;
    assert.ok(result.ok, `${command} failed:\n${result.error ?? ""}\n${ran.output}`);
    states.push(JSON.stringify(result.deployment));
    return result;
  }

  /** The snapshots moto holds, as `volume id -> snapshot id`, and their tags. */
  async function inMoto(): Promise<{ byVolume: Record<string, string>; tags: Record<string, string>[] }> {
    const snapshots = await allSnapshots(world.ec2);
    return { byVolume: Object.fromEntries(snapshots.map((s) => [s.VolumeId ?? "", s.SnapshotId ?? ""])), tags: snapshots.map(tagsOf) };
  }

  function expectedInMoto(): Record<string, string> {
    assert.ok(created, "the up did not run");
    const [first, second] = instance.dataVolumes.map((v) => v.volumeId);
    return { [first]: created.set[0], [second]: created.set[1], [volumeId]: created.archive };
  }

  it(`installs pulumi==${PULUMI_VERSION} from PyPI and sdk/python with pip into a fresh virtual environment`, async function () {
    const from = Date.now();
    const venv = path.join(world.tmp, "venv");
    assertRan(await run("python3", ["-m", "venv", venv], { cwd: world.tmp, env: scrubbed(), timeoutMs: PIP_TIMEOUT_MS }), "python3 -m venv");
    // A copy of the SDK, so that pip's build leaves nothing in the repository.
    const sdk = path.join(world.tmp, "sdk-python");
    fs.cpSync(path.join(REPO_ROOT, "sdk", "python"), sdk, { recursive: true });
    const venvPython = path.join(venv, "bin", "python");
    const pip = await run(venvPython, ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", `pulumi==${PULUMI_VERSION}`, sdk], {
      cwd: world.tmp,
      env: scrubbed(),
      timeoutMs: PIP_TIMEOUT_MS,
    });
    assertRan(pip, "pip install");
    const versions = await run(venvPython, ["-c", "import importlib.metadata as m; print(m.version('pulumi'), m.version('pulumi_ebs_snapshots'))"], {
      cwd: world.tmp,
      env: scrubbed(),
      timeoutMs: 30_000,
    });
    assertRan(versions, "reading the installed versions");
    assert.equal(versions.stdout.trim(), `${PULUMI_VERSION} ${PACKAGE.version}`);
    // The example asks for the same pulumi.
    assert.match(fs.readFileSync(path.join(EXAMPLE_DIR, "requirements.txt"), "utf8"), new RegExp(`^pulumi==${PULUMI_VERSION.replace(/\./g, "\\.")}$`, "m"));
    python = venvPython;
    installMs = Date.now() - from;
  });

  it("installs the plugin tarball into the sandbox's plugin cache with `pulumi plugin install`", async function () {
    const pack = await run("npm", ["run", "--silent", "plugin:pack"], { cwd: REPO_ROOT, env: scrubbed(), timeoutMs: PACK_TIMEOUT_MS });
    assertRan(pack, "npm run plugin:pack");
    const tarball = pack.stdout.trim().split("\n").pop() ?? "";
    assert.ok(path.isAbsolute(tarball) && fs.existsSync(tarball), `plugin:pack printed ${JSON.stringify(tarball)} last`);
    const env = { ...scrubbed(), ...offlineEnvironment(sandbox) };
    assertRan(
      await run(cli.binary, ["plugin", "install", "resource", "ebs-snapshots", PACKAGE.version, "--file", tarball], { cwd: workDir, env, timeoutMs: 60_000 }),
      "pulumi plugin install",
    );
    const listed = await run(cli.binary, ["plugin", "ls", "--json"], { cwd: workDir, env, timeoutMs: 60_000 });
    assertRan(listed, "pulumi plugin ls");
    const plugins = JSON.parse(listed.stdout) as { name: string; kind: string; version: string }[];
    assert.deepEqual(
      plugins.filter((p) => p.name === "ebs-snapshots").map((p) => [p.kind, p.version]),
      [["resource", PACKAGE.version]],
    );
  });

  it("previews a SnapshotSet and a Snapshot to create, and EC2 makes nothing", async function () {
    const preview = await step("preview");
    // The stack itself and the two resources.
    assert.deepEqual(preview.changeSummary, { create: 3 });
    assert.deepEqual(await allSnapshots(world.ec2), []);
  });

  it("up snapshots the instance's data volumes (not the boot volume) and the volume, tagged, and exports their ids", async function () {
    const up = await step("up");
    assert.deepEqual(up.changeSummary, { create: 3 });
    // The plugin came from the plugin cache: found on PATH, the CLI would warn.
    assert.doesNotMatch(up.stdout ?? "", /warning/i);
    const set = up.outputs?.dataSnapshotIds ?? [];
    const archive = up.outputs?.archiveSnapshotId ?? "";
    assert.equal(set.length, 2, JSON.stringify(up.outputs));
    assert.match(archive, /^snap-[0-9a-f]+$/);
    const { byVolume, tags } = await inMoto();
    assert.equal(byVolume[instance.rootVolumeId], undefined, "the boot volume is left out");
    // The set's members in the order of its volumes as moto lists them: compare as sets.
    assert.deepEqual(instance.dataVolumes.map((v) => byVolume[v.volumeId]).sort(), [...set].sort());
    created = { set: instance.dataVolumes.map((v) => byVolume[v.volumeId]), archive };
    assert.deepEqual(byVolume, expectedInMoto());
    for (const tag of tags) {
      assert.deepEqual([tag.ManagedBy, tag.Environment, tag.Backup], ["pulumi", "staging", "nightly"], JSON.stringify(tag));
    }
    const types = (up.deployment?.resources ?? []).map((r) => r.type).sort();
    assert.deepEqual(types, ["ebs-snapshots:index:Snapshot", "ebs-snapshots:index:SnapshotSet", "pulumi:providers:ebs-snapshots", "pulumi:pulumi:Stack"]);
  });

  it("previews no change right after the up", async function () {
    const preview = await step("preview", true);
    assert.deepEqual(preview.changeSummary, { same: 3 });
    assert.deepEqual((await inMoto()).byVolume, expectedInMoto());
  });

  it("refreshes with no change, and previews no change after the refresh", async function () {
    const refresh = await step("refresh", true);
    assert.deepEqual(refresh.changeSummary, { same: 3 });
    const preview = await step("preview", true);
    assert.deepEqual(preview.changeSummary, { same: 3 });
    assert.deepEqual((await inMoto()).byVolume, expectedInMoto());
  });

  it("updates a tag in place: the same snapshots, retagged", async function () {
    config.environment = "production";
    const up = await step("up");
    assert.deepEqual(up.changeSummary, { same: 1, update: 2 });
    assert.deepEqual([...(up.outputs?.dataSnapshotIds ?? [])].sort(), [...(created?.set ?? [])].sort());
    assert.equal(up.outputs?.archiveSnapshotId, created?.archive);
    const { byVolume, tags } = await inMoto();
    assert.deepEqual(byVolume, expectedInMoto());
    assert.deepEqual(
      tags.map((tag) => tag.Environment),
      ["production", "production", "production"],
    );
    assert.deepEqual((await step("preview", true)).changeSummary, { same: 3 });
  });

  it("destroys both: no snapshot left, and no credential in the exported state or the sandbox's files", async function () {
    const destroy = await step("destroy");
    assert.deepEqual(destroy.changeSummary, { delete: 3 });
    assert.deepEqual(await allSnapshots(world.ec2), []);
    // The volumes and the instance were the test's, and stay.
    const secrets = [TEST_CREDENTIALS.accessKeyId, TEST_CREDENTIALS.secretAccessKey];
    assert.equal(states.length, 8);
    for (const state of states) {
      for (const secret of secrets) {
        assert.ok(!state.includes(secret), "a credential is in the exported state");
      }
    }
    const files = fs.readdirSync(path.dirname(sandbox.backendDir), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    // The plugin cache holds the installed plugin, no stack data.
    const stackFiles = files.map((entry) => path.join(entry.parentPath, entry.name)).filter((file) => !file.startsWith(path.join(sandbox.homeDir, "plugins")));
    assert.ok(
      stackFiles.some((file) => file.startsWith(sandbox.backendDir)),
      "the backend wrote no file",
    );
    for (const file of stackFiles) {
      const text = fs.readFileSync(file, "utf8");
      for (const secret of secrets) {
        assert.ok(!text.includes(secret), `a credential is in ${path.relative(world.tmp, file)}`);
      }
    }
  });
});
