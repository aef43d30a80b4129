/**
 * Writes the reliability report while the suite runs. Importing this module starts a new report (so a
 * report left by an earlier run is never mistaken for this one); each record rewrites the whole file, so
 * whatever ran before a crash is still reported.
 *
 * Mocha loads every test file into one process, so all reliability files share this one report.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { emptyReport, RELIABILITY_REPORT_PATH, type BadInputRow, type LimitRow, type ReliabilityReport, type ScenarioRow } from "./reliabilityReport";

const report: ReliabilityReport = emptyReport();

function save(): void {
  report.updatedAt = new Date().toISOString();
  fs.mkdirSync(path.dirname(RELIABILITY_REPORT_PATH), { recursive: true });
  const temporary = `${RELIABILITY_REPORT_PATH}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(report, null, 2)}\n`);
  fs.renameSync(temporary, RELIABILITY_REPORT_PATH);
}

save();

export function recordScenario(row: ScenarioRow): void {
  report.scenarios.push(row);
  save();
}

export function recordBadInputs(rows: readonly BadInputRow[]): void {
  report.badInputs.push(...rows);
  save();
}

export function recordUnknownsAccepted(checked: number, accepted: number): void {
  report.unknownsChecked += checked;
  report.unknownsAccepted += accepted;
  save();
}

export function recordLimit(row: LimitRow): void {
  report.limits.push(row);
  save();
}
