// Prints vitest's totals from its JSON report as one line, `tests: N passed, N failed`,
// and exits non-zero when anything failed. A test file that failed to load has no
// failed test of its own but fails the run: it counts once, as vitest counts it.
import { readFileSync } from "node:fs";

let report;
try {
  report = JSON.parse(readFileSync(process.argv[2], "utf8"));
} catch (error) {
  console.log("tests: 0 passed, 1 failed");
  console.error(`no vitest JSON report at ${process.argv[2]}: ${error.message}`);
  process.exit(1);
}
const files = report.testResults ?? [];
const unloaded = files.filter((file) => file.status === "failed" && !file.assertionResults.some((test) => test.status === "failed")).length;
const passed = report.numPassedTests ?? 0;
const failed = (report.numFailedTests ?? 0) + unloaded;
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || report.success === false ? 1 : 0);
