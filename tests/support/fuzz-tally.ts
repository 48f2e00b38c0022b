/**
 * The fuzz suite's count of cases, across vitest's workers.
 *
 * Vitest runs each test file in its own worker (a child process in the default `forks` pool, a
 * thread in `threads`), so no file can hold the total. Each fuzz file keeps a FuzzTally; when the
 * file ends it writes `test-results/fuzz/<run>--<file>.json` and then re-sums every file of the same
 * run into `test-results/fuzz.json` (`{ cases, uncaught, files }`), which bench/hostile.ts reads for its
 * `fuzz_cases` and `fuzz_uncaught` keys. The file that finishes last writes the whole total; a lock
 * directory keeps two files finishing together from writing a partial sum over a complete one.
 *
 * What is counted:
 * - `cases`: inputs generated and run by a property. The replays fast-check makes while shrinking a
 *   counterexample are not counted (they re-run a case already counted).
 * - `uncaught`: generated cases in which an exception escaped a decoder: an error of a class other
 *   than the decoder's own (a TypeError, a RangeError…), a promise that rejected where it must not,
 *   an unhandled rejection or an uncaught exception during the file, a session fault. A failing
 *   property stops at its first counterexample, so a decoder with one bug adds 1, not 1 per replay.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { afterAll } from 'vitest';

interface FuzzCounts {
  cases: number;
  uncaught: number;
}

interface FuzzTotal extends FuzzCounts {
  /** Per fuzz file (path relative to the repo root). */
  files: Record<string, FuzzCounts>;
}

interface FileTally extends FuzzCounts {
  run: string;
  file: string;
}

const FUZZ_RESULTS_DIR = path.resolve(process.cwd(), 'test-results', 'fuzz');
const FUZZ_TOTAL_FILE = path.resolve(process.cwd(), 'test-results', 'fuzz.json');

/**
 * One vitest run: its main process, which is the parent of a `forks` worker and the process of a
 * `threads` worker. Tallies left by an earlier run (or by a file since renamed) carry another run and
 * are not summed.
 */
const FUZZ_RUN = String(isMainThread ? process.ppid : process.pid);

/** Thrown (and counted) when an exception escaped a decoder: the decoder's contract is broken. */
export class EscapedError extends Error {
  override name = 'EscapedError';
  constructor(
    readonly decoder: string,
    readonly escaped: unknown,
  ) {
    const what = escaped instanceof Error ? `${escaped.name}: ${escaped.message}` : `a thrown ${typeof escaped} ${String(escaped)}`;
    super(`${decoder} let ${what} escape`, { cause: escaped });
  }
}

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * A decoder call that takes longer than this on one input is taken for a hang (or super-linear work
 * an attacker can multiply). Generous: this machine also runs browsers, and the largest inputs are
 * 1 MiB texts that parse in ~10 ms.
 */
const DECODE_BUDGET_MS = 3_000;

class SlowDecodeError extends Error {
  override name = 'SlowDecodeError';
}

function checkTime(decoder: string, started: number): void {
  const took = performance.now() - started;
  if (took > DECODE_BUDGET_MS) throw new SlowDecodeError(`${decoder} took ${Math.round(took)} ms on one input`);
}

/**
 * Runs a decoder. Returns what it returned, or the error it threw when that error is one of its own
 * documented classes; anything else it throws is an EscapedError.
 */
export function decode<T>(decoder: string, allowed: readonly ErrorClass[], run: () => T): { value: T } | { error: Error } {
  const started = performance.now();
  let outcome: { value: T } | { error: Error };
  try {
    outcome = { value: run() };
  } catch (error) {
    if (!allowed.some((type) => error instanceof type)) throw new EscapedError(decoder, error);
    outcome = { error: error as Error };
  }
  checkTime(decoder, started);
  return outcome;
}

/** decode() for an async decoder. */
export async function decodeAsync<T>(decoder: string, allowed: readonly ErrorClass[], run: () => Promise<T>): Promise<{ value: T } | { error: Error }> {
  const started = performance.now();
  let outcome: { value: T } | { error: Error };
  try {
    outcome = { value: await run() };
  } catch (error) {
    if (!allowed.some((type) => error instanceof type)) throw new EscapedError(decoder, error);
    outcome = { error: error as Error };
  }
  checkTime(decoder, started);
  return outcome;
}

class FuzzTally {
  cases = 0;
  uncaught = 0;
  /** Escapes seen outside any predicate (unhandled rejections, uncaught exceptions), not yet claimed by a case. */
  private stray: unknown[] = [];

  constructor(readonly file: string) {}

  /**
   * Wraps a property's predicate so that each generated case is counted, and each case in which an
   * exception escaped (an EscapedError, or a stray escape noted during the case) counts as uncaught.
   * Stray escapes fail the case they happened in.
   */
  property<Args extends unknown[]>(predicate: (...args: Args) => unknown): (...args: Args) => Promise<void> {
    let shrinking = false;
    return async (...args: Args) => {
      const counted = !shrinking;
      if (counted) this.cases++;
      try {
        const result = await predicate(...args);
        if (result === false) throw new Error('the property returned false');
        this.claimStray();
      } catch (error) {
        if (counted) {
          shrinking = true;
          if (error instanceof EscapedError) this.uncaught++;
        }
        throw error;
      }
    };
  }

  /** Notes an escape that happened outside a decoder call the predicate awaited. */
  noteStray(error: unknown): void {
    this.stray.push(error);
  }

  private claimStray(): void {
    if (this.stray.length === 0) return;
    const [first] = this.stray;
    this.stray = [];
    throw new EscapedError('an unawaited task', first);
  }

  /** Escapes noted and never claimed by a case (after the last one): counted once each. */
  settleStray(): void {
    this.uncaught += this.stray.length;
    this.stray = [];
  }
}

/**
 * The tally of one fuzz file: listens for unhandled rejections and uncaught exceptions while the file
 * runs, and writes the file's counts (and the re-summed total) when it ends.
 */
export function fuzzTally(testFile: string): FuzzTally {
  const tally = new FuzzTally(path.relative(process.cwd(), testFile));
  const onStray = (error: unknown) => tally.noteStray(error);
  process.on('unhandledRejection', onStray);
  process.on('uncaughtException', onStray);
  afterAll(() => {
    process.off('unhandledRejection', onStray);
    process.off('uncaughtException', onStray);
    tally.settleStray();
    writeFileTally(tally);
  });
  return tally;
}

function writeFileTally(tally: FuzzTally): void {
  fs.mkdirSync(FUZZ_RESULTS_DIR, { recursive: true });
  const record: FileTally = { run: FUZZ_RUN, file: tally.file, cases: tally.cases, uncaught: tally.uncaught };
  withLock(() => {
    // Named by run too: two runs in one work tree (two people, two terminals) do not overwrite each other.
    writeAtomic(path.join(FUZZ_RESULTS_DIR, `${FUZZ_RUN}--${tally.file.replace(/[\\/]/g, '__')}.json`), record);
    forgetEndedRuns();
    writeAtomic(FUZZ_TOTAL_FILE, sumFuzzTallies());
  });
}

/** Deletes the tallies of runs whose vitest process is gone: they can never be summed again. */
function forgetEndedRuns(): void {
  for (const name of fs.readdirSync(FUZZ_RESULTS_DIR)) {
    const run = /^(\d+)--.*\.json$/.exec(name)?.[1];
    if (!run || run === FUZZ_RUN || isRunning(Number(run))) continue;
    fs.rmSync(path.join(FUZZ_RESULTS_DIR, name), { force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sums the tallies the fuzz files of one run (this one by default) wrote to `dir`. */
function sumFuzzTallies(dir = FUZZ_RESULTS_DIR, run = FUZZ_RUN): FuzzTotal {
  const total: FuzzTotal = { cases: 0, uncaught: 0, files: {} };
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return total;
  }
  for (const name of names.sort()) {
    let tally: Partial<FileTally>;
    try {
      tally = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as Partial<FileTally>;
    } catch {
      continue; // Not ours, or half written by a run that was killed.
    }
    if (tally.run !== run || typeof tally.file !== 'string' || !Number.isInteger(tally.cases) || !Number.isInteger(tally.uncaught)) continue;
    total.cases += tally.cases!;
    total.uncaught += tally.uncaught!;
    total.files[tally.file] = { cases: tally.cases!, uncaught: tally.uncaught! };
  }
  return total;
}

function writeAtomic(file: string, value: unknown): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`);
  fs.renameSync(temporary, file);
}

/** Runs `task` holding a lock directory; a lock older than 10 s is taken to be left by a killed run. */
function withLock(task: () => void): void {
  const lock = path.join(FUZZ_RESULTS_DIR, '.lock');
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (error) {
      // Without a lock to take (a read-only tree, say), write anyway: a partial total beats none.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return task();
      const stale = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 10_000;
      if (stale || Date.now() > deadline) {
        fs.rmSync(lock, { recursive: true, force: true });
        continue;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
  try {
    task();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}
