/**
 * The bench's Markdown tables: one row per run, columns declared once each, so the snapshot fleets and
 * the sets fleet share the definitions of every figure they both show.
 */
import type { RunResult } from "./measure";

interface Column {
  header: string;
  cell: (r: RunResult) => string;
  /** Text columns are left-aligned, figures right-aligned. */
  text?: boolean;
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "-";
}

export const throttledPct = (r: RunResult): number => (100 * r.throttled) / Math.max(1, r.totalCalls);

const mode: Column = { header: "mode", cell: (r) => r.mode, text: true };
/** Every figure past the outcome columns, in the order both tables show them. */
const calls: Column[] = [
  { header: "DescribeSnapshots", cell: (r) => String(r.describeCalls) },
  { header: "max DS/min", cell: (r) => String(r.maxDescribePerMinute) },
  { header: "API calls", cell: (r) => String(r.totalCalls) },
  { header: "throttled", cell: (r) => String(r.throttled) },
  { header: "throttled %", cell: (r) => fixed(throttledPct(r), 2) },
  { header: "vol-limit errs", cell: (r) => String(r.volumeLimitErrors) },
  { header: "other errs", cell: (r) => String(r.otherErrors) },
  { header: "lag mean s", cell: (r) => fixed(r.lagMeanS, 1) },
  { header: "lag p95 s", cell: (r) => fixed(r.lagP95S, 1) },
  { header: "lag max s", cell: (r) => fixed(r.lagMaxS, 1) },
];
const costs: Column[] = [
  { header: "wall (sim)", cell: (r) => `${fixed(r.wallSimS / 60, 1)} min` },
  { header: "real", cell: (r) => `${fixed(r.realS, 1)} s` },
  { header: "cpu", cell: (r) => `${fixed(r.cpuS, 1)} s` },
  { header: "cpu ms/snap", cell: (r) => fixed(r.clientCpuMsPerSnapshot, 2) },
  { header: "RSS MB", cell: (r) => fixed(r.rssMb, 0) },
];
const lateness: Column = { header: "timer lateness p99 (sim)", cell: (r) => r.fidelity };

/** The snapshot fleets: N Snapshots per run. */
export function snapshotColumns(scaled: boolean): Column[] {
  return [
    { header: "N", cell: (r) => r.fleet.label, text: true },
    mode,
    { header: "ok", cell: (r) => String(r.ok) },
    { header: "failed", cell: (r) => String(r.failed) },
    ...calls,
    ...costs,
    ...(scaled ? [lateness] : []),
  ];
}

/** The sets fleet: one SnapshotSet per instance; lags are per set, calls and costs for all its snapshots. */
export function setColumns(scaled: boolean, withFailures: boolean): Column[] {
  return [
    { header: "instances x volumes", cell: (r) => r.fleet.label, text: true },
    mode,
    { header: "sets ok", cell: (r) => String(r.ok) },
    { header: "sets failed", cell: (r) => String(r.failed) },
    { header: "snapshots", cell: (r) => String(r.fleet.snapshots) },
    ...calls,
    ...(withFailures ? [{ header: "failed-set return p95 s", cell: (r: RunResult) => fixed(r.failureDetectP95S, 1) }] : []),
    ...costs,
    ...(scaled ? [lateness] : []),
  ];
}

export function table(results: readonly RunResult[], columns: readonly Column[]): string {
  const rows = results.map((r) => columns.map((c) => c.cell(r)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((cell, i) => (columns[i].text ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (columns[i].text ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(columns.map((c) => c.header)), rule, ...rows.map(line)].join("\n");
}
