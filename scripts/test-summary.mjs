// Prints the one closing line `N passed, N failed` from vitest's JSON report, so a run that tested
// nothing cannot look green. Exit 1 when the report is missing, empty, or counts a failure.
// vitest's exit code (written beside the report by scripts/test.mjs) counts too: a worker that dies
// after its tests passed, or an unhandled error, leaves a report with every test passed.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

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
  const exitCodeFile = path.join(path.dirname(file), 'vitest-exit-code');
  const exitCode = existsSync(exitCodeFile) ? Number(readFileSync(exitCodeFile, 'utf8')) : 0;
  if (exitCode !== 0 && failed === 0) {
    console.error(`vitest exited with code ${exitCode} though every test in its report passed: a worker lost after its tests, or an unhandled error (see its output); counted as one failure`);
    failed = 1;
  }
} catch (error) {
  console.error(`no test report at ${file}: ${error.message}`);
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
