/**
 * A `meshdeck-node` child process (bin/meshdeck-node.mjs) with its output kept line by line: how
 * `npm start` runs its demo peers, and how the tests and benchmarks run headless nodes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NODE_BIN = path.join(ROOT, 'bin', 'meshdeck-node.mjs');

/** `meshdeck-node <version>: node <id> (identity …)`, its first line. */
const START_LINE = /^meshdeck-node \S+: node (n[a-z2-7]{26}) /;
const DASHBOARD_LINE = 'dashboard: ';

export interface NodeProcess {
  child: ChildProcess;
  /** stdout and stderr, one entry per line, as they came. */
  out: string[];
  err: string[];
  /** Resolves with the exit code (null when a signal ended it). */
  exit: Promise<number | null>;
  /** The node ID from its start line, or '' before that. */
  nodeId(): string;
  /** Resolves with the node ID once the start line is out; rejects if the process exits first or `ms` pass. */
  started(ms?: number): Promise<string>;
  /** The Node Dashboard's address with its token (its `dashboard:` line), or null before that or without one. */
  dashboard(): string | null;
  /** Whether a line of stdout contains `text`. */
  said(text: string): boolean;
  /** SIGTERM (a clean shutdown with bye to every peer), then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number | null>;
}

export function spawnMeshdeckNode(args: readonly string[], onLine?: (line: string, stream: 'out' | 'err') => void): NodeProcess {
  const child = spawn(process.execPath, [NODE_BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  const err: string[] = [];
  const collect = (into: string[], stream: 'out' | 'err') => {
    let rest = '';
    return (chunk: Buffer) => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop()!;
      into.push(...lines);
      if (onLine) for (const line of lines) onLine(line, stream);
    };
  };
  child.stdout!.on('data', collect(out, 'out'));
  child.stderr!.on('data', collect(err, 'err'));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    out,
    err,
    exit,
    nodeId: () => out.map((line) => START_LINE.exec(line)?.[1]).find(Boolean) ?? '',
    said: (text) => out.some((line) => line.includes(text)),
    dashboard: () => out.find((line) => line.startsWith(DASHBOARD_LINE))?.slice(DASHBOARD_LINE.length) ?? null,
    started(ms = 30_000) {
      const id = () => out.map((line) => START_LINE.exec(line)?.[1]).find(Boolean);
      return new Promise((resolve, reject) => {
        const poll = setInterval(() => {
          const found = id();
          if (found) done(() => resolve(found));
          else if (child.exitCode !== null) done(() => reject(new Error(`meshdeck-node exited (${child.exitCode}): ${err.join(' ') || 'no output'}`)));
        }, 20);
        const timer = setTimeout(() => done(() => reject(new Error(`meshdeck-node printed no start line within ${ms} ms`))), ms);
        const done = (settle: () => void) => {
          clearInterval(poll);
          clearTimeout(timer);
          settle();
        };
      });
    },
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return exit;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
  };
}
