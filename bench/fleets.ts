/**
 * What each run of the bench snapshots: its volumes, instances and resources. Both modes of a run get
 * the same fleet, and the simulator draws each snapshot's duration from (seed, volume, k-th snapshot of
 * the volume), so a snapshot takes as long whichever mode takes it.
 */
import { benchInstanceId, benchVolumeId, VOLUME_SPACING_MS, type SimVolume } from "./ec2Simulator";
import type { SimInstance } from "./simInstances";
import { timingOf, type TimingModel } from "./snapshotTiming";
import { BUCKETS } from "./throttling";
import type { WorkerTask } from "./worker";

export interface Fleet {
  /** How the table names it: the snapshot count, or "<instances> x <volumes>" for sets. */
  label: string;
  kind: "snapshots" | "sets";
  /** Snapshots the run waits for (a set's members each count). */
  snapshots: number;
  volumes: SimVolume[];
  instances: SimInstance[];
  failingInstanceIds: string[];
  tasks: WorkerTask[];
}

/** Up to this many snapshots, each has a volume of its own; beyond it, volumes take SNAPSHOTS_PER_VOLUME each. */
const ONE_PER_VOLUME_UP_TO = 100;
/** EC2's pending-snapshot limit of a gp3 volume: N = 500 is 100 volumes, N = 2,000 is 400. */
const SNAPSHOTS_PER_VOLUME = 5;
const SIZES_GIB = [8, 30, 100, 250, 500, 1000];
const ZONES = "abc";

/**
 * N Snapshots: one per volume up to 100, then 5 per volume, created round-robin (so the k-th round of
 * creates asks each volume for its k-th snapshot, and the per-volume spacing and limit both apply).
 */
export function snapshotFleet(n: number): Fleet {
  const volumeCount = n <= ONE_PER_VOLUME_UP_TO ? n : Math.ceil(n / SNAPSHOTS_PER_VOLUME);
  const volumes: SimVolume[] = Array.from({ length: volumeCount }, (_, i) => ({
    volumeId: benchVolumeId(i),
    sizeGiB: SIZES_GIB[i % SIZES_GIB.length],
    volumeType: "gp3",
    availabilityZone: `us-east-1${ZONES[i % ZONES.length]}`,
  }));
  const tasks: WorkerTask[] = Array.from({ length: n }, (_, i) => ({ kind: "snapshot", name: `snap-${i}`, volumeId: volumes[i % volumeCount].volumeId }));
  return { label: String(n), kind: "snapshots", snapshots: n, volumes, instances: [], failingInstanceIds: [], tasks };
}

/** Data volumes' device names as EC2 suggests them: /dev/sdf to /dev/sdz, then /dev/xvdb onwards (a set has at most 40). */
function dataDevice(k: number): string {
  const letter = (from: string, offset: number): string => String.fromCharCode(from.charCodeAt(0) + offset);
  return k < 21 ? `/dev/sd${letter("f", k)}` : `/dev/xvd${letter("b", k - 21)}`;
}

/**
 * One SnapshotSet per instance, each instance with a root volume (/dev/xvda) and data volumes
 * (/dev/sdf, /dev/sdg, ...). `failures` sets, spread evenly over the fleet, have one member fail.
 */
export function setFleet(instanceCount: number, volumesPerInstance: number, failures: number): Fleet {
  const instances: SimInstance[] = [];
  const volumes: SimVolume[] = [];
  for (let i = 0; i < instanceCount; i++) {
    const instanceId = benchInstanceId(i);
    const availabilityZone = `us-east-1${ZONES[i % ZONES.length]}`;
    instances.push({ instanceId, availabilityZone, rootDeviceName: "/dev/xvda" });
    for (let j = 0; j < volumesPerInstance; j++) {
      const device = j === 0 ? "/dev/xvda" : dataDevice(j - 1);
      volumes.push({
        volumeId: benchVolumeId(i * volumesPerInstance + j),
        sizeGiB: j === 0 ? 8 : SIZES_GIB[(i + j) % SIZES_GIB.length],
        volumeType: "gp3",
        availabilityZone,
        attachment: { instanceId, device },
      });
    }
  }
  const stride = failures > 0 ? instanceCount / failures : 0;
  const failingInstanceIds = Array.from({ length: Math.min(failures, instanceCount) }, (_, k) => instances[Math.floor(k * stride)].instanceId);
  const tasks: WorkerTask[] = instances.map((instance, i) => ({ kind: "set", name: `set-${i}`, instanceId: instance.instanceId }));
  return { label: `${instanceCount} x ${volumesPerInstance}`, kind: "sets", snapshots: instanceCount * volumesPerInstance, volumes, instances, failingInstanceIds, tasks };
}

/** How many snapshots the fleet asks of each volume (a set asks one of each member volume). */
function snapshotsPerVolume(fleet: Fleet): Map<string, number> {
  const perVolume = new Map<string, number>();
  const setInstances = new Set(fleet.tasks.flatMap((t) => (t.kind === "set" ? [t.instanceId] : [])));
  for (const task of fleet.tasks) {
    if (task.kind === "snapshot") {
      perVolume.set(task.volumeId, (perVolume.get(task.volumeId) ?? 0) + 1);
    }
  }
  for (const volume of fleet.volumes) {
    if (volume.attachment !== undefined && setInstances.has(volume.attachment.instanceId)) {
      perVolume.set(volume.volumeId, (perVolume.get(volume.volumeId) ?? 0) + 1);
    }
  }
  return perVolume;
}

/** The longest duration the simulator will draw for the fleet: each volume's k-th snapshot for every k the fleet asks of it. */
export function longestDurationMs(fleet: Fleet, timing: TimingModel): number {
  let longest = 0;
  for (const [volumeId, count] of snapshotsPerVolume(fleet)) {
    for (let k = 0; k < count; k++) {
      longest = Math.max(longest, timingOf(timing, volumeId, k).durationMs);
    }
  }
  return longest;
}

/** Slack for everything else a create does before its request goes out (lookups, retries), simulated ms. */
const CREATE_SLACK_MS = 2 * 60_000;

/**
 * Simulated time the fleet's create requests need, at best, to go out: one request per resource through
 * EC2's create bucket (100 at once, then 5/s), each volume's snapshots 15 s apart, plus CREATE_SLACK_MS.
 * About 9 min for N = 2,000, 4 min for N = 500, 2 min for 50 sets.
 */
export function createWindowMs(fleet: Fleet): number {
  const bucket = BUCKETS.CreateSnapshot;
  const queued = Math.max(0, fleet.tasks.length - bucket.capacity) / bucket.refillPerSecond;
  const spacing = (Math.max(1, ...snapshotsPerVolume(fleet).values()) - 1) * VOLUME_SPACING_MS;
  return queued * 1_000 + spacing + CREATE_SLACK_MS;
}
