/**
 * PeerJS's Peer class, however the module is loaded. Bundlers (WXT, Vitest) read its ES build; Node's
 * own ESM loader (tsx: `npm start`'s demo peers) gets its CommonJS build, whose exports are getters
 * that Node's named-export detection cannot see, so there Peer hangs off the default export.
 */
import * as peerjs from 'peerjs';

export type { DataConnection, PeerError } from 'peerjs';

export const Peer: typeof peerjs.Peer = peerjs.Peer ?? (peerjs as unknown as { default: typeof peerjs }).default.Peer;
export type Peer = peerjs.Peer;
