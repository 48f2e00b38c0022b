/**
 * A hostile peer in Node: registers on the signaling server under a node ID it does not own and
 * presents someone else's keys in its hello. Used to prove a node refuses it.
 */
import { makeIdentity } from './identities';
import { peerServerOptions } from '../../core/signaling/peer-server-options';
import { installNodeWebRTC } from '../../server/node-webrtc';

interface ForgedHelloResult {
  /** Frames the target sent us before closing (it should say hello and nothing more). */
  received: string[];
  closed: boolean;
}

export async function sendForgedHello(signalingUrl: string, targetNodeId: string, timeoutMs = 8000): Promise<ForgedHelloResult> {
  installNodeWebRTC();
  const { Peer } = await import('peerjs');
  const { stored: keys } = await makeIdentity();
  // A well-formed node ID that is not derived from the keys presented below.
  const claimedId = 'n' + 'a'.repeat(26);
  const peer = new Peer(claimedId, { ...peerServerOptions(signalingUrl), key: 'peerjs', debug: 0, config: { iceServers: [] } });
  await new Promise<void>((resolve, reject) => {
    peer.once('open', () => resolve());
    peer.once('error', reject);
  });
  try {
    const connection = peer.connect(targetNodeId, { serialization: 'raw', reliable: true });
    const received: string[] = [];
    const closed = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      connection.on('data', (data) => received.push(String(data)));
      connection.on('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
      connection.on('open', () => {
        void connection.send(JSON.stringify({
          t: 'hello', v: 2,
          node: { id: claimedId, pub: keys.node.pub },
          user: { id: 'u' + 'a'.repeat(26), pub: keys.user.pub },
          cert: keys.cert, nonce: 'AAAAAAAAAAAAAAAAAAAAAA', caps: [], app: 'forger/1',
        }));
      });
    });
    return { received, closed };
  } finally {
    peer.destroy();
  }
}
