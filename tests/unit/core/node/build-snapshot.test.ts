import { describe, expect, it } from 'vitest';
import { buildSnapshot, type SnapshotInput } from '../../../../core/node/build-snapshot';
import { RECORD_STALE_MS, type NodeRecord, type VerifiedRecord } from '../../../../core/discovery/rendezvous-record';
import type { PeerSnapshot } from '../../../../core/node/observed-state';
import type { PeerSession } from '../../../../core/session/peer-session';
import { defaultSettings, type Settings } from '../../../../core/settings/settings';
import { fakeId } from '../../../support/ids';

const NOW = Date.UTC(2025, 0, 1);

const settings: Settings = { ...defaultSettings(), relayUrls: ['http://127.0.0.1:9000/gun', 'http://127.0.0.1:9001/gun'] };

const peer = (n: number, state: PeerSnapshot['state'], over: Partial<PeerSnapshot> = {}): PeerSession => {
  const snap: Omit<PeerSnapshot, 'score' | 'lastPenalty' | 'trusted'> = {
    nodeId: fakeId(n),
    userId: fakeId(n, 'u'),
    direction: 'outbound',
    path: 'peerjs',
    state,
    strength: 4,
    rttMs: null,
    loss: 0,
    bytesIn: 0,
    bytesOut: 0,
    rateIn: 0,
    rateOut: 0,
    openedAt: NOW,
    lastHandshakeAt: state === 'ready' ? NOW : null,
    lastError: null,
    route: null,
    ...over,
  };
  return { remoteId: snap.nodeId, isReady: state === 'ready', snapshot: () => snap } as unknown as PeerSession;
};

const known = (n: number, ts: number): VerifiedRecord =>
  ({ record: { id: fakeId(n), ts, routing: n % 2 === 0 } as NodeRecord, userId: fakeId(n, 'u'), neighbors: [fakeId(99)], signal: [] }) as unknown as VerifiedRecord;

const input = (over: Partial<SnapshotInput> = {}): SnapshotInput => ({
  now: NOW,
  nodeId: fakeId(0),
  userId: fakeId(0, 'u'),
  settings,
  sessions: [],
  records: [],
  invalidRecords: 0,
  closed: [],
  signaling: { state: 'open', since: NOW - 1000, error: null, attempts: 0, stoppedByUser: false, endpoints: [], fallbacks: [] },
  relayStates: new Map([[settings.relayUrls[0]!, 'open']]),
  lastAnnounceAt: null,
  lastDiscoveryAt: null,
  blocked: new Set(),
  trusted: new Set(),
  routing: { delivered: 0, forwarded: 0, dropped: 0, notForwarded: 0, directed: 0, flooded: 0 },
  handshakesRefused: 0,
  scoreOf: () => ({ score: 0, lastPenalty: null }),
  ...over,
});

describe('buildSnapshot', () => {
  it('marks each discovered node blocked, ready, stale or known, in that order of precedence', () => {
    const stale = NOW - RECORD_STALE_MS - 1;
    const s = buildSnapshot(
      input({
        sessions: [peer(1, 'ready'), peer(2, 'ready'), peer(5, 'handshaking')],
        // 1: blocked by node ID while ready; 2: ready with a stale record; 3: stale; 4: blocked by user; 5: handshaking.
        records: [known(1, NOW), known(2, stale), known(3, stale), known(4, NOW), known(5, NOW), known(6, NOW - RECORD_STALE_MS)],
        blocked: new Set([fakeId(1), fakeId(4, 'u')]),
      }),
    );
    expect(Object.fromEntries(s.discovered.map((d) => [d.nodeId, d.status]))).toEqual({
      [fakeId(1)]: 'blocked',
      [fakeId(2)]: 'ready',
      [fakeId(3)]: 'stale',
      [fakeId(4)]: 'blocked',
      [fakeId(5)]: 'known',
      [fakeId(6)]: 'known',
    });
    expect(s.discovered[1]).toEqual({ nodeId: fakeId(2), userId: fakeId(2, 'u'), status: 'ready', neighbors: [fakeId(99)], routing: true, announcedAt: stale });
  });

  it('marks each peer trusted by node ID, by user ID or as this user\'s own, and carries the trust list and the mode', () => {
    const s = buildSnapshot(
      input({
        settings: { ...settings, trustedOnly: true },
        sessions: [peer(1, 'ready'), peer(2, 'ready'), peer(3, 'ready', { userId: fakeId(0, 'u') }), peer(4, 'handshaking', { userId: null })],
        trusted: new Set([fakeId(1), fakeId(2, 'u')]),
      }),
    );
    expect(Object.fromEntries(s.peers.map((p) => [p.nodeId, p.trusted]))).toEqual({ [fakeId(1)]: true, [fakeId(2)]: true, [fakeId(3)]: true, [fakeId(4)]: false });
    expect(s.controls).toMatchObject({ trustedOnly: true, trusted: [fakeId(1), fakeId(2, 'u')] });
    expect(buildSnapshot(input()).controls).toMatchObject({ trustedOnly: false, trusted: [] });
  });

  it('counts records seen, valid, stale and invalid', () => {
    const s = buildSnapshot(input({ records: [known(1, NOW), known(2, NOW - RECORD_STALE_MS - 1)], invalidRecords: 3 }));
    expect(s.rendezvous).toMatchObject({ seen: 5, valid: 1, stale: 1, invalid: 3 });
  });

  it('shows every configured relay, closed when nothing was heard of it', () => {
    expect(buildSnapshot(input()).rendezvous.relays).toEqual([
      { url: settings.relayUrls[0], state: 'open' },
      { url: settings.relayUrls[1], state: 'closed' },
    ]);
  });

  it('gives the end of a signaling stop only while the user’s stop holds signaling', () => {
    const stopped = { ...settings, signalingStop: { until: NOW + 60_000 } };
    const signaling = { state: 'stopped' as const, since: NOW, error: null, attempts: 0, endpoints: [], fallbacks: [] };
    expect(buildSnapshot(input({ settings: stopped, signaling: { ...signaling, stoppedByUser: true } })).signaling).toMatchObject({
      stoppedByUser: true,
      stoppedUntil: NOW + 60_000,
    });
    expect(buildSnapshot(input({ settings: stopped, signaling: { ...signaling, stoppedByUser: false } })).signaling).toMatchObject({
      stoppedByUser: false,
      stoppedUntil: null,
    });
  });

  it('totals the ready connections only', () => {
    const s = buildSnapshot(
      input({
        sessions: [
          peer(1, 'ready', { rateIn: 100, rateOut: 10, rttMs: 20, loss: 0.1, strength: 4 }),
          peer(2, 'ready', { rateIn: 50, rateOut: 5, rttMs: 60, loss: 0.3, strength: 2 }),
          peer(3, 'handshaking', { rateIn: 1000, rateOut: 1000, rttMs: 900, loss: 1, strength: 0 }),
        ],
        handshakesRefused: 2,
      }),
    );
    expect(s.peers).toHaveLength(3);
    expect(s.totals).toEqual({ peers: 2, rateIn: 150, rateOut: 15, medianRttMs: 40, worstRttMs: 60, loss: 0.2, strength: 3, handshakesRefused: 2 });
  });

  it('reports a node with no settings yet as disabled, with no connections counted', () => {
    const s = buildSnapshot(input({ settings: null }));
    expect(s).toMatchObject({ enabled: false, signaling: { url: '' }, rendezvous: { room: '', relays: [] } });
    expect(s.totals).toMatchObject({ peers: 0, medianRttMs: null, worstRttMs: null, loss: 0, strength: 0 });
  });
});
