/**
 * The node's own dials alone, on the fake clock: each refusal in its own error, the dial made through
 * the signaling paths with the record's endpoints, the count `Refresh peers` reads, and the context the
 * dial policy reads.
 */
import { describe, expect, it } from 'vitest';
import { OutboundDials } from '../../../../core/node/outbound-dials';
import { AccessLists } from '../../../../core/node/access-lists';
import { RedialPolicy } from '../../../../core/node/redial-policy';
import { SessionTable } from '../../../../core/node/session-table';
import { RecordTable } from '../../../../core/discovery/record-table';
import { signRecord } from '../../../../core/discovery/rendezvous-record';
import { IdentityVerifier } from '../../../../core/identity/identity';
import { EventLog } from '../../../../core/lib/event-log';
import { defaultSettings, type Settings } from '../../../../core/settings/settings';
import type { DialTarget, SignalingState } from '../../../../core/signaling/signaling';
import type { Link } from '../../../../core/session/link';
import type { PeerSession } from '../../../../core/session/peer-session';
import { linkPair } from '../../../../server/sim/memory-network';
import { FakeClock } from '../../../support/fake-clock';
import { makeIdentity } from '../../../support/identities';
import { fakeId } from '../../../support/ids';

const SIGNAL = ['http://127.0.0.1:9000/peerjs', 'http://127.0.0.1:9001/peerjs'];

async function setUp() {
  const clock = new FakeClock();
  const selfId = fakeId(0);
  const { identity: peer } = await makeIdentity();
  const records = new RecordTable(selfId, new IdentityVerifier(), clock);
  await records.ingest(await signRecord(peer, { signal: SIGNAL, routing: true, neighbors: [] }, clock.now()));
  const sessions = new SessionTable();
  const redial = new RedialPolicy(clock, () => 0.5);
  const state = { settings: { ...defaultSettings(), signalingUrl: SIGNAL[0]! } as Settings, online: true, trustedOnly: false, signalingState: 'open' as SignalingState };
  const access = new AccessLists({ selfUserId: 'u' + 'a'.repeat(26), trustedOnly: () => state.trustedOnly, log: new EventLog(clock) });
  const dialled: [string, DialTarget | undefined][] = [];
  const adopted: Link[] = [];
  const signaling = {
    dial: (nodeId: string, target?: DialTarget) => {
      dialled.push([nodeId, target]);
      return linkPair(selfId, nodeId)[0];
    },
    canReach: (target: DialTarget) => target.signal.includes(SIGNAL[1]!),
  };
  const dials = new OutboundDials({
    selfId,
    clock,
    settings: () => state.settings,
    signaling: () => (state.online ? signaling : null),
    signalingState: () => state.signalingState,
    sessions,
    records,
    redial,
    access,
    adopt: (link) => {
      adopted.push(link);
      return { remoteId: link.remoteId } as PeerSession;
    },
  });
  return { clock, peer, records, sessions, redial, access, state, dialled, adopted, dials };
}

describe('OutboundDials', () => {
  it("dials through the signaling paths with the endpoints the node's record lists, and counts the dial", async () => {
    const { peer, dials, dialled, adopted } = await setUp();
    const session = dials.dial(peer.nodeId);
    expect(dialled).toEqual([[peer.nodeId, { signal: SIGNAL }]]);
    expect(adopted.map((l) => l.remoteId)).toEqual([peer.nodeId]);
    expect(session.remoteId).toBe(peer.nodeId);
    expect(dials.count).toBe(1);
    // A node with no record is dialled by its ID alone.
    dials.dial(fakeId(9));
    expect(dialled[1]).toEqual([fakeId(9), undefined]);
    dials.counted();
    expect(dials.count).toBe(3);
  });

  it('returns the connection there is rather than dialling again', async () => {
    const { peer, sessions, dials, dialled } = await setUp();
    const existing = { remoteId: peer.nodeId, isReady: true } as unknown as PeerSession;
    sessions.add(existing);
    expect(dials.dial(peer.nodeId)).toBe(existing);
    expect([dialled, dials.count]).toEqual([[], 0]);
  });

  it('refuses each dial it may not make in its own error, and counts none of them', async () => {
    const { peer, state, access, dials, dialled } = await setUp();
    const refusal = (nodeId = peer.nodeId) => {
      try {
        dials.dial(nodeId);
        return null;
      } catch (error) {
        return (error as Error).name;
      }
    };
    state.online = false;
    expect(refusal()).toBe('NodeOfflineError');
    state.online = true;
    state.settings = { ...state.settings, pauseOutgoing: true };
    expect(refusal()).toBe('PausedError');
    state.settings = { ...state.settings, pauseOutgoing: false };
    access.setBlocked([peer.userId]);
    // Blocked by the user ID its record gives, not only by its node ID.
    expect(refusal()).toBe('BlockedPeerError');
    access.setBlocked([]);
    state.trustedOnly = true;
    expect(refusal()).toBe('NotTrustedError');
    expect([dialled, dials.count]).toEqual([[], 0]);
  });

  it('lifts the hold after the user disconnected a node only when the user asks for the dial', async () => {
    const { peer, records, redial, dials } = await setUp();
    const ts = records.get(peer.nodeId)!.record.ts;
    redial.closed(peer.nodeId, 'user-disconnect', true);
    dials.dial(peer.nodeId);
    expect(redial.mayDial(peer.nodeId, ts)).toBe(false);
    dials.dial(peer.nodeId, { userAsked: true });
    expect(redial.mayDial(peer.nodeId, ts)).toBe(true);
  });

  it('gives the dial policy the state of the moment', async () => {
    const { clock, peer, records, sessions, access, state, redial, dials } = await setUp();
    sessions.add({ remoteId: fakeId(3), isReady: true } as unknown as PeerSession);
    access.setBlocked([fakeId(4)]);
    state.signalingState = 'connecting';
    const context = dials.context();
    expect(context).toMatchObject({ settings: state.settings, signalingState: 'connecting', selfId: fakeId(0), now: clock.now(), sessionCount: 1, redial });
    expect([context.hasSession(fakeId(3)), context.hasSession(peer.nodeId)]).toEqual([true, false]);
    expect([context.isBlocked(fakeId(4), null), context.isStranger(fakeId(4), null)]).toEqual([true, false]);
    // Reached through the paths the signaling has open: here only a record that lists the second server.
    expect(context.canReach!(records.get(peer.nodeId)!)).toBe(true);
    state.online = false;
    expect(context.canReach!(records.get(peer.nodeId)!)).toBe(false);
  });
});
