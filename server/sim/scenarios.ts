/**
 * The simulation's run, in four acts on one mesh (issue 14):
 * 1. every node joins at a random moment of one announce period, until each has MIN_READY ready peers;
 * 2. routed mesh pings between random pairs;
 * 3. 10 % of the nodes die at once; once the rest have re-converged, pings again;
 * 4. 5 % of the nodes left turn hostile (sim/hostile-node.ts); one announce period later, pings between
 *    honest nodes again.
 */
import { ANNOUNCE_INTERVAL_MS } from '../../core/discovery/rendezvous-record';
import type { SimMesh, SimPeer } from './sim-mesh';

/** Ready peers every node must hold for the mesh to count as converged (docs/benchmarks.md `sim_converge_periods`). */
const MIN_READY = 4;
/** Announce periods given to converge before the run reports that it did not. */
const CONVERGE_LIMIT_PERIODS = 10;
/** Pings in flight at once: a few per second of the mesh, as users and tools would send them. */
const PINGS_AT_ONCE = 25;
const STEP_MS = 250;

export interface PingRound {
  sent: number;
  delivered: number;
  /** Hops of each delivered ping, one way. */
  hops: number[];
  /** Route message copies the pinging phase made honest nodes send (pings and pongs, every hop). */
  copies: number;
}

export interface SimReport {
  nodes: number;
  seed: number;
  /** Announce periods from the first join until every node had MIN_READY ready peers; null: not within the limit. */
  convergePeriods: number | null;
  normal: PingRound;
  killed: number;
  reconvergePeriods: number | null;
  /** Seconds from the kill until no honest node held a session with a dead one (its heartbeat found out); null: not within a minute. */
  deadDroppedSeconds: number | null;
  afterKill: PingRound;
  hostile: number;
  /** Sessions honest nodes still held with hostile ones when the last pings were sent. */
  hostileSessionsLeft: number;
  withHostile: PingRound;
  virtualSeconds: number;
  frames: number;
}

interface SimOptions {
  pings: number;
  log(line: string): void;
}

export async function runScenarios(mesh: SimMesh, { pings, log }: SimOptions): Promise<SimReport> {
  const { clock } = mesh;
  const start = clock.monotonic();
  for (const peer of mesh.peers) clock.setTimeout(() => mesh.start(peer), mesh.draw() * ANNOUNCE_INTERVAL_MS);
  const convergePeriods = await converge(mesh, start, log);
  log(`joined: ${describe(convergePeriods)}`);
  // One more period, so that every record lists its node's neighbours as they are now.
  await advanceBy(mesh, ANNOUNCE_INTERVAL_MS);
  const normal = await pingRound(mesh, mesh.honest(), pings);
  log(`pings: ${normal.delivered} of ${normal.sent} delivered, ${(normal.copies / Math.max(1, normal.delivered)).toFixed(1)} route copies each`);

  const victims = mesh.pick(mesh.honest(), Math.round(mesh.peers.length * 0.1));
  const killedAt = clock.monotonic();
  for (const victim of victims) mesh.kill(victim);
  const reconvergePeriods = await converge(mesh, killedAt, log);
  const deadDroppedSeconds = await untilDeadDropped(mesh, killedAt);
  log(`${victims.length} killed: re-converged ${describe(reconvergePeriods)}; every session with a dead node dropped after ${deadDroppedSeconds ?? 'more than 60'} s`);
  await advanceBy(mesh, ANNOUNCE_INTERVAL_MS);
  const afterKill = await pingRound(mesh, mesh.honest(), pings);
  log(`pings after the kill: ${afterKill.delivered} of ${afterKill.sent} delivered`);

  const hostile = mesh.pick(mesh.honest(), Math.round(mesh.peers.length * 0.05));
  for (const peer of hostile) mesh.turnHostile(peer);
  await advanceBy(mesh, ANNOUNCE_INTERVAL_MS);
  const hostileIds = new Set(hostile.map((peer) => peer.nodeId));
  const hostileSessionsLeft = mesh.honest().reduce((n, peer) => n + peer.node.readySessions().filter((s) => hostileIds.has(s.remoteId)).length, 0);
  const withHostile = await pingRound(mesh, mesh.honest(), pings);
  log(`${hostile.length} hostile (${hostileSessionsLeft} sessions with them left): ${withHostile.delivered} of ${withHostile.sent} delivered`);

  return {
    nodes: mesh.peers.length,
    seed: mesh.seed,
    convergePeriods,
    normal,
    killed: victims.length,
    reconvergePeriods,
    deadDroppedSeconds,
    afterKill,
    hostile: hostile.length,
    hostileSessionsLeft,
    withHostile,
    virtualSeconds: (clock.monotonic() - start) / 1000,
    frames: mesh.network.counters.frames,
  };
}

/** Advances `ms` a second at a time: a hostile flood puts more frames in flight in 15 s than one advance may fire. */
async function advanceBy(mesh: SimMesh, ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= 1000) await mesh.clock.advance(Math.min(1000, left));
}

/** Advances a second at a time until every honest node has MIN_READY ready peers; the periods it took from `since`. */
async function converge(mesh: SimMesh, since: number, log: (line: string) => void): Promise<number | null> {
  const limit = since + CONVERGE_LIMIT_PERIODS * ANNOUNCE_INTERVAL_MS;
  let lastReport = since;
  while (mesh.clock.monotonic() < limit) {
    await mesh.clock.advance(1000);
    const honest = mesh.honest();
    const short = honest.filter((peer) => mesh.readyCount(peer) < Math.min(MIN_READY, honest.length - 1)).length;
    const started = mesh.peers.every((peer) => peer.killed || peer.node.isRunning);
    if (started && short === 0) return round((mesh.clock.monotonic() - since) / ANNOUNCE_INTERVAL_MS);
    if (mesh.clock.monotonic() - lastReport >= ANNOUNCE_INTERVAL_MS) {
      lastReport = mesh.clock.monotonic();
      log(`  ${Math.round((lastReport - since) / 1000)} s: ${short} of ${honest.length} nodes below ${MIN_READY} ready peers`);
    }
  }
  return null;
}

/** Advances a quarter second at a time until no honest node holds a session with a dead one: seconds since `since`. */
async function untilDeadDropped(mesh: SimMesh, since: number): Promise<number | null> {
  const holdsDead = (peer: SimPeer) => peer.node.readySessions().some((session) => mesh.network.isDead(session.remoteId));
  while (mesh.honest().some(holdsDead)) {
    if (mesh.clock.monotonic() - since > 60_000) return null;
    await mesh.clock.advance(STEP_MS);
  }
  return round((mesh.clock.monotonic() - since) / 1000);
}

/** `count` mesh pings between random pairs of `among`, PINGS_AT_ONCE at a time. */
async function pingRound(mesh: SimMesh, among: SimPeer[], count: number): Promise<PingRound> {
  const before = mesh.routeCopiesSent(among);
  const round: PingRound = { sent: 0, delivered: 0, hops: [], copies: 0 };
  while (round.sent < count) {
    const batch = Math.min(PINGS_AT_ONCE, count - round.sent);
    let answered = 0;
    for (let i = 0; i < batch; i++) {
      const [from, to] = mesh.pick(among, 2) as [SimPeer, SimPeer];
      round.sent++;
      from.node.meshPing(to.nodeId).then(
        (result) => {
          round.delivered++;
          round.hops.push(result.path.length - 1);
          answered++;
        },
        () => answered++,
      );
    }
    while (answered < batch) await mesh.clock.advance(STEP_MS);
  }
  round.copies = mesh.routeCopiesSent(among) - before;
  return round;
}

export function percentile(values: readonly number[], p: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round = (value: number): number => Math.round(value * 10) / 10;
const describe = (periods: number | null): string => (periods === null ? `not within ${CONVERGE_LIMIT_PERIODS} announce periods` : `in ${periods} announce periods`);
