import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** The repository's root, where `npm run pulumi-cli` lives (this file runs from dist/harness). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** The Pulumi CLI these runs use, as `npm run --silent pulumi-cli` reported it. */
export interface PulumiCli {
  /** Absolute path of the `pulumi` binary. */
  binary: string;
  /** The folder above its `bin/`, as the Automation API's `PulumiCommand.get({ root })` wants it. */
  root: string;
  /** `pulumi version`, such as "v3.274.1". */
  version: string;
}

let located: Promise<PulumiCli> | undefined;

/**
 * Runs the project's own script once per process: it prints the CLI's path as its last stdout line,
 * and its progress (a first build takes minutes) on stderr, which is passed through.
 */
export function pulumiCli(): Promise<PulumiCli> {
  located ??= locate();
  return located;
}

async function locate(): Promise<PulumiCli> {
  const stdout = await run("bash", [path.join(REPO_ROOT, "scripts", "pulumi-cli.sh")], REPO_ROOT, true);
  const binary = stdout.trim().split("\n").pop() ?? "";
  if (!path.isAbsolute(binary) || !fs.existsSync(binary)) {
    throw new Error(`npm run pulumi-cli printed ${JSON.stringify(binary)} as its last line, not the path of a pulumi binary`);
  }
  const version = (await run(binary, ["version"], REPO_ROOT, false)).trim();
  return { binary, root: path.dirname(path.dirname(binary)), version };
}

function run(command: string, args: string[], cwd: string, passStderr: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
      if (passStderr) {
        process.stderr.write(chunk);
      }
    });
    child.once("error", reject);
    child.once("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(" ")} exited with ${code}:\n${err}`))));
  });
}

/** Where one stack's CLI keeps everything: a local file backend and its own PULUMI_HOME. */
export interface CliSandbox {
  backendDir: string;
  homeDir: string;
}

export function newSandbox(parent: string): CliSandbox {
  fs.mkdirSync(parent, { recursive: true });
  const dir = fs.mkdtempSync(path.join(parent, "pulumi-"));
  const sandbox = { backendDir: path.join(dir, "backend"), homeDir: path.join(dir, "home") };
  fs.mkdirSync(sandbox.backendDir);
  fs.mkdirSync(sandbox.homeDir);
  return sandbox;
}

/**
 * The environment that keeps the CLI offline and on loopback: a file backend, an empty passphrase for
 * its secrets provider, no update check, and no plugin download (every plugin must be on the machine).
 */
export function offlineEnvironment(sandbox: CliSandbox): Record<string, string> {
  return {
    PULUMI_BACKEND_URL: `file://${sandbox.backendDir}`,
    PULUMI_CONFIG_PASSPHRASE: "",
    PULUMI_HOME: sandbox.homeDir,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
}

/**
 * What @pulumi/pulumi's gRPC client says when an inline program could not reach the CLI's resource
 * monitor: a known flake of several inline programs in one Node process (pulumi/pulumi#7125). It comes
 * before any resource step, so running the command again changes nothing.
 */
export function isMonitorFlake(text: string): boolean {
  return /14 UNAVAILABLE: No connection established/.test(text);
}
