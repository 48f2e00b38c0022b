import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isGunGreeting, withoutGunGreeting } from '../../../server/quiet-gun';

const GREETING =
  'Hello wonderful person! :) Thanks for using GUN, please ask for help on http://chat.gun.eco if anything takes you longer than 5min to figure out!';

/** A console stand-in that records every line it is asked to print. */
function recordingConsole(): { log: (...args: unknown[]) => void; lines: unknown[][] } {
  const lines: unknown[][] = [];
  return { lines, log: (...args: unknown[]) => void lines.push(args) };
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs `code` (an ES module) in a fresh Node process with tsx, from the project's root, and returns what it printed. */
function runNode(code: string): { stdout: string; stderr: string; status: number | null } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

describe('isGunGreeting', () => {
  it("knows GUN's welcome line", () => {
    expect(isGunGreeting([GREETING])).toBe(true);
  });

  it('leaves every other line alone, including ones that mention GUN', () => {
    expect(isGunGreeting(['Meshdeck local server'])).toBe(false);
    expect(isGunGreeting(['relay: GUN client left'])).toBe(false);
    expect(isGunGreeting([`note: ${GREETING}`])).toBe(false);
    expect(isGunGreeting(['Warning: reusing same fs store and options as 1st.'])).toBe(false);
    expect(isGunGreeting([GREETING, 'and more'])).toBe(false);
    expect(isGunGreeting([{ message: GREETING }])).toBe(false);
    expect(isGunGreeting([])).toBe(false);
  });
});

describe('withoutGunGreeting', () => {
  it('swallows the greeting printed while it runs and passes other lines through unchanged', () => {
    const target = recordingConsole();
    const result = withoutGunGreeting(() => {
      target.log(GREETING);
      target.log('ours', 1, { a: 2 });
      return 'loaded';
    }, target);
    expect(result).toBe('loaded');
    expect(target.lines).toEqual([['ours', 1, { a: 2 }]]);
  });

  it('puts the original log back afterwards, so a later greeting-like line is printed', () => {
    const target = recordingConsole();
    const original = target.log;
    withoutGunGreeting(() => undefined, target);
    expect(target.log).toBe(original);
    target.log(GREETING);
    expect(target.lines).toEqual([[GREETING]]);
  });

  it('puts the original log back when loading throws, and lets the error through', () => {
    const target = recordingConsole();
    const original = target.log;
    expect(() =>
      withoutGunGreeting(() => {
        throw new Error('gun failed to load');
      }, target),
    ).toThrow('gun failed to load');
    expect(target.log).toBe(original);
  });
});

describe('requireGun, with the real GUN in a fresh process', () => {
  it('prints nothing of GUN when the relay entry loads, while our own line gets through', () => {
    const run = runNode("import { requireGun } from './server/quiet-gun.ts'; requireGun('gun'); console.log('ours');");
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('ours\n');
  });

  it('also covers a later import of gun/gun, as core/discovery/gun-rendezvous.ts makes one', () => {
    const run = runNode(
      "import { requireGun } from './server/quiet-gun.ts'; requireGun('gun/gun'); const { default: Gun } = await import('gun/gun'); console.log(typeof Gun);",
    );
    expect(run.stdout).toBe('function\n');
  });

  it('is needed: loading GUN plainly prints the greeting this filter knows', () => {
    const run = runNode("import { createRequire } from 'node:module'; createRequire(import.meta.url)('gun/gun');");
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(isGunGreeting([lines[0]])).toBe(true);
  });
});
