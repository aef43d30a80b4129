/**
 * The figures of one run, from the worker's report: the simulator's request log and snapshot records
 * (simulated times), and each resource's outcome and return time. Exact, not sampled: every request and
 * every completion time is known.
 */
import type { RequestRecord, SimSnapshotRecord } from "./ec2Simulator";
import type { Fleet } from "./fleets";
import type { Mode, WorkerReport } from "./worker";

/** The window of "DescribeSnapshots per minute": any 60 simulated seconds, not calendar minutes. */
const MINUTE_MS = 60_000;

export interface RunResult {
  fleet: Fleet;
  mode: Mode;
  /** Resources that ended with every snapshot completed, and the others. */
  ok: number;
  failed: number;
  describeCalls: number;
  /** The most DescribeSnapshots requests in any 60 simulated seconds of the run. */
  maxDescribePerMinute: number;
  totalCalls: number;
  throttled: number;
  volumeLimitErrors: number;
  otherErrors: number;
  lagMeanS: number;
  lagP95S: number;
  lagMaxS: number;
  /** Sets that failed (one member in `error`): return time of the hook, or of the first failing waiter, minus the failure; p95, NaN without any. */
  failureDetectP95S: number;
  wallSimS: number;
  realS: number;
  cpuS: number;
  /** The worker's CPU time less the simulator's request handling, per snapshot waited, ms. */
  clientCpuMsPerSnapshot: number;
  /** The worker's peak RSS, MB (client, SDK and the in-process simulator). */
  rssMb: number;
  fidelity: string;
  errors: string[];
}

/** Nearest rank. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/** The most times (sorted ascending) that fall in any half-open window [t, t + windowMs). */
export function maxInWindow(sorted: readonly number[], windowMs: number): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end] - sorted[start] >= windowMs) {
      start += 1;
    }
    best = Math.max(best, end - start + 1);
  }
  return best;
}

const mean = (values: readonly number[]): number => (values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length);

/**
 * Lag of a resource = when its hook (or the last of its waiters) returned minus when its last snapshot
 * completed. Fails loudly on anything that would make the figure a lie: a snapshot the simulator never
 * made, a return before completion, a set returned in part, or a failed set reported as completed.
 */
export function measure(fleet: Fleet, mode: Mode, report: WorkerReport): RunResult {
  const where = `${mode} ${fleet.kind} ${fleet.label}`;
  const requests: RequestRecord[] = report.requests;
  const snapshots = new Map<string, SimSnapshotRecord>(report.snapshots.map((s) => [s.snapshotId, s]));
  const setSizes = new Map<string, number>();
  for (const snapshot of report.snapshots) {
    if (snapshot.setId !== undefined) {
      setSizes.set(snapshot.setId, (setSizes.get(snapshot.setId) ?? 0) + 1);
    }
  }
  const lags: number[] = [];
  const detections: number[] = [];
  const errors: string[] = [];
  report.results.forEach((result, i) => {
    const task = fleet.tasks[i];
    let known = result.snapshotIds.map((id) => snapshots.get(id)).filter((m): m is SimSnapshotRecord => m !== undefined);
    if (!result.ok && known.length === 0 && task.kind === "set") {
      // A failed set the provider deleted names no snapshot: its instance's set does.
      known = report.snapshots.filter((s) => s.instanceId === task.instanceId);
    }
    if (result.ok && known.length !== result.snapshotIds.length) {
      throw new Error(`${where}: ${result.name} returned snapshots ${result.snapshotIds.join(", ")}, not all of which the simulator made`);
    }
    const failedAt = known.find((m) => m.failedSim !== undefined)?.failedSim;
    if (!result.ok) {
      errors.push(`${result.name}: ${result.error ?? "failed"}`);
      if (failedAt !== undefined) {
        detections.push((result.returnedAtSim - failedAt) / 1_000);
      }
      return;
    }
    if (known.length === 0) {
      throw new Error(`${where}: ${result.name} succeeded without a snapshot`);
    }
    if (failedAt !== undefined) {
      throw new Error(`${where}: ${result.name} reported completed, but its set failed at ${(failedAt / 1_000).toFixed(1)} simulated s`);
    }
    if (fleet.kind === "sets") {
      const setId = known[0].setId;
      if (setId === undefined || known.some((m) => m.setId !== setId) || setSizes.get(setId) !== known.length) {
        throw new Error(`${where}: ${result.name} returned ${known.length} snapshots that are not one whole set`);
      }
    }
    const completion = Math.max(...known.map((m) => m.completionSim));
    const lag = result.returnedAtSim - completion;
    if (lag < 0) {
      throw new Error(`${where}: ${result.name} returned ${(-lag / 1_000).toFixed(1)} simulated s before its last snapshot completed`);
    }
    lags.push(lag / 1_000);
  });
  lags.sort((a, b) => a - b);
  detections.sort((a, b) => a - b);
  const count = (predicate: (r: RequestRecord) => boolean): number => requests.filter(predicate).length;
  const describeTimes = requests
    .filter((r) => r.action === "DescribeSnapshots")
    .map((r) => r.atSim)
    .sort((a, b) => a - b);
  const returned = Math.max(...report.results.map((r) => r.returnedAtSim));
  const limitCodes = ["ConcurrentSnapshotLimitExceeded", "SnapshotCreationPerVolumeRateExceeded"];
  return {
    fleet,
    mode,
    ok: lags.length,
    failed: report.results.length - lags.length,
    describeCalls: describeTimes.length,
    maxDescribePerMinute: maxInWindow(describeTimes, MINUTE_MS),
    totalCalls: requests.length,
    throttled: count((r) => r.outcome === "RequestLimitExceeded"),
    volumeLimitErrors: count((r) => limitCodes.includes(r.outcome)),
    otherErrors: count((r) => r.outcome !== "ok" && r.outcome !== "RequestLimitExceeded" && !limitCodes.includes(r.outcome)),
    lagMeanS: mean(lags),
    lagP95S: percentile(lags, 0.95),
    lagMaxS: lags.length === 0 ? Number.NaN : lags[lags.length - 1],
    failureDetectP95S: percentile(detections, 0.95),
    wallSimS: (returned - report.startedAtSim) / 1_000,
    realS: report.realMs / 1_000,
    cpuS: report.cpuMs / 1_000,
    clientCpuMsPerSnapshot: (report.cpuMs - report.simCpuMs) / fleet.snapshots,
    rssMb: report.maxRssKb / 1_024,
    fidelity: report.loopDelayP99SimMs !== undefined ? `${(report.loopDelayP99SimMs / 1_000).toFixed(1)} s` : "-",
    errors,
  };
}
