import { signal } from '@preact/signals';
import { describe, expect, it } from 'vitest';
import { createOverviewModel, overviewFigures } from '../../../../../components/dashboard/overview/overview-model';
import type { NodeSnapshot } from '../../../../../core/node/observed-state';
import { fakePeer, fakeSnapshot } from '../../../../support/view-fixtures';

const relays = (...states: ('open' | 'closed')[]) => ({ ...fakeSnapshot().rendezvous, relays: states.map((state, i) => ({ url: `http://127.0.0.1:900${i}/gun`, state })) });

describe('overviewFigures', () => {
  it('shows the totals, signaling and relays of the snapshot, with its health', () => {
    const snapshot = fakeSnapshot({
      rendezvous: relays('open', 'closed'),
      peers: [fakePeer(1), fakePeer(2)],
      totals: { ...fakeSnapshot().totals, peers: 2, rateIn: 2048, rateOut: 1024, medianRttMs: 21.5, strength: 3 },
    });
    expect(overviewFigures(snapshot)).toMatchObject({
      health: { level: 'healthy' },
      peers: '2',
      latency: expect.stringMatching(/ms$/),
      strength: '3 of 4 — good',
      signaling: 'open',
      relays: '1 of 2 relays open',
    });
  });

  it('counts the signaling servers open when there are several, and says when the user stopped it', () => {
    const endpoints = [
      { url: 'http://127.0.0.1:9000/peerjs', state: 'open' as const, lastError: null },
      { url: 'http://127.0.0.1:9001/peerjs', state: 'disconnected' as const, lastError: 'down' },
    ];
    const signaling = { ...fakeSnapshot().signaling, endpoints };
    expect(overviewFigures(fakeSnapshot({ signaling })).signaling).toBe('open (1 of 2 servers open)');
    expect(overviewFigures(fakeSnapshot({ signaling: { ...signaling, endpoints: [], stoppedByUser: true } })).signaling).toBe('stopped by you');
  });
});

describe('createOverviewModel', () => {
  it('is null before the first snapshot and keeps its object while the figures stand still', () => {
    const snapshot = signal<NodeSnapshot | null>(null);
    const model = createOverviewModel(snapshot);
    expect(model.figures.value).toBeNull();
    snapshot.value = fakeSnapshot({ rendezvous: relays('open') });
    const first = model.figures.value;
    snapshot.value = { ...fakeSnapshot({ rendezvous: relays('open') }), at: 99 };
    expect(model.figures.value).toBe(first);
  });
});
