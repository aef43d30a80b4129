/**
 * One measured run, in a process of its own: a fresh simulated EC2 (ec2Simulator.ts) on 127.0.0.1 and
 * the client under test, so that the provider's process-wide caches (the poll group, the per-volume
 * admission, the client-side token buckets, the client pool) start empty, as in a fresh `pulumi up`.
 * Started by run.ts with the run's description as argv[2]; reports over IPC each resource's outcome,
 * the simulated time its hook or waiter returned, and the simulator's request and snapshot records.
 *
 * - baseline: one EC2Client with the SDK's defaults, CreateSnapshot, then one
 *   `waitUntilSnapshotCompleted` per snapshot, all concurrently.
 * - project: this package's provider, as the dynamic-provider host drives it: `configure` once, then
 *   for every resource `check` and `create`, all concurrently, in one process.
 *
 * Clocks: "virtual" (virtualTime.ts) runs everything at its real settings (SDK waiter 15 s / 120 s,
 * provider defaults) on a faked clock; "scaled" runs on the real clock with every duration divided by
 * the scale S and every rate multiplied by it (the env vars run.ts sets, and the waiter's and the SDK
 * retry backoff's delays here).
 */
import {
  CreateSnapshotCommand,
  DescribeInstancesCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
  waitUntilSnapshotCompleted,
} from "@aws-sdk/client-ec2";
import type { StandardRetryStrategy } from "@smithy/core/retry";
import type { StandardRetryBackoffStrategy } from "@smithy/types";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type * as ProviderModule from "../provider/index";
import { epochMs, useDateAsTimeSource } from "./clock";
import { benchVolumeId, Ec2Simulator, type RequestRecord, type SimSnapshotRecord, type SimVolume } from "./ec2Simulator";
import { mulberry32, seedOf } from "./random";
import type { TimingModel } from "./snapshotTiming";
import type { DescribeSnapshotsBuckets } from "./throttling";

export type Mode = "baseline" | "project";
export type ClockKind = "virtual" | "scaled";

export interface WorkerTask {
  name: string;
  volumeId: string;
}

export interface WorkerSpec {
  mode: Mode;
  clock: ClockKind;
  /** Simulated seconds per real second (scaled clock only). */
  scale: number;
  timing: TimingModel;
  describeSnapshotsBuckets: DescribeSnapshotsBuckets;
  latencyMs: number;
  visibilityDelayMs: number;
  volumes: SimVolume[];
  tasks: WorkerTask[];
  /** The resources' create timeout and the waiter's maxWaitTime, simulated ms. */
  createTimeoutSimMs: number;
}

export interface TaskResult {
  name: string;
  volumeId: string;
  ok: boolean;
  snapshotId?: string;
  /** Simulated ms (since the simulator started) at which the hook or the waiter returned or failed. */
  returnedAtSim: number;
  error?: string;
}

export interface WorkerReport {
  /** Simulated ms at which the first create was issued. */
  startedAtSim: number;
  results: TaskResult[];
  requests: RequestRecord[];
  snapshots: SimSnapshotRecord[];
  /** Real time the measured run took, ms. */
  realMs: number;
  /** CPU time of the worker during the run, ms. */
  cpuMs: number;
  /** Scaled clock: event-loop delay (how late timers fired), as simulated ms. */
  loopDelayP99SimMs?: number;
  /** Virtual clock: timers fired. */
  virtualSteps?: number;
}

/**
 * The SDK's default retry strategy (standard mode, 3 attempts, its own retry quota), with only its
 * backoff delays divided by the time scale: the SDK's backoff formula and constants run unchanged, and
 * each delay it computes is scaled like every other duration of the scaled clock.
 */
export function scaledDefaultRetryStrategy(scale: number): StandardRetryStrategy {
  // @smithy/core is @aws-sdk/client-ec2's own dependency (the package that implements its retries); loaded only for the scaled clock.
  const { DEFAULT_MAX_ATTEMPTS, Retry, StandardRetryStrategy } = require("@smithy/core/retry") as typeof import("@smithy/core/retry");
  const reference = new StandardRetryStrategy({ maxAttempts: DEFAULT_MAX_ATTEMPTS, baseDelay: Retry.delay() });
  // The SDK's own backoff object (DefaultRetryBackoffStrategy is not exported on its own).
  const inner = (reference as unknown as { retryBackoffStrategy: StandardRetryBackoffStrategy }).retryBackoffStrategy;
  const backoff: StandardRetryBackoffStrategy = {
    setDelayBase: (delay) => inner.setDelayBase(delay),
    computeNextBackoffDelay: (attempt) => inner.computeNextBackoffDelay(attempt) / scale,
  };
  return new StandardRetryStrategy({ maxAttempts: DEFAULT_MAX_ATTEMPTS, baseDelay: Retry.delay(), backoff });
}

function message(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

/** Durations of the run in the process's time: simulated seconds / scale (the virtual clock's scale is 1). */
function timeScale(spec: WorkerSpec): number {
  return spec.clock === "virtual" ? 1 : spec.scale;
}

interface Outcome {
  ok: boolean;
  snapshotId?: string;
  returnedAt: number;
  error?: string;
}

async function runBaseline(spec: WorkerSpec, task: WorkerTask, client: EC2Client): Promise<Outcome> {
  const scale = timeScale(spec);
  let snapshotId: string | undefined;
  try {
    const created = await client.send(
      new CreateSnapshotCommand({ VolumeId: task.volumeId, TagSpecifications: [{ ResourceType: "snapshot", Tags: [{ Key: "Name", Value: task.name }] }] }),
    );
    snapshotId = created.SnapshotId;
    // The waiter's own defaults are minDelay 15, maxDelay 120; both are passed so that the scaled clock can divide them.
    await waitUntilSnapshotCompleted({ client, minDelay: 15 / scale, maxDelay: 120 / scale, maxWaitTime: spec.createTimeoutSimMs / 1_000 / scale }, { SnapshotIds: [snapshotId!] });
    return { ok: true, snapshotId, returnedAt: epochMs() };
  } catch (error) {
    return { ok: false, ...(snapshotId ? { snapshotId } : {}), returnedAt: epochMs(), error: message(error) };
  }
}

async function runProject(spec: WorkerSpec, task: WorkerTask, hooks: typeof ProviderModule.snapshotHooks): Promise<Outcome> {
  const timeoutMs = Math.max(1, Math.round(spec.createTimeoutSimMs / timeScale(spec)));
  const news = {
    volumeId: task.volumeId,
    tags: { Name: task.name },
    waitForCompletion: true,
    // As a user writes it ("60m" under the virtual clock).
    timeouts: { create: timeoutMs % 60_000 === 0 ? `${timeoutMs / 60_000}m` : `${timeoutMs}ms` },
    __provider: "bench: serialized provider placeholder",
    // What the SDK class adds: the resource's name and URN (which make every create ask, batched, for
    // an interrupted earlier create of the same resource).
    __logicalName: task.name,
    __urn: `urn:pulumi:bench::bench::pulumi-nodejs:dynamic/ebs-snapshots:Snapshot::${task.name}`,
  };
  try {
    const checked = await hooks.check({}, news);
    if (checked.failures.length > 0) {
      throw new Error(`check failed: ${JSON.stringify(checked.failures)}`);
    }
    const created = await hooks.create(checked.inputs);
    const returnedAt = epochMs();
    // The host turns the result into a protobuf Struct: plain JSON values only.
    if (JSON.stringify(JSON.parse(JSON.stringify(created))) !== JSON.stringify(created) || created.outs.state !== "completed") {
      throw new Error(`unexpected create result ${JSON.stringify(created)}`);
    }
    return { ok: true, snapshotId: created.id, returnedAt };
  } catch (error) {
    const id = (error as { id?: unknown }).id;
    return { ok: false, ...(typeof id === "string" ? { snapshotId: id } : {}), returnedAt: epochMs(), error: message(error) };
  }
}

/**
 * Scaled clock only: runs every command once against a throwaway simulator before the measurement.
 * The first call of each command in a process pays one-off costs (loading and compiling the SDK's EC2
 * schema, resolving configuration): about a second of CPU, nothing in a real `pulumi up` but S
 * simulated seconds here.
 */
async function warmUp(spec: WorkerSpec): Promise<void> {
  const volumeId = benchVolumeId(0);
  const sim = new Ec2Simulator({
    scale: 1e6,
    timing: { seed: 0, medianMs: 1_000, sigma: 0 },
    visibilityDelayMs: 0,
    volumes: [{ volumeId, sizeGiB: 1, volumeType: "gp3", availabilityZone: "us-east-1a" }],
  });
  const endpoint = await sim.start();
  const client = new EC2Client({ endpoint, retryStrategy: scaledDefaultRetryStrategy(spec.scale) });
  try {
    await client.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] }));
    await client.send(new DescribeInstancesCommand({}));
    const { SnapshotId } = await client.send(
      new CreateSnapshotCommand({ VolumeId: volumeId, TagSpecifications: [{ ResourceType: "snapshot", Tags: [{ Key: "k", Value: "v" }] }] }),
    );
    await client.send(new DescribeSnapshotAttributeCommand({ SnapshotId, Attribute: "productCodes" }));
    await client.send(new DescribeSnapshotsCommand({ OwnerIds: ["self"], Filters: [{ Name: "snapshot-id", Values: [SnapshotId!] }], MaxResults: 1000 }));
    await waitUntilSnapshotCompleted({ client, minDelay: 0.001, maxDelay: 0.002, maxWaitTime: 5 }, { SnapshotIds: [SnapshotId!] });
    if (spec.mode === "project") {
      await import("p-retry");
    }
  } finally {
    client.destroy();
    await sim.stop();
  }
}

/** The provider module as the host's shim loads it: by package name, unless BENCH_PROVIDER_MODULE names a candidate build. */
function loadProvider(): typeof ProviderModule {
  const candidate = process.env.BENCH_PROVIDER_MODULE;
  return require(candidate !== undefined && candidate !== "" ? candidate : "pulumi-ebs-snapshots/provider") as typeof ProviderModule;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? "") as WorkerSpec;
  let virtual: import("./virtualTime").VirtualTime | undefined;
  // The virtual clock reads the simulator through a closure before the simulator exists.
  // eslint-disable-next-line prefer-const
  let sim: Ec2Simulator | undefined;
  if (spec.clock === "virtual") {
    // Reproducible jitter (SDK waiter, SDK retries, provider schedule) for a given seed and mode.
    Math.random = mulberry32(seedOf(spec.timing.seed, spec.mode, spec.tasks.length, "Math.random"));
    useDateAsTimeSource();
    const { VirtualTime } = require("./virtualTime") as typeof import("./virtualTime");
    virtual = new VirtualTime(Date.now(), () => sim?.heldResponses ?? 0);
  } else {
    await warmUp(spec);
  }
  sim = new Ec2Simulator({
    scale: timeScale(spec),
    timing: spec.timing,
    describeSnapshotsBuckets: spec.describeSnapshotsBuckets,
    latencyMs: spec.latencyMs,
    visibilityDelayMs: spec.visibilityDelayMs,
    volumes: spec.volumes,
  });
  process.env.AWS_ENDPOINT_URL_EC2 = await sim.start();
  const provider = spec.mode === "project" ? loadProvider() : undefined;
  provider?.configure({ config: { get: () => undefined } });
  const client = spec.mode === "baseline" ? new EC2Client(spec.clock === "scaled" ? { retryStrategy: scaledDefaultRetryStrategy(spec.scale) } : {}) : undefined;

  const loop = spec.clock === "scaled" ? monitorEventLoopDelay({ resolution: 5 }) : undefined;
  loop?.enable();
  const cpu = process.cpuUsage();
  const realStart = performance.now();
  const startedAtSim = sim.clock.now();
  const work = (): Promise<Outcome[]> =>
    Promise.all(spec.tasks.map((task) => (provider !== undefined ? runProject(spec, task, provider.snapshotHooks) : runBaseline(spec, task, client!))));
  const outcomes = virtual !== undefined ? await virtual.run(work) : await work();
  const realMs = performance.now() - realStart;
  const used = process.cpuUsage(cpu);
  loop?.disable();
  client?.destroy();

  const report: WorkerReport = {
    startedAtSim,
    results: outcomes.map((outcome, i) => ({
      name: spec.tasks[i].name,
      volumeId: spec.tasks[i].volumeId,
      ok: outcome.ok,
      ...(outcome.snapshotId !== undefined ? { snapshotId: outcome.snapshotId } : {}),
      returnedAtSim: sim.clock.toSim(outcome.returnedAt),
      ...(outcome.error !== undefined ? { error: outcome.error } : {}),
    })),
    requests: sim.requests,
    snapshots: sim.snapshotRecords(),
    realMs,
    cpuMs: (used.user + used.system) / 1_000,
    ...(loop !== undefined ? { loopDelayP99SimMs: (loop.percentile(99) / 1e6) * spec.scale } : {}),
    ...(virtual !== undefined ? { virtualSteps: virtual.steps } : {}),
  };
  await new Promise<void>((resolve, reject) => process.send!(report, (error: Error | null) => (error ? reject(error) : resolve())));
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
