import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import type * as automation from "@pulumi/pulumi/automation";
import { REPO_ROOT } from "../../harness/pulumiCli";

const exec = promisify(execFile);

/**
 * A Pulumi user's project outside this repository: its own package.json, this package installed from
 * the tarball `npm pack` makes, and its own @pulumi/pulumi. Nothing in it resolves into the repository's
 * node_modules, so the shim serialized into state must find `pulumi-ebs-snapshots/provider` the way it
 * will on a user's machine.
 */
export interface ConsumerProject {
  /** The project folder (package.json, node_modules, examples/). */
  readonly dir: string;
  /** The tarball installed, as `npm pack` wrote it. */
  readonly tarball: string;
  /** The Automation API of the project's own @pulumi/pulumi, so that programs and engine share one copy. */
  readonly automation: typeof automation;
  /** The compiled program of `examples/<name>`, copied into the project. */
  examplePath(name: string): string;
  /** require() as the project's own code would. */
  load<T>(request: string): T;
}

let installed: Promise<ConsumerProject> | undefined;

/** Packs and installs once per process; the folder is removed when the process exits. */
export function consumerProject(): Promise<ConsumerProject> {
  installed ??= install();
  return installed;
}

async function install(): Promise<ConsumerProject> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "ebs-snapshots-consumer-"));
  process.once("exit", () => fs.rmSync(base, { recursive: true, force: true }));
  // --ignore-scripts: `prepare` would rebuild dist/ under the running tests; dist/ is already built.
  const packed = await exec("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", base], { cwd: REPO_ROOT });
  const tarball = path.join(base, packed.stdout.trim().split("\n").pop() ?? "");
  const dir = path.join(base, "project");
  fs.mkdirSync(dir);
  const pulumiVersion = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8")) as { version: string }).version;
  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "ebs-snapshots-consumer", private: true, dependencies: { "pulumi-ebs-snapshots": `file:${tarball}`, "@pulumi/pulumi": pulumiVersion } }, null, 2),
  );
  // The versions `npm ci` just put in npm's cache: no registry round trip where the cache serves.
  await exec("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
  const examplesDir = path.join(REPO_ROOT, "dist", "examples");
  for (const name of fs.readdirSync(examplesDir)) {
    const compiled = path.join(examplesDir, name, "index.js");
    if (fs.existsSync(compiled)) {
      fs.mkdirSync(path.join(dir, "examples", name), { recursive: true });
      fs.copyFileSync(compiled, path.join(dir, "examples", name, "index.js"));
    }
  }
  // Anchored in the project: require.resolve with `paths` from here would find this repository first,
  // through Node's self-reference of a package by its own name.
  const projectRequire = createRequire(path.join(dir, "package.json"));
  const load = <T>(request: string): T => projectRequire(request) as T;
  const sdkPath = projectRequire.resolve("pulumi-ebs-snapshots");
  if (!sdkPath.startsWith(dir)) {
    throw new Error(`the consumer project resolved pulumi-ebs-snapshots to ${sdkPath}, outside itself`);
  }
  return {
    dir,
    tarball,
    automation: load<typeof automation>("@pulumi/pulumi/automation"),
    examplePath: (name) => path.join(dir, "examples", name, "index.js"),
    load,
  };
}
