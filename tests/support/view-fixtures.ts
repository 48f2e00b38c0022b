/**
 * Observed-state fixtures for the view tests (models, view client) and the dashboard benchmark: a
 * complete NodeSnapshot with every field the contract (core/node/observed-state.ts) has, patched per test.
 */
import type { DiscoveredNode, NodeSnapshot, PeerSnapshot, StatsPoint } from '../../core/node/observed-state';

/** A syntactically valid ID: `n`/`u` and 26 base32 characters, derived from `seed`. */
export function fakeId(kind: 'n' | 'u', seed: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let out = kind;
  let x = Math.imul(seed + 1, 0x9e3779b1) >>> 0;
  for (let i = 0; i < 26; i++) {
    // xorshift32: distinct seeds give distinct IDs.
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out += alphabet[x % 32];
  }
  return out;
}

export const SELF_NODE = fakeId('n', 0);
export const SELF_USER = fakeId('u', 0);

export function fakeSnapshot(patch: Partial<NodeSnapshot> = {}): NodeSnapshot {
  return {
    at: 1,
    nodeId: SELF_NODE,
    userId: SELF_USER,
    enabled: true,
    signaling: { url: 'http://127.0.0.1:9000/peerjs', state: 'open', since: 0, attempts: 0, lastError: null, stoppedByUser: false, stoppedUntil: null, endpoints: [], fallbacks: [] },
    rendezvous: { room: 'default', relays: [], seen: 0, valid: 0, stale: 0, invalid: 0, lastAnnounceAt: null, lastDiscoveryAt: null },
    peers: [],
    closedPeers: [],
    discovered: [],
    controls: { routing: true, pauseIncoming: false, pauseOutgoing: false, blocked: [], trustedOnly: false, trusted: [] },
    routing: { delivered: 0, forwarded: 0, dropped: 0, notForwarded: 0, directed: 0, flooded: 0 },
    totals: { peers: 0, rateIn: 0, rateOut: 0, medianRttMs: null, worstRttMs: null, loss: 0, strength: 0, handshakesRefused: 0 },
    ...patch,
  };
}

export function fakePeer(seed: number, patch: Partial<PeerSnapshot> = {}): PeerSnapshot {
  return {
    nodeId: fakeId('n', seed),
    userId: fakeId('u', seed),
    direction: seed % 2 ? 'inbound' : 'outbound',
    path: 'peerjs',
    state: 'ready',
    strength: 3,
    rttMs: 20 + seed,
    loss: 0,
    bytesIn: 1000 * seed,
    bytesOut: 500 * seed,
    rateIn: 100,
    rateOut: 50,
    openedAt: 0,
    lastHandshakeAt: 0,
    lastError: null,
    score: 0,
    lastPenalty: null,
    trusted: false,
    route: 'direct',
    ...patch,
  };
}

export function fakeDiscovered(seed: number, patch: Partial<DiscoveredNode> = {}): DiscoveredNode {
  return { nodeId: fakeId('n', seed), userId: fakeId('u', seed), status: 'known', neighbors: [], routing: true, announcedAt: 0, ...patch };
}

export function fakePoint(at: number, patch: Partial<StatsPoint> = {}): StatsPoint {
  return { at, peers: 1, rateIn: 100, rateOut: 50, medianRttMs: 20, worstRttMs: 40, loss: 0, ...patch };
}
