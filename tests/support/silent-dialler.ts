/**
 * A dialler that opens a connection and never says a word (the crowd of silent diallers of the hostile
 * tests).
 */
import { registerPeer } from './raw-peerjs';

export interface SilentDialler {
  readonly nodeId: string;
  /** Whether the data channel ever opened. */
  readonly opened: boolean;
  readonly isClosed: boolean;
  close(): void;
}

/**
 * Registers `nodeId` (any well-formed node ID: nobody checks it before the hello) and dials the
 * target, then says nothing, ever.
 */
export async function dialSilently(signalingUrl: string, targetNodeId: string, nodeId: string): Promise<SilentDialler> {
  const peer = await registerPeer(signalingUrl, nodeId);
  const connection = peer.connect(targetNodeId, { serialization: 'raw', reliable: true });
  let opened = false;
  let isClosed = false;
  connection.on('open', () => {
    opened = true;
  });
  connection.on('close', () => {
    isClosed = true;
  });
  connection.on('error', () => undefined);
  return {
    nodeId,
    get opened() {
      return opened;
    },
    get isClosed() {
      return isClosed;
    },
    close() {
      try {
        connection.close();
      } catch {
        // Already closed.
      }
      peer.destroy();
    },
  };
}
