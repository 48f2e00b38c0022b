/**
 * No unused file, export, type or dependency (knip, configured in knip.jsonc). Run through knip's own
 * command line, so that this test and `npx knip` can never disagree.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The package's exports name no bin file: its command as npm installs it.
const KNIP = path.join('node_modules', 'knip', 'bin', 'knip.js');

describe('unused code', () => {
  it('is none, by knip.jsonc', async () => {
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) =>
      execFile(process.execPath, [KNIP, '--no-progress', '--no-config-hints'], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
      ),
    );
    expect(output.trim(), output).toBe('');
    expect(code).toBe(0);
  }, 120_000);
});
