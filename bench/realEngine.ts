/**
 * `npm run bench -- --real-engine [--n 100]`: N Snapshots in one `pulumi up` of the real Pulumi CLI,
 * against moto behind the fault proxy, which keeps every new snapshot pending for a few of its
 * DescribeSnapshots answers. It counts the dynamic-provider processes the CLI starts and the EC2 calls
 * they make, and runs the same N through the model engine (harness/deployment.ts over the SDK's
 * own dynamic-provider host) for comparison: the shared poller must batch across resources under the
 * real engine as it does under the model. Real time, not simulated: the figures are counts.
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
import { ProviderHost } from "../harness/providerHost";
import { newSandbox, offlineEnvironment, pulumiCli, REPO_ROOT } from "../harness/pulumiCli";
import { allSnapshots, AVAILABILITY_ZONE, REGION } from "../harness/seed";
import { isInterruptedLookup } from "../harness/snapshotPolls";

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
  ok: boolean;
  /** Distinct dynamic-provider processes seen during the run. */
  providerProcesses: number;
  polls: number;
  lookups: number;
  /** The most snapshot ids one poll asked for. */
  maxIdsPerPoll: number;
  creates: number;
  apiCalls: number;
  wallS: number;
}

/** Samples /proc for processes running the SDK's dynamic-provider host, until stopped. */
function watchProviderProcesses(): { stop(): number } {
  const seen = new Set<string>();
  const sample = (): void => {
    for (const entry of fs.readdirSync("/proc")) {
      if (/^\d+$/.test(entry)) {
        try {
          // The host itself, not the plugin script's `node -e require.resolve(...)` that finds it.
          const [, script = ""] = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
          if (script.endsWith(path.join("cmd", "dynamic-provider", "index.js"))) {
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

function measured(engine: string, ok: boolean, requests: readonly RecordedRequest[], providerProcesses: number, wallMs: number): EngineRun {
  const describes = requests.filter((r) => r.action === "DescribeSnapshots");
  const polls = describes.filter((r) => !isInterruptedLookup(r) && idsAskedFor(r) > 0);
  return {
    engine,
    ok,
    providerProcesses,
    polls: polls.length,
    lookups: describes.filter(isInterruptedLookup).length,
    maxIdsPerPoll: Math.max(0, ...polls.map(idsAskedFor)),
    creates: requests.filter((r) => r.action === "CreateSnapshot").length,
    apiCalls: requests.length,
    wallS: wallMs / 1_000,
  };
}

/** The CLI's default --parallel: GOMAXPROCS x 4, GOMAXPROCS being the number of CPUs. */
const CLI_DEFAULT_PARALLEL = os.availableParallelism() * 4;

async function throughCli(volumes: string[], proxy: FaultProxy, parallel: number | undefined): Promise<EngineRun> {
  const cli = await pulumiCli();
  fs.mkdirSync(path.join(REPO_ROOT, ".cache"), { recursive: true });
  const workDir = fs.mkdtempSync(path.join(REPO_ROOT, ".cache", "bench-"));
  try {
    const stack = await automation.LocalWorkspace.createOrSelectStack(
      {
        stackName: "bench",
        projectName: "bench-real-engine",
        program: async () => {
          volumes.forEach((volumeId, i) => new Snapshot(`s${i}`, { volumeId }));
        },
      },
      {
        workDir,
        pulumiCommand: await automation.PulumiCommand.get({ root: cli.root }),
        projectSettings: { name: "bench-real-engine", runtime: "nodejs" },
        envVars: { ...offlineEnvironment(newSandbox(workDir)), ...hostEnv(proxy.endpoint), ...PROVIDER_ENV },
      },
    );
    await stack.setConfig("aws:region", { value: REGION });
    proxy.clearRequests();
    const processes = watchProviderProcesses();
    const started = Date.now();
    const result = await stack.up({ color: "never", ...(parallel !== undefined ? { parallel } : {}) });
    const run = measured(
      `real CLI ${cli.version}, ${parallel === undefined ? `default --parallel (${CLI_DEFAULT_PARALLEL} here)` : `--parallel ${parallel}`}`,
      result.summary.result === "succeeded",
      proxy.requests,
      processes.stop(),
      Date.now() - started,
    );
    await stack.destroy({ color: "never" });
    return run;
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
    const run = measured(
      `model engine, parallel ${parallel}`,
      steps.every((s) => s.ok),
      proxy.requests,
      1,
      Date.now() - started,
    );
    await deployment.destroy({ parallel: true });
    return run;
  } finally {
    await host.stop();
  }
}

export async function realEngineBench(argv: readonly string[]): Promise<void> {
  const at = argv.indexOf("--n");
  const n = at >= 0 ? Number(argv[at + 1]) : 100;
  const moto = await startMoto();
  const proxy = await startFaultProxy(moto.endpoint);
  const ec2 = new EC2Client({ region: REGION, endpoint: moto.endpoint, credentials: TEST_CREDENTIALS });
  try {
    const volumes: string[] = [];
    for (let i = 0; i < n; i += 1) {
      volumes.push((await ec2.send(new CreateVolumeCommand({ AvailabilityZone: AVAILABILITY_ZONE, Size: 8, VolumeType: "gp3" }))).VolumeId ?? "");
    }
    const runs: EngineRun[] = [];
    const engines = [
      () => throughCli(volumes, proxy, undefined),
      () => throughModel(volumes, proxy, CLI_DEFAULT_PARALLEL),
      () => throughCli(volumes, proxy, n),
      () => throughModel(volumes, proxy, n),
    ];
    for (const run of engines) {
      proxy.reset();
      proxy.progressNewSnapshots({ pendingDescribes: PENDING_DESCRIBES });
      runs.push(await run());
      const left = await allSnapshots(ec2);
      if (left.length > 0) {
        throw new Error(`${left.length} snapshots left after destroy`);
      }
    }
    console.log(
      `N=${n} Snapshots in one \`pulumi up\`, each pending for ${PENDING_DESCRIBES} DescribeSnapshots answers (fault proxy over moto), a shared round every ${PROVIDER_ENV.EBS_SNAPSHOTS_DESCRIBE_INTERVAL_MS} ms`,
    );
    console.log(
      "| engine | ok | dynamic-provider processes | CreateSnapshot | DescribeSnapshots polls | most ids in one poll | interrupted-create lookups | EC2 calls | up wall s |",
    );
    console.log("|:--|:--|--:|--:|--:|--:|--:|--:|--:|");
    for (const r of runs) {
      console.log(
        `| ${r.engine} | ${r.ok ? "yes" : "no"} | ${r.providerProcesses} | ${r.creates} | ${r.polls} | ${r.maxIdsPerPoll} | ${r.lookups} | ${r.apiCalls} | ${r.wallS.toFixed(1)} |`,
      );
    }
    const [real, model, wide, wideModel] = runs;
    console.log(
      `REAL_ENGINE n=${n} ok=${runs.every((r) => r.ok)} provider_processes=${real.providerProcesses} ` +
        `describe_polls=${real.polls} model_describe_polls=${model.polls} max_ids_per_poll=${real.maxIdsPerPoll} ` +
        `parallel_n_describe_polls=${wide.polls} parallel_n_model_describe_polls=${wideModel.polls} parallel_n_max_ids_per_poll=${wide.maxIdsPerPoll} ` +
        `lookups=${real.lookups} api_calls=${real.apiCalls}`,
    );
  } finally {
    ec2.destroy();
    await proxy.close();
    await moto.stop();
  }
}
