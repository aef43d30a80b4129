import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { EC2Client, Snapshot } from "@aws-sdk/client-ec2";
import { TEST_CREDENTIALS } from "../../harness/engineWorld";
import { newSandbox, offlineEnvironment, pulumiCli, REPO_ROOT, type CliSandbox } from "../../harness/pulumiCli";
import { allSnapshots, REGION, seedInstance, seedVolume, tagsOf, type SeededInstance } from "../../harness/seed";
import { YamlWorld } from "../support/yamlWorld";

const EXAMPLE_DIR = path.join(REPO_ROOT, "examples", "go-backup");
const PLUGIN = "pulumi-resource-ebs-snapshots";

/**
 * Bound on `go build` of the example. With an empty Go build cache it compiles sdk/v3 and its
 * dependencies: measured on 2 cores, 40 s with the modules already downloaded and 47 s with an empty
 * module cache as well; with a warm build cache, 1 to 4 s. The bound leaves room for a slow CI runner.
 */
const BUILD_TIMEOUT_MS = 900_000;
/** Bound on one run of the program (one CLI operation), below mocha's timeout, so a hang fails with its output. */
const RUN_TIMEOUT_MS = 170_000;

/** What the program printed as its one JSON line, with its stderr (the CLI's progress) for failures. */
interface GoRun {
  op: string;
  ok: boolean;
  error?: string;
  changes?: Record<string, number>;
  outputs?: Record<string, unknown>;
  deployment?: { resources?: { urn: string; type: string; id?: string; outputs?: Record<string, unknown> }[] };
  stderr: string;
}

function assertOk(run: GoRun, what: string): void {
  assert.ok(run.ok, `${what} failed: ${run.error ?? ""}\n${run.stderr}`);
}

/** Runs a command to its end; rejects with its whole output when it fails or outlives `timeoutMs`. */
function execute(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`${command} could not start: ${error.message}`));
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (signal !== null) {
        reject(new Error(`${command} ${args.join(" ")} was killed (${signal}) after ${timeoutMs} ms:\n${stdout}${stderr}`));
      } else {
        resolve({ code, stdout, stderr });
      }
    });
  });
}

/** This process's environment without what would reach a real cloud or another backend. */
function scrubbed(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && !/^(AWS_|PULUMI_|EBS_SNAPSHOTS_)/.test(entry[0])));
}

/**
 * PATH with the CLI's folder first and without the folders holding the plugin's executable (under
 * `npx mocha`, node_modules/.bin links it): the program names the plugin's folder itself.
 */
function pathFor(cliBinary: string): string {
  const rest = (process.env.PATH ?? "").split(path.delimiter).filter((dir) => dir !== "" && !fs.existsSync(path.join(dir, PLUGIN)));
  return [path.dirname(cliBinary), ...rest].join(path.delimiter);
}

/** Every file under `dir`, skipping the plugin cache (it holds no stack data). */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === "plugins" ? [] : filesUnder(full);
    }
    return entry.isFile() ? [full] : [];
  });
}

/**
 * examples/go-backup, a Go program on the generated SDK (sdk/go), built with `go build` and run as an
 * Automation API inline program: the binary drives the real CLI itself, so no Go language host is needed
 * (none is built on these machines). The CLI starts the plugin from this repository's bin/ (the
 * program's project names it), which reaches moto through the fault proxy; the test checks moto directly.
 */
describe("examples/go-backup: a Go inline Automation API program on sdk/go, through the real CLI and the plugin", function () {
  this.timeout(RUN_TIMEOUT_MS * 3);
  let world: YamlWorld;
  let ec2: EC2Client;
  let binary: string;
  let cliBinary: string;
  let sandbox: CliSandbox;
  let workDir: string;
  let instance: SeededInstance;
  let volumeId: string;
  let first: GoRun;

  before(async function () {
    this.timeout(BUILD_TIMEOUT_MS + 120_000);
    cliBinary = (await pulumiCli()).binary;
    world = await YamlWorld.start("go-sdk");
    ec2 = world.ec2;
    sandbox = newSandbox(world.tmp);
    workDir = path.join(world.tmp, "workspace");
    binary = path.join(world.tmp, "go-backup");
    const started = Date.now();
    // go.sum is checked in: a stale one fails the build rather than being rewritten here. No VCS
    // stamping: it needs git to accept the checkout's owner, which a CI runner's may not be.
    const build = await execute("go", ["build", "-buildvcs=false", "-o", binary, "."], EXAMPLE_DIR, process.env, BUILD_TIMEOUT_MS);
    assert.equal(build.code, 0, `go build of examples/go-backup failed:\n${build.stdout}${build.stderr}`);
    console.log(`      go build of examples/go-backup: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    instance = await seedInstance(ec2, [{}, { encrypted: true }]);
    volumeId = await seedVolume(ec2);
  });

  after(async function () {
    await world?.stop();
  });

  /** One operation of the program, inline, on the stack `dev` of the sandbox's file backend. */
  async function run(op: string, config: Record<string, string> = {}, flags: string[] = []): Promise<GoRun> {
    const configFlags = Object.entries({ "ebs-snapshots:region": REGION, instanceId: instance.instanceId, volumeId, ...config }).flatMap(([key, value]) => [
      "-config",
      `${key}=${value}`,
    ]);
    const args = ["-inline", op, "-stack", "dev", "-workdir", workDir, "-plugin-dir", path.join(REPO_ROOT, "bin"), ...configFlags, ...flags];
    const env = { ...scrubbed(process.env), ...offlineEnvironment(sandbox), ...world.env, AWS_REGION: REGION, PATH: pathFor(cliBinary) };
    const done = await execute(binary, args, world.tmp, env, RUN_TIMEOUT_MS);
    const line = done.stdout
      .trim()
      .split("\n")
      .reverse()
      .find((text) => text.startsWith("{"));
    assert.ok(line !== undefined, `the program printed no JSON line for ${op} (exit ${done.code}):\n${done.stdout}${done.stderr}`);
    const result = { ...(JSON.parse(line) as Omit<GoRun, "stderr">), stderr: done.stderr };
    assert.equal(result.op, op);
    assert.equal(result.ok, done.code === 0, `exit code ${done.code} for ok ${result.ok}`);
    return result;
  }

  /** What moto holds: every snapshot of the account. */
  async function snapshots(): Promise<Snapshot[]> {
    return allSnapshots(ec2);
  }

  function assertNoCredentials(text: string, where: string): void {
    for (const secret of [TEST_CREDENTIALS.accessKeyId, TEST_CREDENTIALS.secretAccessKey]) {
      assert.ok(!text.includes(secret), `${where} holds a credential value`);
    }
  }

  function assertNoCredentialsInSandbox(): void {
    for (const file of [...filesUnder(sandbox.backendDir), ...filesUnder(sandbox.homeDir), ...filesUnder(workDir)]) {
      assertNoCredentials(fs.readFileSync(file, "latin1"), file);
    }
  }

  it("previews the set and the snapshot, creating nothing", async function () {
    const preview = await run("preview");
    assertOk(preview, "preview");
    // the stack, the SnapshotSet and the Snapshot
    assert.deepEqual(preview.changes, { create: 3 });
    assert.deepEqual(await snapshots(), []);
  });

  it("creates them: the data volumes' set without the boot volume, and the volume's snapshot, tagged", async function () {
    first = await run("up");
    assertOk(first, "up");
    const outputs = first.outputs ?? {};
    const setIds = outputs.serverSnapshotIds as string[];
    assert.equal(setIds.length, 2);
    assert.match(String(outputs.dataSnapshotId), /^snap-[0-9a-f]+$/);
    assert.deepEqual([outputs.serverState, outputs.dataState], ["completed", "completed"]);

    const all = await snapshots();
    assert.deepEqual(all.map((s) => s.SnapshotId).sort(), [...setIds, outputs.dataSnapshotId].sort());
    const byId = new Map(all.map((s) => [s.SnapshotId, s]));
    assert.deepEqual(setIds.map((id) => byId.get(id)?.VolumeId).sort(), instance.dataVolumes.map((v) => v.volumeId).sort());
    assert.ok(!all.some((s) => s.VolumeId === instance.rootVolumeId), "the boot volume was snapshotted");
    assert.equal(byId.get(String(outputs.dataSnapshotId))?.VolumeId, volumeId);
    for (const snapshot of all) {
      // besides the provider's own create-token tag
      const { Team, Backup, ManagedBy } = tagsOf(snapshot);
      assert.deepEqual({ Team, Backup, ManagedBy }, { Team: "storage", Backup: "nightly", ManagedBy: "pulumi" }, snapshot.SnapshotId);
    }
  });

  it("previews no change after up, and none after a refresh", async function () {
    const again = await run("preview", {}, ["-expect-no-changes"]);
    assertOk(again, "preview -expect-no-changes after up");
    assert.deepEqual(again.changes, { same: 3 });
    const refresh = await run("refresh");
    assertOk(refresh, "refresh");
    assert.deepEqual(refresh.changes, { same: 3 });
    const after = await run("preview", {}, ["-expect-no-changes"]);
    assertOk(after, "preview -expect-no-changes after refresh");
    assert.deepEqual(after.changes, { same: 3 });
    assert.equal((await snapshots()).length, 3);
  });

  it("changes a tag in place: the same snapshots, retagged", async function () {
    const retag = await run("up", { team: "platform" });
    assertOk(retag, "up with team platform");
    assert.deepEqual(retag.changes, { same: 1, update: 2 });
    assert.deepEqual(retag.outputs?.serverSnapshotIds, first.outputs?.serverSnapshotIds);
    assert.equal(retag.outputs?.dataSnapshotId, first.outputs?.dataSnapshotId);
    const all = await snapshots();
    assert.equal(all.length, 3);
    for (const snapshot of all) {
      assert.equal(tagsOf(snapshot).Team, "platform", snapshot.SnapshotId);
    }
  });

  it("keeps every credential value out of the exported state and the sandbox's files", async function () {
    const exported = await run("export", { team: "platform" });
    assertOk(exported, "export");
    const resources = exported.deployment?.resources ?? [];
    assert.deepEqual(
      resources
        .filter((r) => r.type.startsWith("ebs-snapshots:index:"))
        .map((r) => r.type)
        .sort(),
      ["ebs-snapshots:index:Snapshot", "ebs-snapshots:index:SnapshotSet"],
    );
    assertNoCredentials(JSON.stringify(exported.deployment), "the exported state");
    assertNoCredentialsInSandbox();
  });

  it("destroys everything, leaving no snapshot, and no credential in the sandbox", async function () {
    const destroy = await run("destroy", { team: "platform" });
    assertOk(destroy, "destroy");
    assert.deepEqual(destroy.changes, { delete: 3 });
    assert.deepEqual(await snapshots(), []);
    assertNoCredentialsInSandbox();
  });
});
