/**
 * One measured run, in a process of its own: a fresh simulated EC2 (ec2Simulator.ts) on 127.0.0.1 and
 * the client under test, so that the provider's process-wide caches (the poll group, the per-volume
 * admission, the client-side token buckets, the client pool) start empty, as in a fresh `pulumi up`.
 * Started by run.ts, which sends the run's description as the first IPC message (a fleet of 2,000
 * resources is too long for argv: E2BIG); reports over IPC each resource's outcome,
 * the simulated time its hook or waiter returned, the simulator's request and snapshot records, and the
 * process's own CPU time and peak RSS.
 *
 * A run's resources are all Snapshots (one volume each) or all SnapshotSets (one instance each).
 * - baseline: one EC2Client with the SDK's defaults, CreateSnapshot (or CreateSnapshots for a set),
 *   then one `waitUntilSnapshotCompleted` per snapshot, all concurrently.
 * - project: this package's provider, as the dynamic-provider host drives it: `configure` once, then
 *   for every resource `check` and `create` (snapshotHooks or snapshotSetHooks), all concurrently, in
 *   one process.
 *
 * Clocks: "virtual" (virtualTime.ts) runs everything at its real settings (SDK waiter 15 s / 120 s,
 * provider defaults) on a faked clock; "scaled" runs on the real clock with every duration divided by
 * the scale S and every rate multiplied by it (the env vars run.ts sets, and the waiter's and the SDK
 * retry backoff's delays here).
 */
import {
  CreateSnapshotCommand,
  CreateSnapshotsCommand,
  DescribeInstancesCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
  waitUntilSnapshotCompleted,
  type TagSpecification,
} from "@aws-sdk/client-ec2";
import type { StandardRetryStrategy } from "@smithy/core/retry";
import type { StandardRetryBackoffStrategy } from "@smithy/types";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type * as ProviderModule from "../provider/index";
import { loadProvider, receiveSpec, runChild } from "./workerProcess";
import type { ResourceHooks } from "../provider/lifecycle/lifecycle";
import { epochMs, useDateAsTimeSource } from "./clock";
import { benchInstanceId, benchVolumeId, Ec2Simulator, type RequestRecord, type SimSnapshotRecord, type SimVolume } from "./ec2Simulator";
import { mulberry32, seedOf } from "./random";
import type { SimInstance } from "./simInstances";
import type { TimingModel } from "./snapshotTiming";
import type { DescribeSnapshotsBuckets } from "./throttling";

export type Mode = "baseline" | "project";
export type ClockKind = "virtual" | "scaled";

/** One resource: a Snapshot of a volume, or a SnapshotSet of an instance's volumes. */
export type WorkerTask = { kind: "snapshot"; name: string; volumeId: string } | { kind: "set"; name: string; instanceId: string };

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
  instances: SimInstance[];
  /** Instances whose sets fail (one member in `error` fails the set). */
  failingInstanceIds: string[];
  tasks: WorkerTask[];
  /** The resources' create timeout and the waiter's maxWaitTime, simulated ms. */
  createTimeoutSimMs: number;
}

export interface TaskResult {
  name: string;
  ok: boolean;
  /** The resource's snapshots, as the hook or CreateSnapshot(s) named them (one for a Snapshot). */
  snapshotIds: string[];
  /**
   * Simulated ms (since the simulator started) at which the hook returned or failed, or the waiter
   * returned or failed; for a baseline set, when the last member's waiter returned, or the first failed.
   */
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
  /** CPU time of the worker during the run, ms: the client under test and the in-process simulator. */
  cpuMs: number;
  /** Of that, the simulator's own request handling, ms (its synchronous part: parse, model, XML). */
  simCpuMs: number;
  /** Peak resident set of the worker process, KB (`process.resourceUsage().maxRSS`). */
  maxRssKb: number;
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
  snapshotIds: string[];
  returnedAt: number;
  error?: string;
}

/** The SDK waiter for one snapshot, at its defaults (15 s / 120 s, passed so that the scaled clock can divide them). */
function waitForSnapshot(spec: WorkerSpec, client: EC2Client, snapshotId: string, abortSignal?: AbortSignal): Promise<unknown> {
  const scale = timeScale(spec);
  return waitUntilSnapshotCompleted(
    { client, minDelay: 15 / scale, maxDelay: 120 / scale, maxWaitTime: spec.createTimeoutSimMs / 1_000 / scale, ...(abortSignal ? { abortSignal } : {}) },
    { SnapshotIds: [snapshotId] },
  );
}

const nameTag = (name: string): TagSpecification[] => [{ ResourceType: "snapshot", Tags: [{ Key: "Name", Value: name }] }];

async function runBaselineSnapshot(spec: WorkerSpec, task: Extract<WorkerTask, { kind: "snapshot" }>, client: EC2Client): Promise<Outcome> {
  const snapshotIds: string[] = [];
  try {
    const created = await client.send(new CreateSnapshotCommand({ VolumeId: task.volumeId, TagSpecifications: nameTag(task.name) }));
    snapshotIds.push(created.SnapshotId!);
    await waitForSnapshot(spec, client, created.SnapshotId!);
    return { ok: true, snapshotIds, returnedAt: epochMs() };
  } catch (error) {
    return { ok: false, snapshotIds, returnedAt: epochMs(), error: message(error) };
  }
}

/**
 * CreateSnapshots, then one waiter per member, as a program using the SDK would wait for a set
 * (Promise.all): done when the last member's waiter returns, failed when the first one fails. The
 * other waiters of a failed set are then aborted, so that they do not poll on for the rest of the run
 * (the SDK's waiter still makes the one poll its current sleep leads to).
 */
async function runBaselineSet(spec: WorkerSpec, task: Extract<WorkerTask, { kind: "set" }>, client: EC2Client): Promise<Outcome> {
  const snapshotIds: string[] = [];
  const stop = new AbortController();
  try {
    const created = await client.send(new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: task.instanceId }, TagSpecifications: nameTag(task.name) }));
    snapshotIds.push(...(created.Snapshots ?? []).map((s) => s.SnapshotId!));
    await Promise.all(snapshotIds.map((id) => waitForSnapshot(spec, client, id, stop.signal)));
    return { ok: true, snapshotIds, returnedAt: epochMs() };
  } catch (error) {
    return { ok: false, snapshotIds, returnedAt: epochMs(), error: message(error) };
  } finally {
    stop.abort();
  }
}

/** The part of a resource's hooks the host calls to create it. */
type CreateHooks<O> = Pick<ResourceHooks<O>, "check" | "create">;

/** The inputs a program gives the resource, plus what the SDK class adds. */
function projectInputs(spec: WorkerSpec, task: WorkerTask): Record<string, unknown> {
  const timeoutMs = Math.max(1, Math.round(spec.createTimeoutSimMs / timeScale(spec)));
  const type = task.kind === "snapshot" ? "Snapshot" : "SnapshotSet";
  return {
    ...(task.kind === "snapshot" ? { volumeId: task.volumeId, tags: { Name: task.name } } : { instanceId: task.instanceId }),
    waitForCompletion: true,
    // As a user writes it ("60m" under the virtual clock).
    timeouts: { create: timeoutMs % 60_000 === 0 ? `${timeoutMs / 60_000}m` : `${timeoutMs}ms` },
    __provider: "bench: serialized provider placeholder",
    // What the SDK class adds: the resource's name and URN (which make every create ask, batched, for
    // an interrupted earlier create of the same resource).
    __logicalName: task.name,
    __urn: `urn:pulumi:bench::bench::pulumi-nodejs:dynamic/ebs-snapshots:${type}::${task.name}`,
  };
}

async function runProject<O extends { state?: unknown }>(news: Record<string, unknown>, hooks: CreateHooks<O>, idsOf: (id: string, outs: O) => string[]): Promise<Outcome> {
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
    return { ok: true, snapshotIds: idsOf(created.id, created.outs), returnedAt };
  } catch (error) {
    const returnedAt = epochMs();
    // Partial state names what was made: a Snapshot's id, or a set's snapshotIds in its properties.
    const { id, properties } = error as { id?: unknown; properties?: { snapshotIds?: unknown } };
    const ids = Array.isArray(properties?.snapshotIds) ? properties.snapshotIds.filter((x): x is string => typeof x === "string") : typeof id === "string" ? [id] : [];
    return { ok: false, snapshotIds: ids, returnedAt, error: message(error) };
  }
}

function runTask(spec: WorkerSpec, task: WorkerTask, provider: typeof ProviderModule | undefined, client: EC2Client | undefined): Promise<Outcome> {
  if (provider === undefined) {
    return task.kind === "snapshot" ? runBaselineSnapshot(spec, task, client!) : runBaselineSet(spec, task, client!);
  }
  const news = projectInputs(spec, task);
  return task.kind === "snapshot" ? runProject(news, provider.snapshotHooks, (id) => [id]) : runProject(news, provider.snapshotSetHooks, (_id, outs) => outs.snapshotIds);
}

/**
 * Scaled clock only: runs every command once against a throwaway simulator before the measurement.
 * The first call of each command in a process pays one-off costs (loading and compiling the SDK's EC2
 * schema, resolving configuration): about a second of CPU, nothing in a real `pulumi up` but S
 * simulated seconds here.
 */
async function warmUp(spec: WorkerSpec): Promise<void> {
  const volumeId = benchVolumeId(0);
  const instanceId = benchInstanceId(0);
  const sim = new Ec2Simulator({
    scale: 1e6,
    timing: { seed: 0, medianMs: 1_000, sigma: 0 },
    visibilityDelayMs: 0,
    volumes: [
      { volumeId, sizeGiB: 1, volumeType: "gp3", availabilityZone: "us-east-1a" },
      { volumeId: benchVolumeId(1), sizeGiB: 1, volumeType: "gp3", availabilityZone: "us-east-1a", attachment: { instanceId, device: "/dev/xvda" } },
    ],
    instances: [{ instanceId, availabilityZone: "us-east-1a", rootDeviceName: "/dev/xvda" }],
  });
  const endpoint = await sim.start();
  const client = new EC2Client({ endpoint, retryStrategy: scaledDefaultRetryStrategy(spec.scale) });
  try {
    await client.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] }));
    await client.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    await client.send(new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: instanceId } }));
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

async function main(): Promise<WorkerReport> {
  const spec = await receiveSpec<WorkerSpec>();
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
    instances: spec.instances,
    failingInstanceIds: spec.failingInstanceIds,
  });
  process.env.AWS_ENDPOINT_URL_EC2 = await sim.start();
  const provider = spec.mode === "project" ? loadProvider() : undefined;
  provider?.configure({ config: { get: () => undefined } });
  const client = spec.mode === "baseline" ? new EC2Client(spec.clock === "scaled" ? { retryStrategy: scaledDefaultRetryStrategy(spec.scale) } : {}) : undefined;

  const loop = spec.clock === "scaled" ? monitorEventLoopDelay({ resolution: 5 }) : undefined;
  loop?.enable();
  const cpu = process.cpuUsage();
  const simCpu = sim.handlingCpuMs;
  const realStart = performance.now();
  const startedAtSim = sim.clock.now();
  const work = (): Promise<Outcome[]> => Promise.all(spec.tasks.map((task) => runTask(spec, task, provider, client)));
  const outcomes = virtual !== undefined ? await virtual.run(work) : await work();
  const realMs = performance.now() - realStart;
  const used = process.cpuUsage(cpu);
  const simCpuMs = sim.handlingCpuMs - simCpu;
  loop?.disable();
  client?.destroy();

  const report: WorkerReport = {
    startedAtSim,
    results: outcomes.map((outcome, i) => ({
      name: spec.tasks[i].name,
      ok: outcome.ok,
      snapshotIds: outcome.snapshotIds,
      returnedAtSim: sim.clock.toSim(outcome.returnedAt),
      ...(outcome.error !== undefined ? { error: outcome.error } : {}),
    })),
    requests: sim.requests,
    snapshots: sim.snapshotRecords(),
    realMs,
    cpuMs: (used.user + used.system) / 1_000,
    simCpuMs,
    maxRssKb: process.resourceUsage().maxRSS,
    ...(loop !== undefined ? { loopDelayP99SimMs: (loop.percentile(99) / 1e6) * spec.scale } : {}),
    ...(virtual !== undefined ? { virtualSteps: virtual.steps } : {}),
  };
  return report;
}

if (require.main === module) {
  runChild(main);
}
