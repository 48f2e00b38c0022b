/**
 * Tracker signaling over a stand-in WebSocket and stand-in connections: how many RTCPeerConnections
 * its offers and answers make (Chromium counts each against the renderer's 500 until collected, issue
 * 22, as WebTorrent's tracker offers did, webtorrent#1349). Against a real tracker and real WebRTC:
 * tests/integration/tracker-signaling.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTrackerSignaling, MAX_OFFERS_OUT, roomInfoHash } from '../../../../core/signaling/tracker-signaling';
import type { MeetingSignaling } from '../../../../core/signaling/signaling';
import type { Link } from '../../../../core/session/link';
import { FakeClock, eventually, settle } from '../../../support/fake-clock';
import { FakePeerConnection, installFakePeerConnections, openConnections } from '../../../support/fake-peer-connection';

const NODE = `n${'a'.repeat(26)}`;
const OTHER = `n${'b'.repeat(26)}`;

/** The slice of WebSocket the tracker client uses; the test opens it and speaks for the tracker. */
class FakeSocket {
  static made: FakeSocket[] = [];
  readonly sent: Record<string, unknown>[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.made.push(this);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }

  close(): void {}

  hear(message: Record<string, unknown>): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

let restoreConnections: () => void;
const hadSocket = globalThis.WebSocket;
beforeEach(() => {
  restoreConnections = installFakePeerConnections();
  FakeSocket.made = [];
  globalThis.WebSocket = FakeSocket as unknown as typeof WebSocket;
});
afterEach(() => {
  restoreConnections();
  globalThis.WebSocket = hadSocket;
});

/** A tracker client on an open tracker whose swarm holds `others` other nodes. */
async function onTracker(clock: FakeClock, { wanted, others, iceServers = [] }: { wanted: number; others: number; iceServers?: { urls: string }[] }) {
  const tracker = createTrackerSignaling({ urls: ['ws://127.0.0.1:9/announce'], room: 'room', nodeId: NODE, iceServers, clock, offersWanted: () => wanted, holds: () => false });
  tracker.start();
  await eventually(() => FakeSocket.made.length === 1, 'the tracker dialled');
  const socket = FakeSocket.made[0]!;
  socket.onopen!();
  const infoHash = await roomInfoHash('room');
  socket.hear({ info_hash: infoHash, complete: others + 1, incomplete: 0 });
  await settle();
  return { tracker, socket, infoHash };
}

describe('TrackerSignaling and Chromium\'s RTCPeerConnection budget', () => {
  it('makes no more offers once paused: the round under way stops rather than run on', async () => {
    const clock = new FakeClock();
    // With an ICE server each offer gathers for up to 3 s (a STUN server that does not answer).
    FakePeerConnection.gatherAtOnce = false;
    const { tracker } = await onTracker(clock, { wanted: 8, others: 8, iceServers: [{ urls: 'stun:127.0.0.1:3478' }] });
    expect(FakePeerConnection.made).toHaveLength(1);
    tracker.pause();
    expect(openConnections()).toEqual([]);
    await clock.advance(15_000);
    expect(FakePeerConnection.made).toHaveLength(1);
    tracker.stop();
  });

  it('one round of offers at a time: a slow round and the next announce never have more than MAX_OFFERS_OUT out', async () => {
    const clock = new FakeClock();
    FakePeerConnection.gatherAtOnce = false;
    const { tracker, socket } = await onTracker(clock, { wanted: 8, others: 8, iceServers: [{ urls: 'stun:127.0.0.1:3478' }] });
    let most = 0;
    for (let t = 0; t < 14_000; t += 500) {
      await clock.advance(500);
      most = Math.max(most, openConnections().length);
    }
    expect(most).toBe(MAX_OFFERS_OUT);
    expect(FakePeerConnection.made).toHaveLength(MAX_OFFERS_OUT);
    expect(socket.sent.filter((m) => Array.isArray(m.offers)).map((m) => (m.offers as unknown[]).length)).toEqual([MAX_OFFERS_OUT]);
    tracker.stop();
    expect(openConnections()).toEqual([]);
  });

  it('an offer from another node that the node turns away costs no connection; one it keeps is answered on one', async () => {
    const clock = new FakeClock();
    const { tracker, socket, infoHash }: { tracker: MeetingSignaling; socket: FakeSocket; infoHash: string } = await onTracker(clock, { wanted: 0, others: 1 });
    const inbound: Link[] = [];
    let keep = false;
    tracker.events.on('link:inbound', (link) => {
      inbound.push(link);
      if (!keep) link.close();
    });
    const offer = (id: string) => socket.hear({ info_hash: infoHash, offer_id: id.repeat(20), peer_id: 'p'.repeat(20), offer: { type: 'offer', sdp: 'v=0 offer', from: OTHER } });
    offer('x');
    await settle();
    expect(inbound).toHaveLength(1);
    expect(FakePeerConnection.made).toHaveLength(0);
    keep = true;
    offer('y');
    await eventually(() => socket.sent.some((m) => m.answer !== undefined), 'answered');
    expect(FakePeerConnection.made).toHaveLength(1);
    tracker.stop();
    expect(openConnections()).toEqual([]);
  });
});
