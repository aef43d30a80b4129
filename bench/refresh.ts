/**
 * The refresh benchmark of issue #24: a stack's resources read once each, as `pulumi refresh` does, at
 * the CLI's parallelism on 2 cores (8) and at 64, against a fresh simulated EC2 per run
 * (refreshWorker.ts). Fleets: 1,000 Snapshots, and 100 SnapshotSets of 8 members; and one Snapshot
 * read alone, which shows what waiting for other reads costs a read that has none to share with. Each fleet is read by
 * the baseline (one DescribeSnapshots per resource, Terraform's read) and by the project's `read` hook.
 */
import { setFleet, snapshotFleet, type Fleet } from "./fleets";
import { maxInWindow } from "./measure";
import type { RefreshReport, RefreshSpec } from "./refreshWorker";
import type { TimingModel } from "./snapshotTiming";
import { runWorker } from "./workerProcess";

/** Each fleet's parallelisms: a lone read (what the read window costs it), and the fleets at 8 and 64. */
const RUNS: readonly { fleet: () => Fleet; parallelism: readonly number[] }[] = [
  { fleet: () => snapshotFleet(1), parallelism: [1] },
  { fleet: () => snapshotFleet(1_000), parallelism: [8, 64] },
  { fleet: () => setFleet(100, 8, 0), parallelism: [8, 64] },
];

export interface RefreshResult {
  fleet: string;
  resources: number;
  mode: RefreshSpec["mode"];
  parallelism: number;
  calls: number;
  callsPerResource: number;
  /** The most DescribeSnapshots requests in any 60 simulated seconds. */
  busiestMinuteDescribes: number;
  throttled: number;
  wallSimS: number;
  failed: number;
  firstError?: string;
}

const MINUTE_MS = 60_000;

async function runRefresh(fleet: Fleet, mode: RefreshSpec["mode"], parallelism: number, timing: TimingModel, latencyMs: number, env: NodeJS.ProcessEnv): Promise<RefreshResult> {
  const spec: RefreshSpec = {
    mode,
    parallelism,
    latencyMs,
    timing,
    volumes: fleet.volumes,
    instances: fleet.instances,
    resources: fleet.tasks.map((task) =>
      task.kind === "snapshot" ? { kind: "snapshot", name: task.name, volumeId: task.volumeId } : { kind: "set", name: task.name, instanceId: task.instanceId },
    ),
  };
  const report = await runWorker<RefreshSpec, RefreshReport>("refreshWorker.js", spec, env, `refresh ${mode} worker`);
  const describes = report.requests.filter((r) => r.action === "DescribeSnapshots").map((r) => r.atSim);
  return {
    fleet: fleet.kind === "sets" ? `${fleet.label} sets` : `${fleet.label} snapshot${fleet.tasks.length === 1 ? "" : "s"}`,
    resources: fleet.tasks.length,
    mode,
    parallelism,
    calls: report.requests.length,
    callsPerResource: report.requests.length / fleet.tasks.length,
    busiestMinuteDescribes: maxInWindow(describes, MINUTE_MS),
    throttled: report.requests.filter((r) => r.outcome === "RequestLimitExceeded").length,
    wallSimS: report.wallSimMs / 1_000,
    failed: report.failed,
    ...(report.firstError !== undefined ? { firstError: report.firstError } : {}),
  };
}

/** Every refresh run: each fleet at each parallelism, baseline and project side by side. */
export async function refreshBench(timing: TimingModel, latencyMs: number, env: NodeJS.ProcessEnv): Promise<RefreshResult[]> {
  const results: RefreshResult[] = [];
  for (const run of RUNS) {
    const fleet = run.fleet();
    for (const parallelism of run.parallelism) {
      results.push(...(await Promise.all((["baseline", "project"] as const).map((mode) => runRefresh(fleet, mode, parallelism, timing, latencyMs, env)))));
    }
  }
  return results;
}

/** The refresh table: one row per fleet, parallelism and mode. */
export function refreshTable(results: readonly RefreshResult[]): string {
  const header = ["fleet", "parallel", "mode", "EC2 calls", "calls/resource", "busiest min DescribeSnapshots", "throttled", "wall (sim s)", "failed"];
  const rows = results.map((r) => [
    r.fleet,
    String(r.parallelism),
    r.mode,
    String(r.calls),
    r.callsPerResource.toFixed(3),
    String(r.busiestMinuteDescribes),
    String(r.throttled),
    r.wallSimS.toFixed(2),
    String(r.failed),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i < 3 ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** The RESULT fields of the refresh: the project's calls per resource at N = 1,000 and parallelism 64, and its throttled calls over every refresh run. */
export function refreshResultFields(results: readonly RefreshResult[]): string[] {
  const headline = results.find((r) => r.mode === "project" && r.fleet.endsWith("snapshots") && r.resources === 1_000 && r.parallelism === 64);
  const project = results.filter((r) => r.mode === "project");
  return [
    `refresh_calls_per_resource=${headline === undefined ? "nan" : headline.callsPerResource.toFixed(3)}`,
    `refresh_throttled=${project.length === 0 ? "nan" : project.reduce((sum, r) => sum + r.throttled, 0)}`,
  ];
}
