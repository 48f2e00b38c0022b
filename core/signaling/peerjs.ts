/**
 * PeerJS's Peer class, however the module is loaded. Bundlers (WXT, Vitest) read its ES build; Node's
 * own ESM loader (tsx: `npm start`'s demo peers) gets its CommonJS build, whose exports are getters
 * that Node's named-export detection cannot see, so there Peer hangs off the default export.
 */
import * as peerjs from 'peerjs';

export type { DataConnection, PeerError } from 'peerjs';

const module_: typeof peerjs = peerjs.Peer ? peerjs : (peerjs as unknown as { default: typeof peerjs }).default;

export const Peer: typeof peerjs.Peer = module_.Peer;
export type Peer = peerjs.Peer;
export const BufferedConnection: typeof peerjs.BufferedConnection = module_.BufferedConnection;
