/**
 * The waiting benchmark of issue #6: `npm run bench` (build, then `node dist/bench/run.js`).
 *
 * For N = 1, 10, 100 and 500 snapshots (500 spread over 100 volumes, 5 each; otherwise one per
 * volume), runs the baseline (CreateSnapshot + one SDK waiter per snapshot) and this project's provider
 * (concurrent `check` + `create` hooks in one process), each in a fresh child process (worker.ts) with
 * its own fresh simulated EC2 (ec2Simulator.ts), with the same clock, seed and volumes; the two modes of
 * one N run side by side. Prints a table, then as the last line:
 *   RESULT n=100 describe_ratio=… lag_p95_ratio=… n500_failed=… n500_throttled_pct=…
 * See README.md for what is simulated and how the numbers are computed.
 *
 * Options:
 *   --clock virtual|scaled   virtual (default): simulated time advances only when the worker is idle
 *                            (virtualTime.ts); scaled: simulated time = real time x S.
 *   --scale S                scaled clock only (default 200).
 *   --seed K                 snapshot durations, progress curves and (virtual clock) Math.random (default 6).
 *   --n 1,10,100,500         which N to run.
 *   --describe-buckets strict|documented   DescribeSnapshots throttling (throttling.ts; default strict).
 *   --latency-ms MS          EC2 round trip under the virtual clock (default 100).
 *   --progress realistic|linear            Progress curve of the simulated snapshots (default realistic).
 *   --sequential             run the two modes of one N one after the other.
 *   --verbose                print the failures of each run.
 *   --real-engine [--n N]    instead: N Snapshots (default 100) in one `pulumi up` of the real CLI
 *                            against moto, and through the model engine (realEngine.ts).
 * BENCH_PROVIDER_MODULE=/path/to/provider/index.js measures a candidate provider build instead of
 * require("pulumi-ebs-snapshots/provider").
 */
import "../harness/quietSdk";
import { fork } from "node:child_process";
import { resolve } from "node:path";
import { benchVolumeId, type RequestRecord, type SimSnapshotRecord, type SimVolume } from "./ec2Simulator";
import { realEngineBench } from "./realEngine";
import { checkAll } from "./simulatorCheck";
import { DEFAULT_TIMING, type ProgressShape } from "./snapshotTiming";
import type { DescribeSnapshotsBuckets } from "./throttling";
import type { ClockKind, Mode, WorkerReport, WorkerSpec, WorkerTask } from "./worker";

interface Options {
  clock: ClockKind;
  scale: number;
  seed: number;
  ns: number[];
  describeBuckets: DescribeSnapshotsBuckets;
  latencyMs: number | undefined;
  progress: ProgressShape;
  sequential: boolean;
  verbose: boolean;
}

/** The provider's settings for real EC2 (provider/runtime/settings.ts), in ms; the scaled clock divides them by S. */
const PROVIDER_SETTINGS_MS: Readonly<Record<string, number>> = {
  EBS_SNAPSHOTS_POLL_MIN_MS: 5_000,
  EBS_SNAPSHOTS_POLL_MAX_MS: 60_000,
  EBS_SNAPSHOTS_RETRY_MIN_MS: 1_000,
  EBS_SNAPSHOTS_RETRY_MAX_MS: 30_000,
  EBS_SNAPSHOTS_VOLUME_SPACING_MS: 15_000,
  EBS_SNAPSHOTS_REQUEST_TIMEOUT_MS: 30_000,
  EBS_SNAPSHOTS_VISIBILITY_GRACE_MS: 120_000,
};
/** Both modes: the create timeout ("60m", the provider's default) and the waiter's maxWaitTime. */
const CREATE_TIMEOUT_SIM_MS = 60 * 60_000;
const VOLUMES_AT_500 = 100;
/** Real ms; see workerEnv. */
const REQUEST_TIMEOUT_FLOOR_MS = 5_000;
/** EC2's round trip under the virtual clock, simulated ms. */
const DEFAULT_LATENCY_MS = 100;
/** A new snapshot is missing from DescribeSnapshots this long (EC2's eventual consistency), simulated ms. */
const VISIBILITY_DELAY_MS = 2_000;

export function parseOptions(argv: readonly string[]): Options {
  const options: Options = {
    clock: "virtual",
    scale: 200,
    seed: 6,
    ns: [1, 10, 100, 500],
    describeBuckets: "strict",
    latencyMs: undefined,
    progress: "realistic",
    sequential: false,
    verbose: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    const value = (): string => inline ?? argv[++i] ?? "";
    switch (flag) {
      case "--clock":
        options.clock = value() as ClockKind;
        break;
      case "--scale":
        options.scale = Number(value());
        break;
      case "--seed":
        options.seed = Number(value());
        break;
      case "--n":
        options.ns = value().split(",").map(Number);
        break;
      case "--describe-buckets":
        options.describeBuckets = value() as DescribeSnapshotsBuckets;
        break;
      case "--latency-ms":
        options.latencyMs = Number(value());
        break;
      case "--progress":
        options.progress = value() as ProgressShape;
        break;
      case "--sequential":
        options.sequential = true;
        break;
      case "--verbose":
        options.verbose = true;
        break;
      default:
        throw new Error(`unknown option ${argv[i]}`);
    }
  }
  if (!["virtual", "scaled"].includes(options.clock)) {
    throw new Error("--clock must be virtual or scaled");
  }
  if (!(options.scale > 0) || !Number.isInteger(options.seed) || options.ns.some((n) => !(Number.isInteger(n) && n > 0))) {
    throw new Error(`bad options ${JSON.stringify(options)}`);
  }
  if (!["strict", "documented"].includes(options.describeBuckets)) {
    throw new Error("--describe-buckets must be strict or documented");
  }
  if (!["realistic", "linear"].includes(options.progress)) {
    throw new Error("--progress must be realistic or linear");
  }
  if (options.latencyMs !== undefined && !(options.latencyMs >= 0)) {
    throw new Error("--latency-ms must be a non-negative number");
  }
  return options;
}

/** The fleet for N snapshots: one volume each up to 100, then 100 volumes shared round-robin. */
function fleet(n: number): { volumes: SimVolume[]; tasks: WorkerTask[] } {
  const volumeCount = n <= VOLUMES_AT_500 ? n : VOLUMES_AT_500;
  const volumes: SimVolume[] = Array.from({ length: volumeCount }, (_, i) => ({
    volumeId: benchVolumeId(i),
    sizeGiB: [8, 30, 100, 250, 500, 1000][i % 6],
    volumeType: "gp3",
    availabilityZone: `us-east-1${"abc"[i % 3]}`,
  }));
  const tasks = Array.from({ length: n }, (_, i) => ({ name: `snap-${i}`, volumeId: volumes[i % volumeCount].volumeId }));
  return { volumes, tasks };
}

function workerEnv(options: Options): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if ((!key.startsWith("AWS_") && !key.startsWith("EBS_SNAPSHOTS_")) || key === "BENCH_PROVIDER_MODULE") {
      env[key] = value;
    }
  }
  Object.assign(env, {
    // AWS_ENDPOINT_URL_EC2 is set by the worker, which hosts the simulator.
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "bench",
    AWS_SECRET_ACCESS_KEY: "bench",
    AWS_CONFIG_FILE: "/nonexistent/bench-aws-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/bench-aws-credentials",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  });
  if (options.clock === "scaled") {
    env.EBS_SNAPSHOTS_REQUEST_RATE_SCALE = String(options.scale);
    for (const [name, ms] of Object.entries(PROVIDER_SETTINGS_MS)) {
      env[name] = String(Math.max(1, Math.round(ms / options.scale)));
    }
    // Not a schedule but a guard against a hung connection: scaled it would be 30 s / S (150 ms at S=200),
    // shorter than the real, unscaled CPU time a burst of requests takes on this machine.
    env.EBS_SNAPSHOTS_REQUEST_TIMEOUT_MS = String(Math.max(Number(env.EBS_SNAPSHOTS_REQUEST_TIMEOUT_MS), REQUEST_TIMEOUT_FLOOR_MS));
  }
  return env;
}

interface RunResult {
  n: number;
  mode: Mode;
  ok: number;
  failed: number;
  describeCalls: number;
  totalCalls: number;
  throttled: number;
  volumeLimitErrors: number;
  otherErrors: number;
  lagMeanS: number;
  lagP95S: number;
  lagMaxS: number;
  wallSimS: number;
  realS: number;
  cpuS: number;
  fidelity: string;
  errors: string[];
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

function measure(n: number, mode: Mode, report: WorkerReport): RunResult {
  const requests: RequestRecord[] = report.requests;
  const snapshots = new Map<string, SimSnapshotRecord>(report.snapshots.map((s) => [s.snapshotId, s]));
  const lags: number[] = [];
  const errors: string[] = [];
  for (const result of report.results) {
    if (!result.ok) {
      errors.push(`${result.name}: ${result.error ?? "failed"}`);
      continue;
    }
    const snapshot = snapshots.get(result.snapshotId ?? "");
    if (snapshot === undefined) {
      throw new Error(`${mode} N=${n}: ${result.name} returned snapshot ${result.snapshotId}, which the simulator never made`);
    }
    const lag = result.returnedAtSim - snapshot.completionSim;
    if (lag < 0) {
      throw new Error(`${mode} N=${n}: ${result.name} returned ${(-lag / 1_000).toFixed(1)} simulated s before ${snapshot.snapshotId} completed`);
    }
    lags.push(lag / 1_000);
  }
  lags.sort((a, b) => a - b);
  const count = (predicate: (r: RequestRecord) => boolean): number => requests.filter(predicate).length;
  const returned = Math.max(...report.results.map((r) => r.returnedAtSim));
  return {
    n,
    mode,
    ok: lags.length,
    failed: report.results.length - lags.length,
    describeCalls: count((r) => r.action === "DescribeSnapshots"),
    totalCalls: requests.length,
    throttled: count((r) => r.outcome === "RequestLimitExceeded"),
    volumeLimitErrors: count((r) => r.outcome === "ConcurrentSnapshotLimitExceeded" || r.outcome === "SnapshotCreationPerVolumeRateExceeded"),
    otherErrors: count((r) => !["ok", "RequestLimitExceeded", "ConcurrentSnapshotLimitExceeded", "SnapshotCreationPerVolumeRateExceeded"].includes(r.outcome)),
    lagMeanS: lags.length === 0 ? Number.NaN : lags.reduce((a, b) => a + b, 0) / lags.length,
    lagP95S: percentile(lags, 0.95),
    lagMaxS: lags.length === 0 ? Number.NaN : lags[lags.length - 1],
    wallSimS: (returned - report.startedAtSim) / 1_000,
    realS: report.realMs / 1_000,
    cpuS: report.cpuMs / 1_000,
    fidelity: report.loopDelayP99SimMs !== undefined ? `${(report.loopDelayP99SimMs / 1_000).toFixed(1)} s` : "-",
    errors,
  };
}

export async function runOne(n: number, mode: Mode, options: Options): Promise<{ result: RunResult; report: WorkerReport }> {
  const { volumes, tasks } = fleet(n);
  const spec: WorkerSpec = {
    mode,
    clock: options.clock,
    scale: options.scale,
    timing: { seed: options.seed, progress: options.progress, ...DEFAULT_TIMING },
    describeSnapshotsBuckets: options.describeBuckets,
    latencyMs: options.latencyMs ?? (options.clock === "virtual" ? DEFAULT_LATENCY_MS : 0),
    visibilityDelayMs: VISIBILITY_DELAY_MS,
    volumes,
    tasks,
    createTimeoutSimMs: CREATE_TIMEOUT_SIM_MS,
  };
  const child = fork(resolve(__dirname, "worker.js"), [JSON.stringify(spec)], { env: workerEnv(options), stdio: ["ignore", "ignore", "pipe", "ipc"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-4_000);
  });
  const report = await new Promise<WorkerReport>((resolveReport, reject) => {
    let received: WorkerReport | undefined;
    child.on("message", (message) => (received = message as WorkerReport));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (received !== undefined && code === 0) {
        resolveReport(received);
      } else {
        reject(new Error(`${mode} worker for N=${n} exited with ${code}; stderr:\n${stderr}`));
      }
    });
  });
  return { result: measure(n, mode, report), report };
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "-";
}

function table(results: readonly RunResult[], clock: ClockKind): string {
  const header = [
    "N",
    "mode",
    "ok",
    "failed",
    "DescribeSnapshots",
    "API calls",
    "throttled",
    "throttled %",
    "vol-limit errs",
    "other errs",
    "lag mean s",
    "lag p95 s",
    "lag max s",
    "wall (sim)",
    "real",
    "cpu",
    "timer lateness p99 (sim)",
  ];
  const rows = results.map((r) => [
    String(r.n),
    r.mode,
    String(r.ok),
    String(r.failed),
    String(r.describeCalls),
    String(r.totalCalls),
    String(r.throttled),
    fixed((100 * r.throttled) / Math.max(1, r.totalCalls), 2),
    String(r.volumeLimitErrors),
    String(r.otherErrors),
    fixed(r.lagMeanS, 1),
    fixed(r.lagP95S, 1),
    fixed(r.lagMaxS, 1),
    `${fixed(r.wallSimS / 60, 1)} min`,
    `${fixed(r.realS, 1)} s`,
    `${fixed(r.cpuS, 1)} s`,
    r.fidelity,
  ]);
  if (clock === "virtual") {
    header.pop();
    rows.forEach((row) => row.pop());
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
  return [line(header), `|${widths.map((w, i) => (i < 2 ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`, ...rows.map(line)].join("\n");
}

function resultLine(results: readonly RunResult[]): string {
  const find = (n: number, mode: Mode): RunResult | undefined => results.find((r) => r.n === n && r.mode === mode);
  const base100 = find(100, "baseline");
  const proj100 = find(100, "project");
  const proj500 = find(500, "project");
  const ratio = (a: number | undefined, b: number | undefined, digits: number): string =>
    a === undefined || b === undefined || !(b > 0) || !Number.isFinite(a) ? "nan" : (a / b).toFixed(digits);
  return (
    `RESULT n=100 describe_ratio=${ratio(base100?.describeCalls, proj100?.describeCalls, 2)} ` +
    `lag_p95_ratio=${ratio(proj100?.lagP95S, base100?.lagP95S, 3)} ` +
    `n500_failed=${proj500 === undefined ? "nan" : proj500.failed} ` +
    `n500_throttled_pct=${proj500 === undefined ? "nan" : ((100 * proj500.throttled) / Math.max(1, proj500.totalCalls)).toFixed(2)}`
  );
}

/**
 * The virtual clock's own check: one baseline snapshot must follow the SDK waiter's schedule exactly in
 * simulated time (first poll as soon as CreateSnapshot answers, the next 15 s after that poll's answer),
 * each request taking the modelled round trip and CPU time taking none.
 */
async function checkVirtualClock(options: Options): Promise<void> {
  const { report } = await runOne(1, "baseline", { ...options, ns: [1] });
  const latency = options.latencyMs ?? DEFAULT_LATENCY_MS;
  const [create, first, second] = report.requests;
  const near = (actual: number | undefined, expected: number): boolean => actual !== undefined && Math.abs(actual - expected) < 1;
  const ok =
    create?.action === "CreateSnapshot" &&
    first?.action === "DescribeSnapshots" &&
    near(first.atSim, create.atSim + latency) &&
    near(second?.atSim, first.atSim + latency + 15_000) &&
    near(report.results[0]?.returnedAtSim, report.requests[report.requests.length - 1].atSim + latency);
  if (!ok) {
    throw new Error(`virtual clock check failed: ${JSON.stringify({ requests: report.requests.slice(0, 3), result: report.results[0] })}`);
  }
}

function errorSummary(errors: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const error of errors) {
    const shape = error.replace(/^snap-\d+: /, "").replace(/snap-[0-9a-f]+|vol-[0-9a-f]+|\d+(\.\d+)?(ms|s|m|%)/g, "…");
    counts.set(shape, (counts.get(shape) ?? 0) + 1);
  }
  return [...counts].map(([shape, count]) => `  ${count} x ${shape}`);
}

async function main(): Promise<void> {
  if (process.argv.includes("--real-engine")) {
    await realEngineBench(process.argv.slice(2));
    return;
  }
  const options = parseOptions(process.argv.slice(2));
  const started = performance.now();
  await checkAll();
  if (options.clock === "virtual") {
    await checkVirtualClock(options);
  }
  process.stderr.write(`simulator and clock checks: ok (${((performance.now() - started) / 1_000).toFixed(1)} s)\n`);
  const results: RunResult[] = [];
  for (const n of options.ns) {
    const modes: Mode[] = ["baseline", "project"];
    const runs: RunResult[] = [];
    if (options.sequential) {
      for (const mode of modes) {
        runs.push((await runOne(n, mode, options)).result);
      }
    } else {
      runs.push(...(await Promise.all(modes.map(async (mode) => (await runOne(n, mode, options)).result))));
    }
    for (const run of runs) {
      process.stderr.write(`N=${n} ${run.mode}: ${run.ok} ok, ${run.failed} failed, ${run.realS.toFixed(1)} s real\n`);
      if (options.verbose) {
        errorSummary(run.errors).forEach((line) => process.stderr.write(`${line}\n`));
      }
    }
    results.push(...runs);
  }
  const timing = DEFAULT_TIMING;
  const clock =
    options.clock === "virtual"
      ? `virtual clock (simulated time advances only when the worker is idle; EC2 round trip ${options.latencyMs ?? DEFAULT_LATENCY_MS} ms)`
      : `scaled clock S=${options.scale} (simulated s per real s)`;
  console.log(
    `EBS snapshot waiting at scale (issue #6): ${clock}, seed=${options.seed}, ` +
      `durations log-normal median ${timing.medianMs / 60_000} min sigma ${timing.sigma}, ${options.progress} progress, DescribeSnapshots buckets: ${options.describeBuckets}`,
  );
  console.log("lag = simulated time the hook/waiter returned - simulated completion time; wall = first create to last return (simulated)");
  console.log(table(results, options.clock));
  console.log(`bench took ${((performance.now() - started) / 1_000).toFixed(1)} s real`);
  console.log(resultLine(results));
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
