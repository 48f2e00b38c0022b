/**
 * Scale benchmark, the real-process half (docs/benchmarks.md, scale.json; `npm run sim` writes the
 * simulated half into the same file):
 * - headless_idle_cpu_pct, headless_rss_bytes: one `meshdeck-node` process with 8 peers (8 more
 *   meshdeck-node processes, all on the local server), idle once all are ready: its CPU time over
 *   IDLE_WINDOW_S seconds of the wall clock (utime + stime from /proc), as a share of one core, and its
 *   resident memory (VmRSS) at the end of the window.
 * - real_failover_ready_ms: 20 meshdeck-nodes and 2 extension browsers on 2 federated servers
 *   (tests/support/failover-mesh.ts, as tests/e2e/scale.test.ts runs them); the first server is killed,
 *   its PeerJS server and relay with it → every node reports itself ready on what is left (a signaling
 *   endpoint and a relay of the second server open, the dead ones no longer, a ready peer), read every
 *   100 ms. One run: starting 22 nodes takes a minute.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalServer } from '../server/local-server';
import { spawnMeshdeckNode, type NodeProcess } from '../server/node-process';
import { readyWithout, startFailoverMesh, type NodeState } from '../tests/support/failover-mesh';
import { until } from '../tests/support/until';
import { mergeResult } from './support/result';

const PEERS = 8;
const IDLE_WINDOW_S = Number(process.env.BENCH_IDLE_S ?? 60);
/** After the last peer is ready: the handshakes' and the first announces' work is done. */
const SETTLE_MS = 10_000;
const CLOCK_TICKS_PER_S = 100;

/** utime + stime of `pid`, in clock ticks (/proc/<pid>/stat fields 14 and 15). */
async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]) * 1024;
}

async function measureFailover(): Promise<number> {
  const mesh = await startFailoverMesh({ nodes: 20, browsers: 2 });
  try {
    const [first] = mesh.servers;
    const everyNode = (accept: (state: NodeState) => boolean, ms: number, what: string) =>
      until(() => mesh.states(), ms, what, (states) => states.every(accept), { everyMs: 100 });
    await everyNode((s) => s.ready >= 2 && s.signalingOpen.length === 2 && s.relaysOpen.length === 2, 150_000, 'every node on both servers');
    const killedAt = performance.now();
    await first!.close();
    await everyNode((s) => readyWithout(s, { signalingUrl: first!.signalingUrl, relayUrl: first!.relayUrl }), 60_000, 'every node ready again');
    return performance.now() - killedAt;
  } finally {
    await mesh.close();
  }
}

const failoverMs = await measureFailover();
console.log(`failover: every node ready again ${Math.round(failoverMs)} ms after the kill`);
await mergeResult('scale', 'npm run bench -- scale', { runs: 1, real_failover_ready_ms: Math.round(failoverMs), real_failover_nodes: 20, real_failover_browsers: 2 });

const server = await startLocalServer({ port: 0 });
const dir = await mkdtemp(path.join(tmpdir(), 'meshdeck-scale-'));
const nodes: NodeProcess[] = [];
try {
  const start = (name: string) => {
    const node = spawnMeshdeckNode(['--identity', path.join(dir, `${name}.json`), '--signaling', server.signalingUrl, '--relay', server.relayUrl, '--room', 'idle']);
    nodes.push(node);
    return node;
  };
  const measured = start('measured');
  for (let i = 0; i < PEERS; i++) start(`peer-${i}`);
  await Promise.all(nodes.map((node) => node.started()));
  await until(() => measured.said(`peers ${PEERS}/${PEERS}`), 120_000, `the measured node with ${PEERS} ready peers`, Boolean, { everyMs: 200 }).catch((error: Error) => {
    throw new Error(`${error.message}: ${measured.out.at(-1)}`);
  });
  console.log(`measured node ${measured.nodeId()} has ${PEERS} ready peers; idle for ${SETTLE_MS / 1000} + ${IDLE_WINDOW_S} s`);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const pid = measured.child.pid!;
  const [ticks0, t0] = [await cpuTicks(pid), performance.now()];
  await new Promise((r) => setTimeout(r, IDLE_WINDOW_S * 1000));
  const [ticks1, t1] = [await cpuTicks(pid), performance.now()];
  const rss = await rssBytes(pid);
  const lastStatus = measured.out.filter((line) => line.startsWith('status:')).at(-1) ?? '';
  if (!lastStatus.includes(`peers ${PEERS}/${PEERS}`)) throw new Error(`the measured node lost a peer while idle: ${lastStatus}`);
  const cpuPct = ((ticks1 - ticks0) / CLOCK_TICKS_PER_S / ((t1 - t0) / 1000)) * 100;
  await mergeResult('scale', 'npm run bench -- scale', {
    runs: 1,
    headless_peers: PEERS,
    headless_idle_window_s: IDLE_WINDOW_S,
    headless_idle_cpu_pct: Math.round(cpuPct * 100) / 100,
    headless_rss_bytes: rss,
  });
} finally {
  await Promise.all(nodes.map((node) => node.stop()));
  await server.close();
  await rm(dir, { recursive: true, force: true });
}
