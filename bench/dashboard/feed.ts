/**
 * What the dashboard benchmark feeds the page (bench/dashboard/page.tsx): a node with `connections`
 * ready peers whose every figure changes on every update, as many discovered nodes, and full history.
 */
import type { LogEntry, NodeSnapshot, StatsPoint } from '../../core/node/observed-state';
import { fakeId } from '../../tests/support/view-fixtures';

interface Feed {
  snapshot(update: number): NodeSnapshot;
  point(update: number): StatsPoint;
  recent(): StatsPoint[];
  daily(): StatsPoint[];
  log(): LogEntry[];
}

export function createFeed(connections: number, t0 = Date.now()): Feed {
  const self = fakeId('n', 0);
  const nodes = Array.from({ length: connections }, (_, i) => fakeId('n', i + 1));
  const users = Array.from({ length: connections }, (_, i) => fakeId('u', i + 1));
  const point = (at: number, k: number): StatsPoint => ({
    at,
    peers: connections,
    rateIn: 30_000 + (k % 97) * 100,
    rateOut: 15_000 + (k % 53) * 100,
    medianRttMs: 40 + (k % 7),
    worstRttMs: 200 + (k % 11),
    loss: (k % 5) / 100,
  });
  return {
    snapshot(update) {
      const now = t0 + update * 1000;
      return {
        at: now,
        nodeId: self,
        userId: fakeId('u', 0),
        enabled: true,
        signaling: { url: 'http://127.0.0.1:9000/peerjs', state: 'open', since: t0 - 60_000, attempts: 0, lastError: null, stoppedByUser: false, stoppedUntil: null, endpoints: [], fallbacks: [] },
        rendezvous: {
          room: 'default',
          relays: [{ url: 'http://127.0.0.1:9000/gun', state: 'open' }],
          seen: connections + 5,
          valid: connections,
          stale: 3,
          invalid: 2,
          lastAnnounceAt: now - 5000,
          lastDiscoveryAt: now - 1000,
        },
        // Every figure of every row changes on every update.
        peers: nodes.map((nodeId, i) => ({
          nodeId,
          userId: users[i]!,
          direction: i % 2 ? 'inbound' : 'outbound',
          path: 'peerjs',
          state: 'ready',
          strength: ((i + update) % 5) as 0 | 1 | 2 | 3 | 4,
          rttMs: 10 + ((i * 7 + update * 13) % 190) + (update % 10) / 10,
          loss: ((i + update) % 20) / 100,
          bytesIn: 1000 * (i + 1) + update * 997,
          bytesOut: 500 * (i + 1) + update * 503,
          rateIn: 100 + ((i + update) % 50),
          rateOut: 50 + ((i + update) % 30),
          openedAt: t0 - 60_000,
          lastHandshakeAt: now - ((i + update) % 60) * 1000,
          lastError: (i + update) % 17 === 0 ? `heartbeat ${update} missed` : null,
          score: i % 23 === 0 ? -10 : 0,
          lastPenalty: i % 23 === 0 ? 'bad route signature' : null,
          trusted: i % 5 === 0,
          route: i % 7 === 0 ? ('relay' as const) : ('direct' as const),
        })),
        closedPeers: [],
        discovered: nodes.map((nodeId, i) => ({
          nodeId,
          userId: users[i]!,
          status: 'ready',
          neighbors: [self, nodes[(i + 1) % connections]!],
          routing: true,
          announcedAt: t0,
        })),
        controls: { routing: true, pauseIncoming: false, pauseOutgoing: false, blocked: [], trustedOnly: false, trusted: [] },
        routing: { delivered: update, forwarded: update * 2, dropped: 0, notForwarded: 0, directed: update * 2, flooded: 0 },
        totals: {
          peers: connections,
          rateIn: 30_000 + update,
          rateOut: 15_000 + update,
          medianRttMs: 40 + (update % 7),
          worstRttMs: 200 + (update % 11),
          loss: 0.01,
          strength: 3,
          handshakesRefused: 0,
        },
      };
    },
    point: (update) => point(t0 + update * 1000, update),
    recent: () => Array.from({ length: 300 }, (_, k) => point(t0 - (300 - k) * 1000, k)),
    daily: () => Array.from({ length: 1440 }, (_, k) => point(t0 - (1440 - k) * 60_000, k)),
    log: () =>
      Array.from({ length: 500 }, (_, k) => ({
        seq: k + 1,
        at: t0 - (500 - k) * 1000,
        level: (['info', 'warn', 'debug', 'error'] as const)[k % 4]!,
        type: 'peer:ready',
        message: `event ${k}`,
        nodeId: nodes[k % connections],
      })),
  };
}
