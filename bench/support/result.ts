/**
 * What every benchmark shares (issue 24, "one of each"): writing its result file with the keys every
 * result carries (docs/benchmarks.md), the arithmetic its figures go through (round, median,
 * percentile), and the page readings more than one benchmark takes (the page clock, the heap after GC).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'puppeteer';

/** The node's own median (core/session/heartbeat), so a benchmark's median is the one the product shows. */
export { median } from '../../core/session/heartbeat';

/** `value` with `digits` decimals, as a number: how every figure and sample is written. */
export const round = (value: number, digits = 1): number => Number(value.toFixed(digits));

/** The nearest-rank `p`th percentile of `values` (not empty). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The page's clock in ms since the epoch: both browsers of a benchmark share the machine's clock. */
export function pageNow(page: Page): Promise<number> {
  return page.evaluate(() => performance.timeOrigin + performance.now());
}

/** The page's used JS heap after a full GC (the browser runs with --js-flags=--expose-gc). */
export function heapAfterGc(page: Page): Promise<number> {
  return page.evaluate(() => {
    (globalThis as unknown as { gc: () => void }).gc();
    return (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize;
  });
}

type Figures = Record<string, unknown> & { runs: number };

const fileOf = (name: string): string => path.join('bench', 'results', `${name}.json`);

export async function writeResult(name: string, figures: Figures): Promise<void> {
  await write(name, { command: `npm run bench -- ${name}`, ...stamp(), ...figures });
}

/**
 * Writes `figures` into a result file that two commands fill (scale.json: `npm run sim` and `npm run
 * bench -- scale`), keeping the other command's keys; `commands` names which wrote which.
 */
export async function mergeResult(name: string, command: string, figures: Figures): Promise<void> {
  let previous: Record<string, unknown> = {};
  try {
    previous = JSON.parse(await readFile(fileOf(name), 'utf8')) as Record<string, unknown>;
  } catch {
    // No earlier result: this command's keys are the whole file.
  }
  const commands = { ...(previous.commands as Record<string, string> | undefined), [command]: new Date().toISOString() };
  await write(name, { ...previous, command: Object.keys(commands).join(' && '), ...stamp(), commands, ...figures });
}

/**
 * The commit the figures measure, and whether the tree had changes besides (bench/results/ aside: a
 * run that rewrites its own result file still measures the commit).
 */
function revision(): { commit: string; dirty?: true } {
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  const commit = git('rev-parse', 'HEAD');
  const changes = git('status', '--porcelain', '--', '.', ':(exclude)bench/results');
  return changes ? { commit, dirty: true } : { commit };
}

function stamp() {
  return {
    ...revision(),
    date: new Date().toISOString(),
    machine: { cores: os.cpus().length, memory_bytes: os.totalmem(), cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version },
  };
}

async function write(name: string, result: Record<string, unknown>): Promise<void> {
  const file = fileOf(name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`${file}:\n${JSON.stringify(result, null, 2)}`);
}
