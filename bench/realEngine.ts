/**
 * `npm run bench -- --real-engine [--n 100]`: N Snapshots in one `pulumi up` of the real Pulumi CLI,
 * against moto behind the fault proxy, which keeps every new snapshot pending for a few of its
 * DescribeSnapshots answers, through both faces of the provider: a TypeScript program of the SDK's
 * dynamic resources (the dynamic-provider host), and the same N declared in a generated Pulumi YAML
 * program (the plugin bin/pulumi-resource-ebs-snapshots). It counts the provider processes the CLI
 * starts and the EC2 calls they make, times `up`, `refresh` (its calls counted too) and `destroy`, and runs the same N through the model
 * engine (harness/deployment.ts over the SDK's own dynamic-provider host) for comparison: the shared
 * poller must batch across resources under the real engine as it does under the model. Before those,
 * it times the start-up of each face's process (providerStartup.ts). Real time, not simulated.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CreateVolumeCommand, EC2Client } from "@aws-sdk/client-ec2";
import * as automation from "@pulumi/pulumi/automation";
import { Snapshot } from "../sdk";
import { Deployment } from "../harness/deployment";
import { hostEnv, TEST_CREDENTIALS } from "../harness/engineWorld";
import { startFaultProxy, type FaultProxy, type RecordedRequest } from "../harness/faultProxy";
import { startMoto } from "../harness/moto";
import { registerResources } from "../harness/program";
import { ProviderHost, type ProviderFace } from "../harness/providerHost";
import { newSandbox, offlineEnvironment, pulumiCli, REPO_ROOT } from "../harness/pulumiCli";
import { allSnapshots, AVAILABILITY_ZONE, REGION } from "../harness/seed";
import { isInterruptedLookup } from "../harness/snapshotPolls";
import { measureStartup, startupLine } from "./providerStartup";

/** Polls as the demo has them: the emulator's snapshots pend for seconds, not minutes. */
const PROVIDER_ENV = {
  EBS_SNAPSHOTS_DESCRIBE_INTERVAL_MS: "500",
  EBS_SNAPSHOTS_POLL_MIN_MS: "500",
  EBS_SNAPSHOTS_POLL_MAX_MS: "3000",
  EBS_SNAPSHOTS_VOLUME_SPACING_MS: "0",
};
const PENDING_DESCRIBES = 4;

interface EngineRun {
  engine: string;
  face: ProviderFace;
  ok: boolean;
  /** Distinct provider processes of the run's face seen during `up`. */
  providerProcesses: number;
  polls: number;
  lookups: number;
  /** The most snapshot ids one poll asked for. */
  maxIdsPerPoll: number;
  creates: number;
  apiCalls: number;
  wallS: number;
  destroyWallS: number;
  /** `pulumi refresh` of the N: its EC2 calls (counted at the proxy) and wall time; absent for the model engine. */
  refresh?: { apiCalls: number; describeCalls: number; wallS: number };
}

/**
 * The script a face's provider process runs under node: the SDK's dynamic-provider host, or the plugin's
 * main (bin/pulumi-resource-ebs-snapshots execs node on it, so the process keeps its pid).
 */
const PROVIDER_SCRIPT: Readonly<Record<ProviderFace, string>> = {
  dynamic: path.join("cmd", "dynamic-provider", "index.js"),
  plugin: path.join("provider", "faces", "plugin", "main.js"),
};

/** The parent pid of a process, or undefined once it is gone. */
function parentOf(pid: string): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ")".
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1];
  } catch {
    return undefined;
  }
}

/** Whether a process descends from this one (the CLI it started, and what the CLI started), not another suite's. */
function isOurs(pid: string): boolean {
  const own = String(process.pid);
  for (let at: string | undefined = parentOf(pid), hops = 0; at !== undefined && at !== "0" && hops < 64; at = parentOf(at), hops += 1) {
    if (at === own) {
      return true;
    }
  }
  return false;
}

/** Samples /proc for this bench's processes running the face's provider, until stopped. */
function watchProviderProcesses(face: ProviderFace): { stop(): number } {
  const seen = new Set<string>();
  const sample = (): void => {
    for (const entry of fs.readdirSync("/proc")) {
      if (/^\d+$/.test(entry) && !seen.has(entry)) {
        try {
          // The provider itself, not the dynamic plugin script's `node -e require.resolve(...)` that finds it.
          const [, script = ""] = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
          if (script.endsWith(PROVIDER_SCRIPT[face]) && isOurs(entry)) {
            seen.add(entry);
          }
        } catch {
          // gone meanwhile
        }
      }
    }
  };
  sample();
  const timer = setInterval(sample, 100);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return seen.size;
    },
  };
}

function idsAskedFor(request: RecordedRequest): number {
  return Object.keys(request.params).filter((key) => /^Filter\.\d+\.Value\.\d+$/.test(key) && request.params[key].startsWith("snap-")).length;
}

function measured(
  engine: string,
  face: ProviderFace,
  ok: boolean,
  requests: readonly RecordedRequest[],
  providerProcesses: number,
  wallMs: number,
  destroyWallMs: number,
): EngineRun {
  const describes = requests.filter((r) => r.action === "DescribeSnapshots");
  const polls = describes.filter((r) => !isInterruptedLookup(r) && idsAskedFor(r) > 0);
  return {
    engine,
    face,
    ok,
    providerProcesses,
    polls: polls.length,
    lookups: describes.filter(isInterruptedLookup).length,
    maxIdsPerPoll: Math.max(0, ...polls.map(idsAskedFor)),
    creates: requests.filter((r) => r.action === "CreateSnapshot").length,
    apiCalls: requests.length,
    wallS: wallMs / 1_000,
    destroyWallS: destroyWallMs / 1_000,
  };
}

/** The CLI's default --parallel: GOMAXPROCS x 4, GOMAXPROCS being the number of CPUs. */
const CLI_DEFAULT_PARALLEL = os.availableParallelism() * 4;

/**
 * The plugin face's program: the same N Snapshots in Pulumi YAML, the plugin found through the project's
 * `plugins:` entry (this repository's bin/), as examples/yaml-backup does.
 */
function yamlProgram(volumes: readonly string[]): string {
  return [
    "name: bench-real-engine-plugin",
    "runtime: yaml",
    "plugins:",
    "  providers:",
    "    - name: ebs-snapshots",
    `      path: ${JSON.stringify(path.join(REPO_ROOT, "bin"))}`,
    "resources:",
    ...volumes.flatMap((volumeId, i) => [`  s${i}:`, "    type: ebs-snapshots:Snapshot", "    properties:", `      volumeId: ${volumeId}`]),
    "",
  ].join("\n");
}

/**
 * The stack of one face's program in `projectDir`: the dynamic face's inline TypeScript program (run in
 * this process), or the plugin face's generated YAML program; each with its provider's region config.
 */
async function cliStack(face: ProviderFace, volumes: string[], projectDir: string, workspace: automation.LocalWorkspaceOptions): Promise<automation.Stack> {
  if (face === "dynamic") {
    const stack = await automation.LocalWorkspace.createOrSelectStack(
      {
        stackName: "bench",
        projectName: "bench-real-engine",
        program: async () => {
          volumes.forEach((volumeId, i) => new Snapshot(`s${i}`, { volumeId }));
        },
      },
      { ...workspace, projectSettings: { name: "bench-real-engine", runtime: "nodejs" } },
    );
    await stack.setConfig("aws:region", { value: REGION });
    return stack;
  }
  fs.writeFileSync(path.join(projectDir, "Pulumi.yaml"), yamlProgram(volumes));
  const stack = await automation.LocalWorkspace.createOrSelectStack({ stackName: "bench", workDir: projectDir }, workspace);
  await stack.setConfig("ebs-snapshots:region", { value: REGION });
  return stack;
}

/** N Snapshots in one `up` of the real CLI through one face, then `destroy`, in a temporary folder with its own backend and PULUMI_HOME. */
async function throughCli(face: ProviderFace, volumes: string[], proxy: FaultProxy, parallel: number | undefined): Promise<EngineRun> {
  const cli = await pulumiCli();
  fs.mkdirSync(path.join(REPO_ROOT, ".cache"), { recursive: true });
  const workDir = fs.mkdtempSync(path.join(REPO_ROOT, ".cache", "bench-"));
  // The project in a folder of its own, beside the sandbox: a YAML project's folder holds only its program and stack config.
  const projectDir = path.join(workDir, "project");
  fs.mkdirSync(projectDir);
  try {
    const stack = await cliStack(face, volumes, projectDir, {
      workDir: projectDir,
      pulumiCommand: await automation.PulumiCommand.get({ root: cli.root }),
      envVars: { ...offlineEnvironment(newSandbox(workDir)), ...hostEnv(proxy.endpoint), ...PROVIDER_ENV },
    });
    proxy.clearRequests();
    const processes = watchProviderProcesses(face);
    const started = Date.now();
    const result = await stack.up({ color: "never", ...(parallel !== undefined ? { parallel } : {}) });
    const upMs = Date.now() - started;
    const providerProcesses = processes.stop();
    const requests = [...proxy.requests];
    proxy.clearRequests();
    const refreshStarted = Date.now();
    const refreshed = await stack.refresh({ color: "never", ...(parallel !== undefined ? { parallel } : {}) });
    const refresh = {
      apiCalls: proxy.requests.length,
      describeCalls: proxy.count("DescribeSnapshots"),
      wallS: (Date.now() - refreshStarted) / 1_000,
    };
    const destroyStarted = Date.now();
    const destroyed = await stack.destroy({ color: "never", ...(parallel !== undefined ? { parallel } : {}) });
    const run = measured(
      `real CLI ${cli.version}, ${parallel === undefined ? `default --parallel (${CLI_DEFAULT_PARALLEL} here)` : `--parallel ${parallel}`}`,
      face,
      result.summary.result === "succeeded" && refreshed.summary.result === "succeeded" && destroyed.summary.result === "succeeded",
      requests,
      providerProcesses,
      upMs,
      Date.now() - destroyStarted,
    );
    return { ...run, refresh };
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

async function throughModel(volumes: string[], proxy: FaultProxy, parallel: number): Promise<EngineRun> {
  const host = await ProviderHost.start({ env: { ...hostEnv(proxy.endpoint), ...PROVIDER_ENV } });
  try {
    await host.configure({ "aws:region": REGION });
    const deployment = new Deployment(host);
    const resources = await registerResources(() => {
      volumes.forEach((volumeId, i) => new Snapshot(`s${i}`, { volumeId }));
    });
    proxy.clearRequests();
    const started = Date.now();
    const steps = await deployment.up(resources, { parallel });
    const upMs = Date.now() - started;
    const requests = [...proxy.requests];
    const destroyStarted = Date.now();
    // The same bound as its `up`, as `pulumi destroy --parallel` would have it.
    await deployment.destroy({ parallel });
    return measured(
      `model engine, parallel ${parallel}`,
      "dynamic",
      steps.every((s) => s.ok),
      requests,
      1,
      upMs,
      Date.now() - destroyStarted,
    );
  } finally {
    await host.stop();
  }
}

/** The face column of the table. */
const FACE_LABEL: Readonly<Record<ProviderFace, string>> = { dynamic: "dynamic (TypeScript)", plugin: "plugin (YAML)" };

export async function realEngineBench(argv: readonly string[]): Promise<void> {
  const at = argv.indexOf("--n");
  const n = at >= 0 ? Number(argv[at + 1]) : 100;
  const benchStarted = Date.now();
  const startup = startupLine(await measureStartup());
  const moto = await startMoto();
  const proxy = await startFaultProxy(moto.endpoint);
  const ec2 = new EC2Client({ region: REGION, endpoint: moto.endpoint, credentials: TEST_CREDENTIALS });
  try {
    const volumes: string[] = [];
    for (let i = 0; i < n; i += 1) {
      volumes.push((await ec2.send(new CreateVolumeCommand({ AvailabilityZone: AVAILABILITY_ZONE, Size: 8, VolumeType: "gp3" }))).VolumeId ?? "");
    }
    const engines = {
      real: () => throughCli("dynamic", volumes, proxy, undefined),
      model: () => throughModel(volumes, proxy, CLI_DEFAULT_PARALLEL),
      plugin: () => throughCli("plugin", volumes, proxy, undefined),
      wide: () => throughCli("dynamic", volumes, proxy, n),
      wideModel: () => throughModel(volumes, proxy, n),
      widePlugin: () => throughCli("plugin", volumes, proxy, n),
    };
    const runs: Partial<Record<keyof typeof engines, EngineRun>> = {};
    for (const [name, run] of Object.entries(engines) as [keyof typeof engines, () => Promise<EngineRun>][]) {
      proxy.reset();
      proxy.progressNewSnapshots({ pendingDescribes: PENDING_DESCRIBES });
      runs[name] = await run();
      const left = await allSnapshots(ec2);
      if (left.length > 0) {
        throw new Error(`${left.length} snapshots left after destroy (${name})`);
      }
    }
    const { real, model, plugin, wide, wideModel, widePlugin } = runs as Record<keyof typeof engines, EngineRun>;
    console.log(startup);
    console.log(
      `N=${n} Snapshots in one \`pulumi up\`, each pending for ${PENDING_DESCRIBES} DescribeSnapshots answers (fault proxy over moto), a shared round every ${PROVIDER_ENV.EBS_SNAPSHOTS_DESCRIBE_INTERVAL_MS} ms`,
    );
    console.log(
      "| engine | face | ok | provider processes | CreateSnapshot | DescribeSnapshots polls | most ids in one poll | interrupted-create lookups | EC2 calls | up wall s | destroy wall s |",
    );
    console.log("|:--|:--|:--|--:|--:|--:|--:|--:|--:|--:|--:|");
    for (const r of [real, model, plugin, wide, wideModel, widePlugin]) {
      console.log(
        `| ${r.engine} | ${FACE_LABEL[r.face]} | ${r.ok ? "yes" : "no"} | ${r.providerProcesses} | ${r.creates} | ${r.polls} | ${r.maxIdsPerPoll} | ${r.lookups} | ${r.apiCalls} | ${r.wallS.toFixed(1)} | ${r.destroyWallS.toFixed(1)} |`,
      );
    }
    console.log("");
    console.log(`\`pulumi refresh\` of the same N after the \`up\`, through the real CLI (EC2 calls counted at the proxy)`);
    console.log("| engine | face | EC2 calls | DescribeSnapshots | calls per resource | refresh wall s |");
    console.log("|:--|:--|--:|--:|--:|--:|");
    for (const r of [real, plugin, wide, widePlugin]) {
      const refresh = r.refresh;
      if (refresh !== undefined) {
        console.log(
          `| ${r.engine} | ${FACE_LABEL[r.face]} | ${refresh.apiCalls} | ${refresh.describeCalls} | ${(refresh.apiCalls / n).toFixed(3)} | ${refresh.wallS.toFixed(1)} |`,
        );
      }
    }
    console.log(`real-engine bench took ${((Date.now() - benchStarted) / 1_000).toFixed(1)} s real`);
    // The keys before plugin_* are those of the dynamic face, as before the plugin rows; ok covers every row.
    console.log(
      `REAL_ENGINE n=${n} ok=${Object.values(runs).every((r) => r.ok)} provider_processes=${real.providerProcesses} ` +
        `describe_polls=${real.polls} model_describe_polls=${model.polls} max_ids_per_poll=${real.maxIdsPerPoll} ` +
        `parallel_n_describe_polls=${wide.polls} parallel_n_model_describe_polls=${wideModel.polls} parallel_n_max_ids_per_poll=${wide.maxIdsPerPoll} ` +
        `lookups=${real.lookups} api_calls=${real.apiCalls} ` +
        `plugin_provider_processes=${plugin.providerProcesses} plugin_describe_polls=${plugin.polls} plugin_max_ids_per_poll=${plugin.maxIdsPerPoll} ` +
        `plugin_lookups=${plugin.lookups} plugin_api_calls=${plugin.apiCalls} ` +
        `parallel_n_plugin_provider_processes=${widePlugin.providerProcesses} parallel_n_plugin_describe_polls=${widePlugin.polls} parallel_n_plugin_max_ids_per_poll=${widePlugin.maxIdsPerPoll} ` +
        `refresh_api_calls=${real.refresh?.apiCalls ?? "nan"} plugin_refresh_api_calls=${plugin.refresh?.apiCalls ?? "nan"} parallel_n_refresh_api_calls=${wide.refresh?.apiCalls ?? "nan"}`,
    );
  } finally {
    ec2.destroy();
    await proxy.close();
    await moto.stop();
  }
}
