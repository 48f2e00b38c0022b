// Prints the one closing line `N passed, N failed` from vitest's JSON report, so a run that tested
// nothing cannot look green. Exit 1 when the report is missing, empty, or counts a failure.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'test-results/vitest.json';
let passed = 0;
let failed = 0;
try {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed = report.numPassedTests;
  // A crashed worker leaves its file's tests neither passed nor failed: they count as failed.
  const unfinished = report.numTotalTests - passed - report.numFailedTests - (report.numPendingTests ?? 0) - (report.numTodoTests ?? 0);
  failed = report.numFailedTests + Math.max(0, unfinished) + (report.numRuntimeErrorTestSuites ?? 0);
  if (!report.success && failed === 0) failed = 1;
} catch (error) {
  console.error(`no test report at ${file}: ${error.message}`);
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
