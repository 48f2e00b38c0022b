/**
 * A stock GUN relay: the `gun` package's own server (node_modules/gun/examples/http.js, unchanged:
 * its cluster master, radisk storage, no Meshdeck code) in a process of its own, as any relay of a
 * federation may be. Whatever Meshdeck's own relay refuses, this one stores and forwards: a node must
 * hold against it by itself.
 *
 * It listens on every interface of the namespace it runs in: callers run it inside the loopback-only
 * namespace of the tests and benchmarks (scripts/loopback-namespace.mjs), where that is `lo` alone.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isInLoopbackNamespace } from '../../scripts/loopback-namespace.mjs';
import { until } from './until';

const require = createRequire(import.meta.url);
const GUN_SERVER = path.join(path.dirname(require.resolve('gun/package.json')), 'examples', 'http.js');

interface StockGunRelay {
  /** The relay's GUN endpoint, as a node's `relayUrls` take it. */
  relayUrl: string;
  close(): Promise<void>;
}

export async function startStockGunRelay(port: number): Promise<StockGunRelay> {
  if (!isInLoopbackNamespace()) throw new Error('the stock GUN relay listens on every interface: start it inside a loopback-only network namespace');
  // radisk writes `radata/` in the working directory: a folder of its own, removed at close.
  const dir = mkdtempSync(path.join(tmpdir(), 'stock-gun-relay-'));
  // detached: its own process group, so that close() ends the cluster master and its worker together.
  const child = spawn(process.execPath, [GUN_SERVER, String(port)], { cwd: dir, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const listening = async () => {
    if (child.exitCode !== null) throw new Error(`the stock GUN relay exited (${child.exitCode}): ${stderr.join('')}`);
    return accepts(port);
  };
  await until(listening, 15_000, `the stock GUN relay listening on ${port}`);
  return {
    relayUrl: `http://127.0.0.1:${port}/gun`,
    async close() {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
