/**
 * The figures of the reliability suite (tests/reliability): what each scenario, bad input and documented
 * limit recorded, the totals, the targets, and the summary table that tests/reliability/report.ts prints.
 *
 * Pure: loading this module writes nothing. The suite writes the report through reliabilityRecorder.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** dist/reliability-report.json, next to the compiled tests (this file runs from dist/tests/support). */
export const RELIABILITY_REPORT_PATH = path.resolve(__dirname, "..", "..", "reliability-report.json");

export type ResourceKind = "Snapshot" | "SnapshotSet" | "VolumeSet";

/** One scenario: faults injected into a deployment, then the emulator compared with what state records. */
export interface ScenarioRow {
  /** The test file's subject: "Snapshot", "SnapshotSet", "VolumeSet" or "secrets". */
  suite: string;
  name: string;
  resource: ResourceKind;
  /** Faults that actually hit: proxy fault hits, lifecycle rules applied, out-of-band changes and host kills. */
  faults: number;
  /** What was injected, as labels with their counts ("error:RequestLimitExceeded×3"). */
  faultLabels: string[];
  hostKills: number;
  /**
   * Snapshots, and volumes a VolumeSet made, in the emulator that no state recorded, at the end of the
   * steps or after destroy.
   */
  leaked: string[];
  /** Snapshots and volumes state recorded at the end of the steps that the emulator no longer had, though nobody asked for their delete. */
  lost: string[];
  /**
   * Snapshots and volumes not made by the provider (the test's own, such as a seeded instance's volumes;
   * not the provider's to touch) that were gone at the end, unless the test itself deleted them.
   */
  foreignDeleted: string[];
  /** Credential values found in state, outputs, host output or error messages. */
  secretsFound: number;
  /** The step outcomes, such as "up[create:ok] up[update:fail] refresh[refresh:ok]". */
  steps: string;
  /** The message of every failed step, in order. */
  messages: string[];
  passed: boolean;
  failure?: string;
  durationMs: number;
}

/** One bad input sent through a real host. */
export interface BadInputRow {
  resource: ResourceKind;
  source: "table" | "property";
  label: string;
  /** The property the input gets wrong. */
  expected: string;
  /** Refused by Check (or by Create before any EC2 call) with a message naming `expected` or a path under it. */
  refused: boolean;
  by: "check" | "create" | "none";
  /** The failure that named the property, or what came back instead. */
  property?: string;
  reason?: string;
  ec2Calls: number;
}

/** A behaviour the provider cannot do better, shown in the table but not counted in the figures. */
export interface LimitRow {
  name: string;
  resource: ResourceKind;
  /** What the test observed. */
  observed: string;
  leaked: string[];
}

export interface ReliabilityReport {
  startedAt: string;
  updatedAt: string;
  scenarios: ScenarioRow[];
  badInputs: BadInputRow[];
  /** Valid inputs holding unknown sentinels that Check accepted, as it must (not bad inputs). */
  unknownsAccepted: number;
  unknownsChecked: number;
  limits: LimitRow[];
}

export interface Figures {
  scenarios: number;
  faultsInjected: number;
  leaked: number;
  lost: number;
  badInputs: number;
  badInputsRefused: number;
  secretsFound: number;
  /** Besides the figures: scenarios whose own assertions failed, and foreign snapshots and volumes deleted. */
  scenariosFailed: number;
  foreignDeleted: number;
}

/** The targets. */
export const TARGETS = { minScenarios: 40, minBadInputs: 200 } as const;

export function emptyReport(now: Date = new Date()): ReliabilityReport {
  return { startedAt: now.toISOString(), updatedAt: now.toISOString(), scenarios: [], badInputs: [], unknownsAccepted: 0, unknownsChecked: 0, limits: [] };
}

export function figuresOf(report: ReliabilityReport): Figures {
  const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
  return {
    scenarios: report.scenarios.length,
    faultsInjected: sum(report.scenarios.map((s) => s.faults)),
    leaked: sum(report.scenarios.map((s) => s.leaked.length)),
    lost: sum(report.scenarios.map((s) => s.lost.length)),
    badInputs: report.badInputs.length,
    badInputsRefused: report.badInputs.filter((b) => b.refused).length,
    secretsFound: sum(report.scenarios.map((s) => s.secretsFound)),
    scenariosFailed: report.scenarios.filter((s) => !s.passed).length,
    foreignDeleted: sum(report.scenarios.map((s) => s.foreignDeleted.length)),
  };
}

/** Each target missed, in words; empty when every target is met. */
export function missedTargets(figures: Figures): string[] {
  const missed: string[] = [];
  if (figures.scenarios < TARGETS.minScenarios) {
    missed.push(`scenarios=${figures.scenarios}, target at least ${TARGETS.minScenarios}`);
  }
  if (figures.badInputs < TARGETS.minBadInputs) {
    missed.push(`bad_inputs=${figures.badInputs}, target at least ${TARGETS.minBadInputs}`);
  }
  if (figures.leaked !== 0) {
    missed.push(`leaked=${figures.leaked}, target 0`);
  }
  if (figures.lost !== 0) {
    missed.push(`lost=${figures.lost}, target 0`);
  }
  if (figures.secretsFound !== 0) {
    missed.push(`secrets_found=${figures.secretsFound}, target 0`);
  }
  if (figures.badInputsRefused !== figures.badInputs) {
    missed.push(`bad_inputs_refused=${figures.badInputsRefused}, target ${figures.badInputs} (every bad input)`);
  }
  if (figures.scenariosFailed !== 0) {
    missed.push(`${figures.scenariosFailed} scenario(s) failed their own assertions`);
  }
  if (figures.foreignDeleted !== 0) {
    missed.push(`${figures.foreignDeleted} snapshot(s) or volume(s) the provider did not own were deleted`);
  }
  return missed;
}

/** The last line of `npm test`, exactly as the issue words it. */
export function reliabilityLine(figures: Figures): string {
  return (
    `RELIABILITY scenarios=${figures.scenarios} faults_injected=${figures.faultsInjected} leaked=${figures.leaked} lost=${figures.lost} ` +
    `bad_inputs=${figures.badInputs} bad_inputs_refused=${figures.badInputsRefused} secrets_found=${figures.secretsFound}`
  );
}

function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The summary table: one row per scenario, bad inputs by resource and source, limits; without the RELIABILITY line. */
export function summaryLines(report: ReliabilityReport): string[] {
  const lines: string[] = ["", `Reliability suite, run started ${report.startedAt}`, ""];
  lines.push(
    ...table(
      ["#", "suite", "scenario", "faults", "kills", "leaked", "lost", "foreign del", "secrets", "steps", "ms", "result"],
      report.scenarios.map((s, i) => [
        String(i + 1),
        s.suite,
        clip(s.name, 72),
        String(s.faults),
        String(s.hostKills),
        String(s.leaked.length),
        String(s.lost.length),
        String(s.foreignDeleted.length),
        String(s.secretsFound),
        clip(s.steps, 60),
        String(s.durationMs),
        s.passed ? "ok" : "FAIL",
      ]),
    ),
  );
  const failed = report.scenarios.filter((s) => !s.passed || s.leaked.length > 0 || s.lost.length > 0 || s.foreignDeleted.length > 0);
  if (failed.length > 0) {
    lines.push("", "Scenarios that failed:");
    for (const s of failed) {
      lines.push(`  - [${s.suite}] ${s.name}`);
      const details: [string, string[]][] = [
        ["leaked", s.leaked],
        ["lost", s.lost],
        ["foreign snapshots or volumes deleted", s.foreignDeleted],
      ];
      for (const [what, ids] of details.filter(([, ids]) => ids.length > 0)) {
        lines.push(`      ${what}: ${ids.join(", ")}`);
      }
      if (s.failure !== undefined) {
        lines.push(`      ${clip(s.failure, 400)}`);
      }
    }
  }
  const groups = new Map<string, BadInputRow[]>();
  for (const row of report.badInputs) {
    const key = `${row.resource}\u0000${row.source}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  lines.push("");
  lines.push(
    ...table(
      ["bad inputs", "source", "sent", "refused by check", "refused by create", "not refused", "EC2 calls"],
      [...groups.entries()].map(([key, rows]) => {
        const [resource, source] = key.split("\u0000");
        return [
          resource,
          source,
          String(rows.length),
          String(rows.filter((r) => r.refused && r.by === "check").length),
          String(rows.filter((r) => r.refused && r.by === "create").length),
          String(rows.filter((r) => !r.refused).length),
          String(rows.reduce((a, r) => a + r.ec2Calls, 0)),
        ];
      }),
    ),
  );
  for (const row of report.badInputs.filter((r) => !r.refused)) {
    lines.push(`  not refused: ${row.resource} ${row.source} "${clip(row.label, 80)}" (expected a failure naming ${row.expected}): ${clip(row.reason ?? "", 200)}`);
  }
  lines.push(`Unknown sentinels in otherwise valid inputs: ${report.unknownsAccepted} of ${report.unknownsChecked} accepted by Check (not counted as bad inputs).`);
  if (report.limits.length > 0) {
    lines.push("", "Documented limits (not counted in the figures):");
    for (const limit of report.limits) {
      lines.push(`  - ${limit.resource}: ${limit.name}: ${limit.observed}`);
    }
  }
  const figures = figuresOf(report);
  const missed = missedTargets(figures);
  lines.push("", missed.length === 0 ? "Targets: all met." : `Targets missed: ${missed.join("; ")}.`);
  return lines;
}

export function loadReport(file: string = RELIABILITY_REPORT_PATH): ReliabilityReport | undefined {
  if (!fs.existsSync(file)) {
    return undefined;
  }
  return JSON.parse(fs.readFileSync(file, "utf8")) as ReliabilityReport;
}
