/**
 * A party in the middle, as a signaling operator (or anyone on the path to an http: signaling server)
 * could be: A uses server 1, B uses server 2. The middle registers on server 1 under B's ID and on
 * server 2 under A's ID, answers A's dial as "B", dials B as "A", and relays every frame verbatim.
 * Each end then holds a real WebRTC connection whose DTLS the middle terminates with its own
 * certificate. Protocol v2's auth binds both fingerprints, so both honest nodes refuse; with the
 * binding taken out (the control below, as in v1), the very same relay leaves both sides ready.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../core/lib/clock';
import { Identity } from '../../core/identity/identity';
import { defaultSettings, validateSettings } from '../../core/settings/settings';
import type { MeshNode } from '../../core/node/node';
import type { SignalingFactory } from '../../core/signaling/signaling';
import type { CloseReason } from '../../core/session/close-reason';
import { peerServerOptions } from '../../core/signaling/peer-server-options';
import { startLocalServer, type LocalServer } from '../../server/local-server';
import { installNodeWebRTC } from '../../server/node-webrtc';
import { makeIdentity } from '../support/identities';
import { until } from '../support/until';

type PeerJsPeer = import('peerjs').Peer;
type PeerJsConnection = import('peerjs').DataConnection;

/** Registers `id` on `signalingUrl` and resolves once the server took it. */
async function register(Peer: typeof import('peerjs').Peer, id: string, signalingUrl: string): Promise<PeerJsPeer> {
  const peer = new Peer(id, { ...peerServerOptions(signalingUrl), key: 'peerjs', debug: 0, config: { iceServers: [] } });
  await new Promise<void>((resolve, reject) => {
    peer.once('open', () => resolve());
    peer.once('error', reject);
  });
  return peer;
}

/** The middle: answers A as "B" on server 1, dials B as "A" on server 2, relays frames both ways. */
async function startMiddle(a: string, b: string, server1: LocalServer, server2: LocalServer) {
  const { Peer } = await import('../../core/signaling/peerjs');
  const asB = await register(Peer, b, server1.signalingUrl);
  const asA = await register(Peer, a, server2.signalingUrl);
  const relayed: string[] = [];
  asB.on('connection', (fromA: PeerJsConnection) => {
    const toB = asA.connect(b, { serialization: 'raw', reliable: true });
    const pending: string[] = [];
    fromA.on('data', (data) => {
      relayed.push(String(data));
      if (toB.open) void toB.send(data);
      else pending.push(String(data));
    });
    toB.on('open', () => pending.splice(0).forEach((frame) => void toB.send(frame)));
    toB.on('data', (data) => {
      relayed.push(String(data));
      void fromA.send(data);
    });
    fromA.on('close', () => toB.close());
    toB.on('close', () => fromA.close());
  });
  return { relayed, stop: () => [asA, asB].forEach((p) => p.destroy()) };
}

describe('a party in the middle that relays every frame', () => {
  let server1: LocalServer;
  let server2: LocalServer;
  const stops: (() => void)[] = [];

  beforeAll(async () => {
    installNodeWebRTC();
    [server1, server2] = await Promise.all([startLocalServer({ port: 0 }), startLocalServer({ port: 0 })]);
  });
  afterEach(() => stops.splice(0).forEach((stop) => stop()));
  afterAll(async () => {
    await Promise.all([server1.close(), server2.close()]);
  });

  async function honestNode(signalingUrl: string, relayUrl: string, createSignaling: (base: SignalingFactory) => SignalingFactory = (base) => base) {
    const [{ MeshNode }, { createPeerJsSignaling }, { createGunRendezvous }] = await Promise.all([
      import('../../core/node/node'),
      import('../../core/signaling/peerjs-signaling'),
      import('../../core/discovery/gun-rendezvous'),
    ]);
    const { stored, keys } = await makeIdentity();
    const node: MeshNode = new MeshNode({
      identity: await Identity.fromStored(stored, keys),
      clock: systemClock,
      createSignaling: createSignaling(createPeerJsSignaling),
      createRendezvous: createGunRendezvous,
      app: 'meshdeck-test/1',
      random: Math.random,
    });
    // maxPeers 0: no auto-dial; the test dials by hand. Each node in its own room: they never meet directly.
    node.configure(validateSettings({ ...defaultSettings(), signalingUrl, relayUrls: [relayUrl], room: `mitm-${node.nodeId}`, maxPeers: 0 }));
    stops.push(() => node.stop());
    await until(() => node.snapshot().signaling.state === 'open', 10_000, 'registered');
    return node;
  }

  const outcome = (node: MeshNode, peer: string) =>
    new Promise<{ ready: boolean; reason?: CloseReason; error?: string | null }>((resolve) => {
      node.events.on('peer:ready', (session) => session.remoteId === peer && resolve({ ready: true }));
      node.events.on('peer:close', (event) => event.nodeId === peer && resolve({ ready: false, reason: event.reason, error: event.error }));
    });

  it('both honest nodes refuse: auth binds the DTLS fingerprints each end sees', async () => {
    const a = await honestNode(server1.signalingUrl, server1.relayUrl);
    const b = await honestNode(server2.signalingUrl, server2.relayUrl);
    const middle = await startMiddle(a.nodeId, b.nodeId, server1, server2);
    stops.push(middle.stop);
    const [atA, atB] = [outcome(a, b.nodeId), outcome(b, a.nodeId)];
    a.dial(b.nodeId);
    const [resultA, resultB] = await Promise.all([atA, atB]);
    expect(resultA).toMatchObject({ ready: false, reason: 'handshake-refused', error: expect.stringMatching(/auth signature does not verify/) });
    expect(resultB).toMatchObject({ ready: false, reason: 'handshake-refused', error: expect.stringMatching(/auth signature does not verify/) });
    // The relay carried the genuine hellos and auths: it is the binding that refused them.
    expect(middle.relayed.map((frame) => JSON.parse(frame).t)).toEqual(expect.arrayContaining(['hello', 'hello', 'auth']));
  }, 40_000);

  it('control: with the fingerprints taken out of auth (as in v1), the same relay leaves both sides ready', async () => {
    // Both ends report one made-up fingerprint pair, so the texts they sign and check agree whatever
    // DTLS certificates carry the connection: exactly a handshake that binds no fingerprints.
    const unbound = (base: SignalingFactory): SignalingFactory => (options) => {
      const signaling = base(options);
      const wrap = <L extends { fingerprints(): unknown }>(link: L): L => Object.assign(link, { fingerprints: () => ({ local: 'AA', remote: 'AA' }) });
      const dial = signaling.dial.bind(signaling);
      signaling.dial = (nodeId) => wrap(dial(nodeId));
      const emit = signaling.events.emit.bind(signaling.events);
      signaling.events.emit = ((name: string, payload: unknown) =>
        emit(name as never, (name === 'link:inbound' ? wrap(payload as { fingerprints(): unknown }) : payload) as never)) as typeof signaling.events.emit;
      return signaling;
    };
    const a = await honestNode(server1.signalingUrl, server1.relayUrl, unbound);
    const b = await honestNode(server2.signalingUrl, server2.relayUrl, unbound);
    const middle = await startMiddle(a.nodeId, b.nodeId, server1, server2);
    stops.push(middle.stop);
    const [atA, atB] = [outcome(a, b.nodeId), outcome(b, a.nodeId)];
    a.dial(b.nodeId);
    expect(await Promise.all([atA, atB])).toEqual([{ ready: true }, { ready: true }]);
  }, 40_000);
});
