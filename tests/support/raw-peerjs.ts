/**
 * A raw PeerJS client in Node, for the hand-made peers of the hostile tests: Node's WebRTC installed
 * before peerjs loads, and an ID registered on the signaling server.
 */
import { peerServerOptions } from '../../core/signaling/peer-server-options';
import { installNodeWebRTC } from '../../server/node-webrtc';

type PeerJsPeer = import('peerjs').Peer;

async function loadPeer(): Promise<typeof import('peerjs').Peer> {
  installNodeWebRTC();
  // peerjs reads the WebRTC globals when it loads: import it only after installNodeWebRTC().
  const { Peer } = await import('../../core/signaling/peerjs');
  return Peer;
}

/**
 * Registers `id` on the signaling server and resolves once the server took it. An ID just given up
 * (a session closed a moment ago) may still be held until the server sees its socket close: retried.
 */
export async function registerPeer(signalingUrl: string, id: string, timeoutMs = 15_000): Promise<PeerJsPeer> {
  const Peer = await loadPeer();
  const end = Date.now() + timeoutMs;
  for (;;) {
    const peer = new Peer(id, { ...peerServerOptions(signalingUrl), key: 'peerjs', debug: 0, config: { iceServers: [] } });
    const outcome = await new Promise<'open' | Error>((resolve) => {
      const timer = setTimeout(() => resolve(new Error(`${id}: not registered within ${timeoutMs} ms`)), Math.max(0, end - Date.now()));
      peer.once('open', () => {
        clearTimeout(timer);
        resolve('open');
      });
      peer.once('error', (error) => {
        clearTimeout(timer);
        resolve(error);
      });
    });
    if (outcome === 'open') {
      // Later errors (a dial that fails, the server going away) show in the connection's close.
      peer.on('error', () => undefined);
      return peer;
    }
    peer.destroy();
    const unavailable = (outcome as { type?: string }).type === 'unavailable-id';
    if (!unavailable || Date.now() > end) throw outcome;
    await new Promise((r) => setTimeout(r, 250));
  }
}
