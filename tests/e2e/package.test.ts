import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { consumerProject, type ConsumerProject } from "../support/consumerProject";
import { REPO_ROOT } from "../../harness/pulumiCli";

const exec = promisify(execFile);

/** What a user gets: the names the package's entry point exports. */
const SDK_EXPORTS = ["Snapshot", "SnapshotSet"];

/**
 * The package as users install it: the tarball `npm pack` makes, installed into a fresh project outside
 * the repository (tests/support/consumerProject.ts), with its own @pulumi/pulumi.
 */
describe("the package as installed", function () {
  this.timeout(300_000);
  let consumer: ConsumerProject;

  before(async function () {
    consumer = await consumerProject();
  });

  it("holds the compiled SDK and provider, the plugin's executable, the schema, README, LICENSE and CHANGELOG, and nothing else", async function () {
    const { stdout } = await exec("tar", ["tzf", consumer.tarball]);
    const entries = stdout
      .trim()
      .split("\n")
      .map((entry) => entry.replace(/^package\//, ""));
    const unexpected = entries.filter(
      (entry) =>
        !/^dist\/(sdk|provider)\/[\w./-]+$/.test(entry) &&
        !["package.json", "README.md", "LICENSE", "CHANGELOG.md", "schema.json", "bin/pulumi-resource-ebs-snapshots"].includes(entry),
    );
    assert.deepEqual(unexpected, []);
    for (const needed of ["dist/sdk/index.js", "dist/sdk/index.d.ts", "dist/provider/index.js", "LICENSE", "CHANGELOG.md", "schema.json"]) {
      assert.ok(entries.includes(needed), `the tarball lacks ${needed}`);
    }
    assert.deepEqual(
      entries.filter((entry) => /(^|\/)(tests?|bench|scripts|examples)\//.test(entry)),
      [],
    );
  });

  it("loads with require() and with an ESM import, exporting the SDK classes either way", async function () {
    const required = await exec(process.execPath, ["-e", "const m = require('pulumi-ebs-snapshots'); console.log(JSON.stringify(Object.keys(m).sort()))"], { cwd: consumer.dir });
    const imported = await exec(
      process.execPath,
      ["--input-type=module", "-e", "import * as m from 'pulumi-ebs-snapshots'; console.log(JSON.stringify(Object.keys(m).filter((k) => k !== 'default').sort()))"],
      {
        cwd: consumer.dir,
      },
    );
    const provider = await exec(
      process.execPath,
      ["--input-type=module", "-e", "import p from 'pulumi-ebs-snapshots/provider'; console.log(JSON.stringify(['snapshotHooks', 'snapshotSetHooks'].map((k) => typeof p[k])))"],
      {
        cwd: consumer.dir,
      },
    );
    for (const run of [required, imported]) {
      const names = JSON.parse(run.stdout) as string[];
      assert.deepEqual(
        SDK_EXPORTS.filter((name) => !names.includes(name)),
        [],
      );
    }
    assert.deepEqual(JSON.parse(provider.stdout), ["object", "object"]);
  });

  it("type-checks a strict consumer program against the published types, with skipLibCheck off", async function () {
    const dir = path.join(consumer.dir, "strict");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { strict: true, skipLibCheck: false, noEmit: true, module: "commonjs", target: "es2022", moduleResolution: "node", types: [] },
        files: ["index.ts"],
      }),
    );
    fs.writeFileSync(
      path.join(dir, "index.ts"),
      [
        'import * as pulumi from "@pulumi/pulumi";',
        'import { Snapshot, SnapshotSet, type SnapshotArgs } from "pulumi-ebs-snapshots";',
        'const args: SnapshotArgs = { volumeId: "vol-0123456789abcdef0", tags: { Team: "storage" }, timeouts: { create: "30m" } };',
        'const snapshot = new Snapshot("db", args);',
        'const set = new SnapshotSet("web", { instanceId: "i-0123456789abcdef0", excludeBootVolume: true });',
        "export const id: pulumi.Output<string> = snapshot.snapshotId;",
        "export const ids: pulumi.Output<string[]> = set.snapshotIds;",
        "",
      ].join("\n"),
    );
    const tsc = path.join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
    const result = await exec(process.execPath, [tsc, "-p", dir]).then(
      () => "",
      (error: Error & { stdout?: string }) => error.stdout ?? error.message,
    );
    assert.equal(result, "");
  });
});
