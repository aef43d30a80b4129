import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { EC2Client } from "@aws-sdk/client-ec2";
import type * as automation from "@pulumi/pulumi/automation";
import { consumerProject, type ConsumerProject } from "./consumerProject";
import { hostEnv, TEST_CREDENTIALS } from "../../harness/engineWorld";
import { startFaultProxy, type FaultProxy } from "../../harness/faultProxy";
import { startMoto, type MotoServer } from "../../harness/moto";
import { isMonitorFlake, newSandbox, offlineEnvironment, pulumiCli, type CliSandbox, type PulumiCli } from "../../harness/pulumiCli";
import { REGION } from "../../harness/seed";

/** One resource step as the engine reported it in its events. */
export interface CliStep {
  urn: string;
  /** The resource's name: the URN's last part. */
  name: string;
  /** The engine's op: same, create, update, replace, create-replacement, delete-replaced, delete, refresh, ... */
  op: string;
  /**
   * Inputs whose values differ between the old and the new state of the step, as the CLI's display
   * computes its `[diff: ...]` (dynamic providers report no detailed diff): `__provider` would show here.
   */
  changed: string[];
  /** Properties whose change forces a replacement. */
  keys: string[];
  failed: boolean;
}

/** What one CLI command did: its own output, its events turned into steps, and how it ended. */
export interface CliRun {
  ok: boolean;
  /** What the CLI printed, colour off, as a user reads it. */
  output: string;
  steps: CliStep[];
  /** Diagnostic messages (errors and warnings) from the engine's events. */
  diagnostics: string[];
  /** The CommandError's text when the command failed. */
  error?: string;
  elapsedMs: number;
}

/** Fails with the CLI's own words when a command did not succeed. */
export function assertOk(run: CliRun, what: string): void {
  assert.ok(run.ok, `${what} failed:\n${run.error ?? ""}\n${run.output}`);
}

/** A resource as `pulumi stack export` records it. */
export interface ExportedResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  initErrors?: string[];
}

export interface ExportedDeployment {
  resources: ExportedResource[];
  pendingOperations: { type: string; urn: string }[];
}

export interface StackOptions {
  project: string;
  program: automation.PulumiFn;
  config?: Record<string, string>;
  /** Extra environment for the CLI and the provider it starts. */
  env?: Record<string, string>;
}

type RunOptions = { onEvent?: (event: automation.EngineEvent) => void; onOutput?: (out: string) => void };

function changedInputs(before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined): string[] {
  if (before === undefined || after === undefined) {
    return [];
  }
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key])).sort();
}

/** The pid of the `pulumi` process running a command for this stack (its argv names `--stack <name>`). */
function runningCli(stackName: string): number {
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    let argv: string[];
    try {
      argv = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
    } catch {
      continue;
    }
    const at = argv.indexOf("--stack");
    if (path.basename(argv[0] ?? "") === "pulumi" && at > 0 && argv[at + 1] === stackName) {
      return Number(entry);
    }
  }
  throw new Error(`no pulumi process is running for stack ${stackName}`);
}

// Stacks of every world share the consumer project's stacks/ folder: names are unique per process.
let stackCount = 0;

function nameOf(urn: string): string {
  return urn.split("::").pop() ?? urn;
}

/** One Pulumi stack driven by the real CLI through the consumer project's Automation API. */
export class CliStack {
  private constructor(
    readonly stack: automation.Stack,
    readonly sandbox: CliSandbox,
    readonly workDir: string,
  ) {}

  static async create(world: CliWorld, name: string, options: StackOptions): Promise<CliStack> {
    const auto = world.consumer.automation;
    const sandbox = newSandbox(world.tempDir);
    // Its own folder inside the consumer project: the CLI starts the provider plugin here, and the
    // serialized shim resolves pulumi-ebs-snapshots/provider from here, up to the project's node_modules.
    const workDir = path.join(world.consumer.dir, "stacks", name);
    fs.mkdirSync(workDir, { recursive: true });
    const pulumiCommand = await auto.PulumiCommand.get({ root: world.cli.root });
    const stack = await auto.LocalWorkspace.createOrSelectStack(
      { stackName: name, projectName: options.project, program: options.program },
      {
        workDir,
        pulumiCommand,
        projectSettings: { name: options.project, runtime: "nodejs" },
        envVars: { ...offlineEnvironment(sandbox), ...world.providerEnv, ...options.env },
      },
    );
    const config = { "aws:region": REGION, ...options.config };
    await stack.setAllConfig(Object.fromEntries(Object.entries(config).map(([key, value]) => [key, { value }])));
    return new CliStack(stack, sandbox, workDir);
  }

  /** The environment of every later command (the CLI passes its own to the plugins it starts). */
  setEnv(env: Record<string, string>): void {
    Object.assign((this.stack.workspace as automation.LocalWorkspace).envVars, env);
  }

  /** Takes variables out of the environment of every later command. */
  unsetEnv(keys: readonly string[]): void {
    const env = (this.stack.workspace as automation.LocalWorkspace).envVars;
    keys.forEach((key) => delete env[key]);
  }

  setConfig(key: string, value: string): Promise<void> {
    return this.stack.setConfig(key, { value });
  }

  preview(options: Omit<automation.PreviewOptions, keyof RunOptions> = {}): Promise<CliRun> {
    return this.record((hooks) => this.stack.preview({ color: "never", ...options, ...hooks }));
  }

  up(options: Omit<automation.UpOptions, keyof RunOptions> = {}): Promise<CliRun> {
    return this.record((hooks) => this.stack.up({ color: "never", ...options, ...hooks }));
  }

  refresh(options: Omit<automation.RefreshOptions, keyof RunOptions> = {}): Promise<CliRun> {
    return this.record((hooks) => this.stack.refresh({ color: "never", ...options, ...hooks }));
  }

  destroy(options: Omit<automation.DestroyOptions, keyof RunOptions> = {}): Promise<CliRun> {
    return this.record((hooks) => this.stack.destroy({ color: "never", ...options, ...hooks }));
  }

  /**
   * Sends SIGINT to this stack's running `pulumi` process, as Ctrl-C in a terminal does; `times` 2 is
   * the second Ctrl-C, after which the CLI terminates at once instead of waiting for the operations in
   * flight. Returns the pid signalled.
   */
  async interrupt(times: 1 | 2): Promise<number> {
    const pid = runningCli(this.stack.name);
    for (let i = 0; i < times; i += 1) {
      if (i > 0) {
        // The CLI reads signals in order; the second must find the first one handled.
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      process.kill(pid, "SIGINT");
    }
    return pid;
  }

  /** `pulumi stack export`, reduced to what the tests read. */
  async exported(): Promise<ExportedDeployment> {
    const state = await this.stack.exportStack();
    const deployment = state.deployment as { resources?: ExportedResource[]; pending_operations?: { type: string; resource: { urn: string } }[] };
    return {
      resources: deployment.resources ?? [],
      pendingOperations: (deployment.pending_operations ?? []).map((op) => ({ type: op.type, urn: op.resource.urn })),
    };
  }

  /** The recorded resources of this package's types, by name. */
  async snapshots(): Promise<Map<string, ExportedResource>> {
    const { resources } = await this.exported();
    return new Map(resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/ebs-snapshots:")).map((r) => [nameOf(r.urn), r]));
  }

  /** Every file the backend wrote for this stack, concatenated: state, history, config. */
  backendText(): string {
    const texts: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          walk(full);
        } else {
          texts.push(fs.readFileSync(full, "utf8"));
        }
      }
    };
    walk(this.sandbox.backendDir);
    walk(this.workDir);
    return texts.join("\n");
  }

  /**
   * Runs a command, once more (twice at most) if the inline program, in this test process, could not
   * reach the CLI's resource monitor before any resource step began: "14 UNAVAILABLE: No connection
   * established" from @pulumi/pulumi's gRPC client, a known flake of several inline programs run in one
   * Node process (pulumi/pulumi#7125). It happened once in about 40 real-CLI runs here; with no step
   * begun, nothing reached the provider, so running again changes nothing a test asserts.
   */
  private async record(command: (hooks: RunOptions) => Promise<unknown>): Promise<CliRun> {
    let run = await this.recordOnce(command);
    for (let retry = 0; retry < 2 && !run.ok && run.steps.length === 0 && isMonitorFlake(`${run.output}${run.error ?? ""}`); retry += 1) {
      run = await this.recordOnce(command);
    }
    return run;
  }

  private async recordOnce(command: (hooks: RunOptions) => Promise<unknown>): Promise<CliRun> {
    const started = Date.now();
    const steps: CliStep[] = [];
    const diagnostics: string[] = [];
    let output = "";
    const onEvent = (event: automation.EngineEvent): void => {
      const pre = event.resourcePreEvent?.metadata;
      if (pre !== undefined && pre.type !== "pulumi:pulumi:Stack" && !pre.type.startsWith("pulumi:providers:")) {
        steps.push({ urn: pre.urn, name: nameOf(pre.urn), op: pre.op, changed: changedInputs(pre.old?.inputs, pre.new?.inputs), keys: pre.keys ?? [], failed: false });
      }
      const failed = event.resOpFailedEvent?.metadata;
      if (failed !== undefined) {
        const step = [...steps].reverse().find((s) => s.urn === failed.urn);
        if (step !== undefined) {
          step.failed = true;
        }
      }
      const diagnostic = event.diagnosticEvent;
      if (diagnostic !== undefined && (diagnostic.severity === "error" || diagnostic.severity === "warning")) {
        diagnostics.push(diagnostic.message);
      }
    };
    try {
      await command({ onEvent, onOutput: (out) => (output += out) });
      return { ok: true, output, steps, diagnostics, elapsedMs: Date.now() - started };
    } catch (error) {
      transcribe(diagnostics);
      return { ok: false, output, steps, diagnostics, error: error instanceof Error ? error.message : String(error), elapsedMs: Date.now() - started };
    }
  }
}

/**
 * What a real-engine suite needs, started together and stopped together: moto, the fault proxy in front
 * of it, the Pulumi CLI (built here if need be), the consumer project, and an SDK client that reaches
 * moto directly, past any injected fault, to seed data and to check what really exists.
 */
export class CliWorld {
  private constructor(
    readonly moto: MotoServer,
    readonly proxy: FaultProxy,
    readonly ec2: EC2Client,
    readonly cli: PulumiCli,
    readonly consumer: ConsumerProject,
    readonly tempDir: string,
    private readonly extraEnv: Record<string, string>,
  ) {}

  static async start(extraEnv: Record<string, string> = {}): Promise<CliWorld> {
    const [cli, consumer] = [await pulumiCli(), await consumerProject()];
    const moto = await startMoto();
    try {
      const proxy = await startFaultProxy(moto.endpoint);
      const ec2 = new EC2Client({ region: REGION, endpoint: moto.endpoint, credentials: TEST_CREDENTIALS });
      const tempDir = fs.mkdtempSync(path.join(path.dirname(consumer.dir), "stacks-"));
      return new CliWorld(moto, proxy, ec2, cli, consumer, tempDir, extraEnv);
    } catch (error) {
      await moto.stop();
      throw error;
    }
  }

  /** The provider's environment: EC2 through the proxy, test credentials, fast polling. */
  get providerEnv(): Record<string, string> {
    return hostEnv(this.proxy.endpoint, this.extraEnv);
  }

  /** A new stack with its own backend, named uniquely in this world. */
  newStack(options: StackOptions): Promise<CliStack> {
    stackCount += 1;
    return CliStack.create(this, `s${stackCount}`, options);
  }

  /** An inline program that runs the compiled example, as `pulumi up` in its folder would. */
  exampleProgram(name: string): automation.PulumiFn {
    const file = this.consumer.examplePath(name);
    return async () => {
      delete require.cache[file];
      return { ...(require(file) as Record<string, unknown>) };
    };
  }

  /** The SDK as the consumer project installed it. */
  get sdk(): typeof import("../../sdk") {
    return this.consumer.load<typeof import("../../sdk")>("pulumi-ebs-snapshots");
  }

  async stop(): Promise<void> {
    this.ec2.destroy();
    await this.proxy.close();
    await this.moto.stop();
    fs.rmSync(this.tempDir, { recursive: true, force: true });
  }
}

/**
 * Installs, in the calling `describe`, one CliWorld for its tests (started before them, stopped after),
 * emptied of snapshots and proxy rules before each test unless `resetEach` is false. Returns its getter.
 */
export function useCliWorld(options: { resetEach?: boolean } = {}): () => CliWorld {
  let world: CliWorld | undefined;
  const current = (): CliWorld => {
    if (world === undefined) {
      throw new Error("the CliWorld is not started: call it from a test or hook of the describe that installed it");
    }
    return world;
  };
  before(async function () {
    world = await CliWorld.start();
  });
  after(async function () {
    await world?.stop();
  });
  if (options.resetEach ?? true) {
    beforeEach(async function () {
      await current().moto.reset();
      current().proxy.reset();
    });
  }
  return current;
}

/**
 * With EBS_SNAPSHOTS_CLI_TRANSCRIPT set to a file, every failed command's diagnostics are appended to it
 * as the CLI printed them: the source of the real messages quoted in notes and the README.
 */
function transcribe(diagnostics: readonly string[]): void {
  const file = process.env.EBS_SNAPSHOTS_CLI_TRANSCRIPT;
  if (file !== undefined && file !== "" && diagnostics.length > 0) {
    fs.appendFileSync(file, `${diagnostics.join("\n")}\n---\n`);
  }
}
