import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { newSandbox, offlineEnvironment, pulumiCli, REPO_ROOT } from "../../harness/pulumiCli";

/** What one `pulumi` command printed, and how it ended. */
export interface CommandRun {
  ok: boolean;
  code: number | null;
  /** stdout and stderr, in the order they arrived. */
  output: string;
  stdout: string;
  elapsedMs: number;
}

/** Fails with the command's whole output when it did not succeed. */
export function assertOk(run: CommandRun, what: string): void {
  assert.ok(run.ok, `${what} failed (exit ${run.code}):\n${run.output}`);
}

/** Bound on one command, below mocha's timeout, so a hung command fails the test with its output. */
const COMMAND_TIMEOUT_MS = 110_000;

/**
 * A Pulumi project folder of this repository (such as examples/yaml-backup), or one a test wrote
 * elsewhere (an absolute path), driven with `pulumi` commands in that folder, as a user runs them: a
 * local file backend and PULUMI_HOME in a temporary sandbox, and the stack's config in a file of the
 * sandbox (`--config-file`), so the folder stays as checked in.
 */
export class PulumiProject {
  private constructor(
    readonly dir: string,
    readonly stack: string,
    private readonly binary: string,
    private readonly env: Record<string, string>,
    readonly configFile: string,
  ) {}

  /** `folder` is relative to the repository's root, or absolute. */
  static async open(folder: string, tempDir: string, stack: string, env: Record<string, string>): Promise<PulumiProject> {
    const { binary } = await pulumiCli();
    const sandbox = newSandbox(tempDir);
    const configFile = path.join(path.dirname(sandbox.backendDir), `Pulumi.${stack}.yaml`);
    const project = new PulumiProject(path.resolve(REPO_ROOT, folder), stack, binary, { ...offlineEnvironment(sandbox), ...env }, configFile);
    const init = await project.run(["stack", "init"]);
    if (!init.ok) {
      throw new Error(`pulumi stack init failed:\n${init.output}`);
    }
    return project;
  }

  /** Changes the environment of the commands that follow (the CLI passes it to the plugins it starts). */
  setEnv(env: Record<string, string>): void {
    Object.assign(this.env, env);
  }

  async setConfig(key: string, value: string): Promise<void> {
    const set = await this.run(["config", "set", key, value]);
    if (!set.ok) {
      throw new Error(`pulumi config set ${key} failed:\n${set.output}`);
    }
  }

  /** One `pulumi` command in the project folder, on this project's stack and config file (`plugin` commands take no stack). */
  run(args: readonly string[]): Promise<CommandRun> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
      // Only the commands that read the stack's config take --config-file.
      const config = ["config", "up", "preview", "refresh", "destroy", "import"].includes(args[0]) ? ["--config-file", this.configFile] : [];
      const stack = args[0] === "plugin" ? [] : ["--stack", this.stack];
      const child = spawn(this.binary, [...args, ...stack, ...config, "--non-interactive", "--color", "never"], {
        cwd: this.dir,
        env: { ...scrubbed(process.env), ...this.env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      let stdout = "";
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        stdout += chunk.toString();
      });
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const timer = setTimeout(() => child.kill("SIGKILL"), COMMAND_TIMEOUT_MS);
      child.once("error", reject);
      child.once("close", (code) => {
        clearTimeout(timer);
        resolve({ ok: code === 0, code, output, stdout, elapsedMs: Date.now() - started });
      });
    });
  }

  /** The stack's exported state (`pulumi stack export`), for what it recorded. */
  async exported(): Promise<{ resources: { urn: string; type: string; id?: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }[] }> {
    const run = await this.run(["stack", "export"]);
    if (!run.ok) {
      throw new Error(`pulumi stack export failed:\n${run.output}`);
    }
    return (JSON.parse(run.stdout) as { deployment: { resources?: [] } }).deployment as never;
  }

  /** Every file the CLI wrote for this stack: its backend, its PULUMI_HOME and its config. */
  sandboxFiles(): string[] {
    const root = path.dirname(this.configFile);
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          // The plugin cache holds no stack data.
          if (entry.name !== "plugins") {
            walk(full);
          }
        } else {
          files.push(full);
        }
      }
    };
    walk(root);
    return files;
  }
}

/** This process's environment without what would reach a real cloud or another backend. */
function scrubbed(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && !/^(AWS_|PULUMI_|EBS_SNAPSHOTS_)/.test(entry[0])));
}
