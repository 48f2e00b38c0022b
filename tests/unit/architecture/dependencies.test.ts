/**
 * The source's dependency rules (.dependency-cruiser.cjs): no import cycle anywhere, core/ free of
 * views, entrypoints, servers and tests, nothing the product runs importing test code. Run through
 * dependency-cruiser's own command line, so that this test and `npx depcruise` can never disagree.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The package's exports name no bin file: its command as npm installs it.
const DEPCRUISE = path.join('node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const SOURCE = ['core', 'server', 'components', 'entrypoints', 'scripts', 'bench', 'tests'];

describe('dependencies', () => {
  it('break none of the rules in .dependency-cruiser.cjs', async () => {
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) =>
      execFile(process.execPath, [DEPCRUISE, '--config', '.dependency-cruiser.cjs', '--output-type', 'err', ...SOURCE], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
      ),
    );
    expect(output, output).not.toMatch(/error|warn/i);
    expect(code).toBe(0);
  }, 120_000);
});
