/**
 * Framing of protocol v2 against a real node in Node over the real PeerJS server: a dialler that
 * chose PeerJS's `json` serialization gets through the handshake (the same JSON text, as UTF-8 bytes),
 * one that chose `binary` (msgpack) is closed at its first frame, and a ready peer that floods is cut
 * off with `bye limit`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeshNode } from '../../core/node/node';
import { fingerprintsOf } from '../../core/session/fingerprint';
import { describeClose } from '../../core/session/close-reason';
import { authText, WIRE_VERSION } from '../../core/session/wire';
import { peerServerOptions } from '../../core/signaling/peer-server-options';
import { startLocalServer, type LocalServer } from '../../server/local-server';
import { startNodePeer } from '../../server/node-peer';
import { installNodeWebRTC } from '../../server/node-webrtc';
import { makeIdentity } from '../support/identities';
import { until } from '../support/until';

describe('framing against a real node', () => {
  let server: LocalServer;
  let target: MeshNode;
  const cleanup: (() => void)[] = [];

  beforeAll(async () => {
    installNodeWebRTC();
    server = await startLocalServer({ port: 0 });
    ({ node: target } = await startNodePeer({ signalingUrl: server.signalingUrl, relayUrls: [server.relayUrl], room: 'framing', maxPeers: 0 }));
    await until(() => target.snapshot().signaling.state === 'open', 10_000, 'target registered');
  });
  afterAll(async () => {
    cleanup.forEach((stop) => stop());
    target.stop();
    await server.close();
  });

  /** A hand-written v2 dialler with the given PeerJS serialization; resolves with its connection. */
  async function dialler(serialization: 'json' | 'binary') {
    const { Peer } = await import('../../core/signaling/peerjs');
    const { identity } = await makeIdentity();
    const peer = new Peer(identity.nodeId, { ...peerServerOptions(server.signalingUrl), key: 'peerjs', debug: 0, config: { iceServers: [] } });
    cleanup.push(() => peer.destroy());
    await new Promise<void>((resolve, reject) => {
      peer.once('open', () => resolve());
      peer.once('error', reject);
    });
    const connection = peer.connect(target.nodeId, { serialization, reliable: true });
    const received: { t: string }[] = [];
    connection.on('data', async (data) => {
      const message = data as { t: string; nonce?: string };
      received.push(message);
      if (message.t !== 'hello') return;
      const fingerprints = fingerprintsOf(connection.peerConnection)!;
      const text = authText(message.nonce!, identity.nodeId, target.nodeId, fingerprints.local, fingerprints.remote);
      void connection.send({ t: 'auth', sig: await identity.sign(text) });
    });
    connection.on('open', () => {
      void connection.send({
        t: 'hello', v: WIRE_VERSION,
        node: { id: identity.nodeId, pub: identity.nodePub }, user: { id: identity.userId, pub: identity.userPub },
        cert: identity.cert, nonce: 'AAAAAAAAAAAAAAAAAAAAAA', caps: [], app: `framing-${serialization}/1`,
      });
    });
    return { identity, connection, received };
  }

  it('accepts a dialler that chose json: the same JSON text, answered in bytes it reads', async () => {
    const { identity, connection, received } = await dialler('json');
    await until(() => target.snapshot().peers.some((p) => p.nodeId === identity.nodeId && p.state === 'ready'), 15_000, 'json dialler ready').catch((error: Error) => {
      // It failed once in a loaded CI run and never alone: say where the handshake stood.
      const session = target.snapshot().peers.find((p) => p.nodeId === identity.nodeId) ?? target.snapshot().closedPeers.find((c) => c.nodeId === identity.nodeId);
      const log = target.log.all().slice(-10).map((e) => `${e.type}: ${e.message}`).join(' | ');
      const pc = connection.peerConnection as RTCPeerConnection | null;
      const transport = pc ? `signaling ${pc.signalingState}, ice ${pc.iceConnectionState}, connection ${pc.connectionState}` : 'closed by PeerJS';
      throw new Error(`${error.message}; dialler open ${connection.open} (${transport}), it received [${received.map((m) => m.t).join(', ')}]; the target's session ${JSON.stringify(session ?? null)}; its log: ${log}`);
    });
    // It could read what the node sent: the node's hello and auth arrived as objects.
    expect(received.map((m) => m.t)).toEqual(expect.arrayContaining(['hello', 'auth']));
  }, 30_000);

  it('closes a dialler that chose binary at its first frame, without reading it as msgpack', async () => {
    const { identity } = await dialler('binary');
    await until(() => target.snapshot().closedPeers.some((c) => c.nodeId === identity.nodeId), 15_000, 'binary dialler closed');
    const closed = target.snapshot().closedPeers.find((c) => c.nodeId === identity.nodeId)!;
    expect(closed.reason).toBe(describeClose('protocol-error'));
    expect(closed.lastError).toMatch(/only UTF-8 text frames/);
  }, 30_000);

  it('cuts off a ready peer that floods with bye limit', async () => {
    const { node: flooder } = await startNodePeer({ signalingUrl: server.signalingUrl, relayUrls: [server.relayUrl], room: 'framing-flood', maxPeers: 0 });
    cleanup.push(() => flooder.stop());
    await until(() => flooder.snapshot().signaling.state === 'open', 10_000, 'flooder registered');
    const session = flooder.dial(target.nodeId);
    await until(() => session.isReady, 15_000, 'flooder ready');
    const frame = JSON.stringify({ t: 'noop' });
    const burst = setInterval(() => {
      for (let i = 0; i < 100 && session.isReady; i++) {
        try {
          session.link.send(frame);
        } catch {
          return;
        }
      }
    }, 5);
    try {
      await until(() => session.state === 'closed', 15_000, 'flooder cut off');
    } finally {
      clearInterval(burst);
    }
    expect(session.closeReason).toBe('remote:limit');
    expect(target.snapshot().closedPeers.find((c) => c.nodeId === flooder.nodeId)?.lastError).toMatch(/more than 200 messages a second/);
  }, 30_000);
});
