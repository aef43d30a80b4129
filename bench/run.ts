/**
 * The waiting benchmark of issue #6: `npm run bench` (build, then `node dist/bench/run.js`).
 *
 * Fleets (fleets.ts): N = 1, 10, 100, 500 and 2,000 Snapshots (one per volume up to 100, then 5 per
 * volume), and 50 SnapshotSets of 8 volumes each. For each fleet it runs the baseline (CreateSnapshot,
 * or CreateSnapshots per instance, then one SDK waiter per snapshot) and this project's provider
 * (concurrent `check` + `create` hooks in one process), each in a fresh child process (worker.ts) with
 * its own fresh simulated EC2 (ec2Simulator.ts), with the same clock, seed and volumes; the two modes
 * of one fleet run side by side. Prints two tables, then as the last line:
 *   RESULT n=100 lag_p95_s=… lag_p95_ratio=… describe_ratio=… max_describe_per_min=… n500_failed=…
 *     n500_throttled_pct=… n2000_failed=… n2000_throttled_pct=… sets_lag_p95_s=… rss_mb_n2000=…
 *     refresh_calls_per_resource=… refresh_throttled=…
 * See README.md for what is simulated and how the numbers are computed.
 *
 * Options:
 *   --clock virtual|scaled   virtual (default): simulated time advances only when the worker is idle
 *                            (virtualTime.ts); scaled: simulated time = real time x S.
 *   --scale S                scaled clock only (default 200).
 *   --seed K                 snapshot durations, progress curves, set failures and (virtual clock) Math.random (default 6).
 *   --n 1,10,100,500,2000    which N to run.
 *   --sets IxV               the sets fleet: I instances of V volumes each (default 50x8; 0 for none).
 *   --set-failures K         K sets of the fleet (spread evenly) have one member fail the set (default 0).
 *   --describe-buckets strict|documented   DescribeSnapshots throttling (throttling.ts; default strict).
 *   --latency-ms MS          EC2 round trip under the virtual clock (default 100).
 *   --progress realistic|linear            Progress curve of the simulated snapshots (default realistic).
 *   --sequential             run the two modes of one fleet one after the other.
 *   --verbose                print the failures of each run.
 *   --no-refresh             leave out the refresh runs (refresh.ts: 1,000 Snapshots and 100 SnapshotSets
 *                            of 8, read at parallelism 8 and 64; virtual clock only).
 *   --real-engine [--n N]    instead: N Snapshots (default 100) in one `pulumi up` of the real CLI
 *                            against moto, through the dynamic face (TypeScript) and the plugin
 *                            (generated Pulumi YAML), and through the model engine (realEngine.ts);
 *                            first the start-up of each face's process (providerStartup.ts).
 * BENCH_PROVIDER_MODULE=/path/to/provider/index.js measures a candidate provider build instead of
 * require("pulumi-ebs-snapshots/provider").
 */
import "../harness/quietSdk";
import { createWindowMs, longestDurationMs, setFleet, snapshotFleet, type Fleet } from "./fleets";
import { measure, type RunResult } from "./measure";
import { realEngineBench } from "./realEngine";
import { refreshBench, refreshResultFields, refreshTable, type RefreshResult } from "./refresh";
import { checkAll } from "./simulatorCheck";
import { DEFAULT_TIMING, type ProgressShape, type TimingModel } from "./snapshotTiming";
import { setColumns, snapshotColumns, table, throttledPct } from "./table";
import type { DescribeSnapshotsBuckets } from "./throttling";
import type { ClockKind, Mode, WorkerReport, WorkerSpec } from "./worker";
import { runWorker } from "./workerProcess";

interface Options {
  clock: ClockKind;
  scale: number;
  seed: number;
  ns: number[];
  /** The sets fleet, or none. */
  sets: { instances: number; volumesPerInstance: number } | undefined;
  setFailures: number;
  describeBuckets: DescribeSnapshotsBuckets;
  latencyMs: number | undefined;
  progress: ProgressShape;
  sequential: boolean;
  verbose: boolean;
  /** The refresh runs (refresh.ts); virtual clock only. */
  refresh: boolean;
}

/**
 * The provider's settings for real EC2 (provider/runtime/settings.ts), in ms; the scaled clock divides
 * them by S. A setting the provider does not read yet is harmless here.
 */
const PROVIDER_SETTINGS_MS: Readonly<Record<string, number>> = {
  EBS_SNAPSHOTS_POLL_MIN_MS: 5_000,
  EBS_SNAPSHOTS_POLL_MAX_MS: 120_000,
  // The least time between two DescribeSnapshots rounds per process and region.
  EBS_SNAPSHOTS_DESCRIBE_INTERVAL_MS: 10_000,
  EBS_SNAPSHOTS_RETRY_MIN_MS: 1_000,
  EBS_SNAPSHOTS_RETRY_MAX_MS: 30_000,
  EBS_SNAPSHOTS_VOLUME_SPACING_MS: 15_000,
  EBS_SNAPSHOTS_REQUEST_TIMEOUT_MS: 30_000,
  EBS_SNAPSHOTS_VISIBILITY_GRACE_MS: 120_000,
};
/** Both modes: the create timeout ("60m", the provider's default) and the waiter's maxWaitTime. */
const CREATE_TIMEOUT_SIM_MS = 60 * 60_000;
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
    ns: [1, 10, 100, 500, 2000],
    sets: { instances: 50, volumesPerInstance: 8 },
    setFailures: 0,
    describeBuckets: "strict",
    latencyMs: undefined,
    progress: "realistic",
    sequential: false,
    verbose: false,
    refresh: true,
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
      case "--sets": {
        const raw = value();
        const match = /^(\d+)x(\d+)$/.exec(raw);
        if (raw !== "0" && match === null) {
          throw new Error("--sets must be IxV (instances x volumes, e.g. 50x8) or 0");
        }
        options.sets = match === null ? undefined : { instances: Number(match[1]), volumesPerInstance: Number(match[2]) };
        break;
      }
      case "--set-failures":
        options.setFailures = Number(value());
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
      case "--no-refresh":
        options.refresh = false;
        break;
      default:
        throw new Error(`unknown option ${argv[i]}`);
    }
  }
  if (!["virtual", "scaled"].includes(options.clock)) {
    throw new Error("--clock must be virtual or scaled");
  }
  // The refresh runs have no scaled-clock mode: they are read-only and short.
  options.refresh &&= options.clock === "virtual";
  if (!(options.scale > 0) || !Number.isInteger(options.seed) || options.ns.some((n) => !(Number.isInteger(n) && n > 0))) {
    throw new Error(`bad options ${JSON.stringify(options)}`);
  }
  if (!["strict", "documented"].includes(options.describeBuckets)) {
    throw new Error("--describe-buckets must be strict or documented");
  }
  if (!["realistic", "linear"].includes(options.progress)) {
    throw new Error("--progress must be realistic or linear");
  }
  if (options.sets !== undefined && !(options.sets.instances > 0 && options.sets.volumesPerInstance >= 1 && options.sets.volumesPerInstance <= 40)) {
    throw new Error("--sets needs at least one instance and 1 to 40 volumes per instance (a set covers at most 40)");
  }
  if (!(Number.isInteger(options.setFailures) && options.setFailures >= 0 && options.setFailures <= (options.sets?.instances ?? 0))) {
    throw new Error("--set-failures must be a whole number no larger than the number of instances");
  }
  if (options.latencyMs !== undefined && !(options.latencyMs >= 0)) {
    throw new Error("--latency-ms must be a non-negative number");
  }
  return options;
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

function timingModel(options: Options): TimingModel {
  return { seed: options.seed, progress: options.progress, ...DEFAULT_TIMING };
}

/**
 * The create timeout (and waiter maxWaitTime) of a fleet: the provider's default 60 min, unless a
 * snapshot the fleet will draw could not complete within it whoever waits for it, once the fleet's
 * creates have gone out (createWindowMs): at N = 2,000 and seed 6 the longest takes 68.4 simulated min.
 * Then whole hours, because a resource that timed out there would measure the draw, not the client.
 */
export function createTimeoutFor(fleet: Fleet, options: Options): number {
  const needed = longestDurationMs(fleet, timingModel(options)) + createWindowMs(fleet);
  return needed <= CREATE_TIMEOUT_SIM_MS ? CREATE_TIMEOUT_SIM_MS : Math.ceil(needed / CREATE_TIMEOUT_SIM_MS) * CREATE_TIMEOUT_SIM_MS;
}

export async function runOne(fleet: Fleet, mode: Mode, options: Options): Promise<{ result: RunResult; report: WorkerReport }> {
  const spec: WorkerSpec = {
    mode,
    clock: options.clock,
    scale: options.scale,
    timing: timingModel(options),
    describeSnapshotsBuckets: options.describeBuckets,
    latencyMs: options.latencyMs ?? (options.clock === "virtual" ? DEFAULT_LATENCY_MS : 0),
    visibilityDelayMs: VISIBILITY_DELAY_MS,
    volumes: fleet.volumes,
    instances: fleet.instances,
    failingInstanceIds: fleet.failingInstanceIds,
    tasks: fleet.tasks,
    createTimeoutSimMs: createTimeoutFor(fleet, options),
  };
  const report = await runWorker<WorkerSpec, WorkerReport>("worker.js", spec, workerEnv(options), `${mode} worker for ${fleet.kind} ${fleet.label}`);
  return { result: measure(fleet, mode, report), report };
}

/** The two modes of one fleet, side by side (or one after the other with --sequential). */
async function runBoth(fleet: Fleet, options: Options): Promise<RunResult[]> {
  const modes: Mode[] = ["baseline", "project"];
  const runs: RunResult[] = [];
  if (options.sequential) {
    for (const mode of modes) {
      runs.push((await runOne(fleet, mode, options)).result);
    }
  } else {
    runs.push(...(await Promise.all(modes.map(async (mode) => (await runOne(fleet, mode, options)).result))));
  }
  for (const run of runs) {
    const what = fleet.kind === "sets" ? `sets ${fleet.label}` : `N=${fleet.label}`;
    process.stderr.write(`${what} ${run.mode}: ${run.ok} ok, ${run.failed} failed, ${run.realS.toFixed(1)} s real\n`);
    if (options.verbose) {
      errorSummary(run.errors).forEach((line) => process.stderr.write(`${line}\n`));
    }
  }
  return runs;
}

/**
 * The last line of `npm run bench`. Lags are the project's, in simulated s; ratios are project/baseline
 * for lag and baseline/project for DescribeSnapshots; max_describe_per_min is the project's busiest 60
 * simulated seconds over N = 100 and N = 500; rss_mb_n2000 is the project worker's peak RSS.
 */
export function resultLine(results: readonly RunResult[], refresh: readonly RefreshResult[] = []): string {
  const find = (kind: Fleet["kind"], label: string | undefined, mode: Mode): RunResult | undefined =>
    results.find((r) => r.fleet.kind === kind && (label === undefined || r.fleet.label === label) && r.mode === mode);
  const base100 = find("snapshots", "100", "baseline");
  const proj100 = find("snapshots", "100", "project");
  const proj500 = find("snapshots", "500", "project");
  const proj2000 = find("snapshots", "2000", "project");
  const projSets = find("sets", undefined, "project");
  const num = (value: number | undefined, digits: number): string => (value === undefined || !Number.isFinite(value) ? "nan" : value.toFixed(digits));
  const ratio = (a: number | undefined, b: number | undefined, digits: number): string => (a === undefined || b === undefined || !(b > 0) ? "nan" : num(a / b, digits));
  const busiest = [proj100, proj500].filter((r): r is RunResult => r !== undefined).map((r) => r.maxDescribePerMinute);
  return [
    "RESULT n=100",
    `lag_p95_s=${num(proj100?.lagP95S, 1)}`,
    `lag_p95_ratio=${ratio(proj100?.lagP95S, base100?.lagP95S, 3)}`,
    `describe_ratio=${ratio(base100?.describeCalls, proj100?.describeCalls, 2)}`,
    `max_describe_per_min=${busiest.length > 0 ? Math.max(...busiest) : "nan"}`,
    `n500_failed=${proj500?.failed ?? "nan"}`,
    `n500_throttled_pct=${num(proj500 && throttledPct(proj500), 2)}`,
    `n2000_failed=${proj2000?.failed ?? "nan"}`,
    `n2000_throttled_pct=${num(proj2000 && throttledPct(proj2000), 2)}`,
    `sets_lag_p95_s=${num(projSets?.lagP95S, 1)}`,
    `rss_mb_n2000=${num(proj2000?.rssMb, 1)}`,
    ...refreshResultFields(refresh),
  ].join(" ");
}

/**
 * The virtual clock's own check: one baseline snapshot must follow the SDK waiter's schedule exactly in
 * simulated time (first poll as soon as CreateSnapshot answers, the next 15 s after that poll's answer),
 * each request taking the modelled round trip and CPU time taking none.
 */
async function checkVirtualClock(options: Options): Promise<void> {
  const { report } = await runOne(snapshotFleet(1), "baseline", options);
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
    const shape = error.replace(/^(snap|set)-\d+: /, "").replace(/snap-[0-9a-f]+|vol-[0-9a-f]+|i-[0-9a-f]+|snapset-[0-9a-f-]+|\d+(\.\d+)?(ms|s|m|%)/g, "…");
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
    results.push(...(await runBoth(snapshotFleet(n), options)));
  }
  const sets = options.sets !== undefined ? await runBoth(setFleet(options.sets.instances, options.sets.volumesPerInstance, options.setFailures), options) : [];
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
  const longer = [...new Set([...results, ...sets].map((r) => r.fleet))]
    .filter((fleet) => createTimeoutFor(fleet, options) > CREATE_TIMEOUT_SIM_MS)
    .map(
      (fleet) =>
        `${fleet.kind === "sets" ? `sets ${fleet.label}` : `N=${fleet.label}`}: ${createTimeoutFor(fleet, options) / 60_000} min, ` +
        `its longest snapshot taking ${(longestDurationMs(fleet, timingModel(options)) / 60_000).toFixed(1)} min`,
    );
  console.log(`create timeout and waiter maxWaitTime: ${CREATE_TIMEOUT_SIM_MS / 60_000} min${longer.length > 0 ? ` (${longer.join("; ")})` : ""}`);
  console.log(table(results, snapshotColumns(options.clock === "scaled")));
  if (options.sets !== undefined) {
    console.log("");
    console.log(
      `SnapshotSets: one per instance, every member pending together; lag = hook (or last member waiter) return - last member completion` +
        (options.setFailures > 0 ? `; ${options.setFailures} set(s) fail (one member in error)` : ""),
    );
    console.log(table(sets, setColumns(options.clock === "scaled", options.setFailures > 0)));
  }
  const refresh = options.refresh ? await refreshBench(timingModel(options), options.latencyMs ?? DEFAULT_LATENCY_MS, workerEnv(options)) : [];
  if (refresh.length > 0) {
    console.log("");
    console.log("Refresh (issue #24): every resource read once, at the CLI's parallelism; baseline = one DescribeSnapshots per resource (Terraform's read)");
    console.log(refreshTable(refresh));
    for (const failed of refresh.filter((r) => r.failed > 0)) {
      process.stderr.write(`refresh ${failed.fleet} ${failed.mode} x${failed.parallelism}: ${failed.failed} failed: ${failed.firstError ?? ""}\n`);
    }
  }
  console.log(`bench took ${((performance.now() - started) / 1_000).toFixed(1)} s real`);
  console.log(resultLine([...results, ...sets], refresh));
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
