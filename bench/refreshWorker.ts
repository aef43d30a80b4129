/**
 * One measured refresh, in a process of its own (as worker.ts for creates): a fresh simulated EC2 holds
 * a fleet's snapshots, completed by earlier `up`s, and every resource is read once with at most
 * `parallelism` reads in flight, as `pulumi refresh` reads a stack (the CLI's --parallel).
 * - baseline: one DescribeSnapshots per resource naming its snapshots (Terraform's read of
 *   aws_ebs_snapshot, and Pulumi's aws.ebs.Snapshot), one EC2Client with the SDK's defaults;
 * - project: this package's `read` hook of snapshotHooks or snapshotSetHooks, on the state a create
 *   records, in one process.
 * Virtual clock only (virtualTime.ts): simulated time advances when the process is idle.
 */
import { DescribeSnapshotsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { loadProvider, receiveSpec, runChild } from "./workerProcess";
import { epochMs, useDateAsTimeSource } from "./clock";
import { Ec2Simulator, type RequestRecord, type SimVolume } from "./ec2Simulator";
import { mulberry32, seedOf } from "./random";
import type { SimInstance } from "./simInstances";
import type { TimingModel } from "./snapshotTiming";

export interface RefreshSpec {
  mode: "baseline" | "project";
  parallelism: number;
  latencyMs: number;
  timing: TimingModel;
  volumes: SimVolume[];
  instances: SimInstance[];
  /** One resource each: a Snapshot of a volume, or a SnapshotSet of the volumes attached to an instance. */
  resources: ({ kind: "snapshot"; name: string; volumeId: string } | { kind: "set"; name: string; instanceId: string })[];
}

export interface RefreshReport {
  requests: RequestRecord[];
  /** Simulated ms from the first read to the last one's return. */
  wallSimMs: number;
  /** Simulated ms at which the reads began. */
  startedAtSim: number;
  failed: number;
  firstError?: string;
}

const REGION = "us-east-1";

/** The state the provider records for a resource once its create has completed. */
function recordedState(
  resource: RefreshSpec["resources"][number],
  members: { snapshotId: string; volumeId: string; device?: string }[],
): { id: string; props: Record<string, unknown> } {
  const type = resource.kind === "snapshot" ? "Snapshot" : "SnapshotSet";
  const bookkeeping = {
    __provider: "bench: serialized provider placeholder",
    __logicalName: resource.name,
    __urn: `urn:pulumi:bench::bench::pulumi-nodejs:dynamic/ebs-snapshots:${type}::${resource.name}`,
  };
  if (resource.kind === "snapshot") {
    const [only] = members;
    return {
      id: only.snapshotId,
      props: { volumeId: resource.volumeId, tags: { Name: resource.name }, snapshotId: only.snapshotId, state: "completed", productCodes: [], region: REGION, ...bookkeeping },
    };
  }
  return {
    id: `snapset-${resource.name}`,
    props: {
      instanceId: resource.instanceId,
      snapshotIds: members.map((m) => m.snapshotId),
      snapshots: members.map((m) => ({ snapshotId: m.snapshotId, volumeId: m.volumeId, deviceName: m.device, state: "completed", tags: {}, productCodes: [] })),
      state: "completed",
      encrypted: false,
      tags: {},
      region: REGION,
      ...bookkeeping,
    },
  };
}

/** Runs `work` for every item with at most `limit` in flight, in order of the items. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

async function main(): Promise<RefreshReport> {
  const spec = await receiveSpec<RefreshSpec>();
  Math.random = mulberry32(seedOf(spec.timing.seed, spec.mode, spec.resources.length, "refresh"));
  useDateAsTimeSource();
  // eslint-disable-next-line prefer-const
  let sim: Ec2Simulator | undefined;
  const { VirtualTime } = require("./virtualTime") as typeof import("./virtualTime");
  const virtual = new VirtualTime(Date.now(), () => sim?.heldResponses ?? 0);
  sim = new Ec2Simulator({ scale: 1, timing: spec.timing, latencyMs: spec.latencyMs, visibilityDelayMs: 0, volumes: spec.volumes, instances: spec.instances });
  process.env.AWS_ENDPOINT_URL_EC2 = await sim.start();
  process.env.AWS_REGION = REGION;
  const states = spec.resources.map((resource) => {
    const volumes =
      resource.kind === "snapshot" ? spec.volumes.filter((v) => v.volumeId === resource.volumeId) : spec.volumes.filter((v) => v.attachment?.instanceId === resource.instanceId);
    const members = volumes.map((v) => ({
      snapshotId: sim.seedCompleted(
        v.volumeId,
        resource.kind === "snapshot" ? { Name: resource.name } : {},
        resource.kind === "set" ? { setId: resource.name, instanceId: resource.instanceId } : undefined,
      ),
      volumeId: v.volumeId,
      ...(v.attachment !== undefined ? { device: v.attachment.device } : {}),
    }));
    return { resource, ...recordedState(resource, members) };
  });
  const provider = spec.mode === "project" ? loadProvider() : undefined;
  provider?.configure({ config: { get: () => undefined } });
  const client = spec.mode === "baseline" ? new EC2Client({}) : undefined;
  let failed = 0;
  let firstError: string | undefined;
  const startedAtSim = sim.clock.now();
  const read = async (state: (typeof states)[number]): Promise<void> => {
    try {
      if (client !== undefined) {
        const ids = state.resource.kind === "snapshot" ? [state.id] : (state.props.snapshotIds as string[]);
        const out = await client.send(new DescribeSnapshotsCommand({ SnapshotIds: ids }));
        if ((out.Snapshots ?? []).length !== ids.length) {
          throw new Error(`found ${(out.Snapshots ?? []).length} of ${ids.length} snapshots`);
        }
        return;
      }
      const hooks = state.resource.kind === "snapshot" ? provider!.snapshotHooks : provider!.snapshotSetHooks;
      const result = await hooks.read(state.id, state.props);
      if (result.id !== state.id || (result.props as { state?: unknown }).state !== "completed") {
        throw new Error(`unexpected read result ${JSON.stringify(result).slice(0, 200)}`);
      }
    } catch (error) {
      failed += 1;
      firstError ??= error instanceof Error ? error.message : String(error);
    }
  };
  await virtual.run(() => pool(states, spec.parallelism, read));
  const wallSimMs = sim.clock.toSim(epochMs()) - startedAtSim;
  client?.destroy();
  const report: RefreshReport = {
    requests: sim.requests.filter((r) => r.atSim >= startedAtSim),
    wallSimMs,
    startedAtSim,
    failed,
    ...(firstError !== undefined ? { firstError } : {}),
  };
  return report;
}

if (require.main === module) {
  runChild(main);
}
