/**
 * Prints the reliability suite's summary table and, as its very last line, the RELIABILITY figures.
 * Run after the suite: `node dist/tests/reliability/report.js`. Exits 1 when a target is missed, and 2
 * when there is no report to print (the suite did not run).
 */
import { figuresOf, loadReport, missedTargets, RELIABILITY_REPORT_PATH, reliabilityLine, summaryLines } from "../support/reliabilityReport";

function main(): number {
  const report = loadReport();
  if (report === undefined) {
    process.stderr.write(`No reliability report at ${RELIABILITY_REPORT_PATH}: run the reliability suite first (mocha 'dist/tests/reliability/**/*.test.js').\n`);
    return 2;
  }
  const figures = figuresOf(report);
  process.stdout.write(`${[...summaryLines(report), reliabilityLine(figures)].join("\n")}\n`);
  return missedTargets(figures).length === 0 ? 0 : 1;
}

process.exitCode = main();
