import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/** Runs scripts/test-summary.mjs on a report (and, when given, vitest's exit code beside it). */
function summarise(report: object, exitCode?: number): { line: string; status: number | null } {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshdeck-summary-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'vitest.json'), JSON.stringify(report));
  if (exitCode !== undefined) writeFileSync(path.join(dir, 'vitest-exit-code'), `${exitCode}\n`);
  const run = spawnSync(process.execPath, ['scripts/test-summary.mjs', path.join(dir, 'vitest.json')], { encoding: 'utf8' });
  return { line: run.stdout.trim(), status: run.status };
}
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('test-summary.mjs', () => {
  const green = { numPassedTests: 3, numTotalTests: 3, numFailedTests: 0, success: true };

  it('passes a green report and a clean exit', () => {
    expect(summarise(green, 0)).toEqual({ line: '3 passed, 0 failed', status: 0 });
  });

  it("counts a lost worker's unfinished tests as failed", () => {
    expect(summarise({ ...green, numPassedTests: 1, numTotalTests: 5, success: false }, 1)).toEqual({ line: '1 passed, 4 failed', status: 1 });
  });

  it('counts a failed exit of vitest with every test passed (a worker lost after its tests) as one failure', () => {
    expect(summarise(green, 1)).toEqual({ line: '3 passed, 1 failed', status: 1 });
  });

  it('fails a run that tested nothing', () => {
    expect(summarise({ numPassedTests: 0, numTotalTests: 0, numFailedTests: 0, success: true }, 0).status).toBe(1);
  });
});
