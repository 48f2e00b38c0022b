/**
 * A data connection to one remote node as the node sees it, whatever carries it (a PeerJS
 * DataConnection, or a bare RTCPeerConnection set up through the GUN relays). Frames are strings.
 */
import type { Emitter } from '../lib/events';
import type { Fingerprints } from './fingerprint';

export type ConnectionDirection = 'inbound' | 'outbound';
/** What set a connection up: the PeerJS server, the GUN relays (fallback signaling), or a WebTorrent tracker. */
export type SignalPath = 'peerjs' | 'gun' | 'tracker';

export interface LinkEvents {
  /** The channel can carry frames. */
  open: undefined;
  frame: string;
  /** The channel is gone (either side closed it, or the transport failed). Emitted once. */
  close: undefined;
  error: Error;
  /** A frame that is not UTF-8 text (PeerJS binary or msgpack): a protocol error, nothing of it kept. */
  'frame:refused': string;
  /** The transport suspects the path (WebRTC ICE `disconnected`): the session probes the peer at once. */
  suspect: undefined;
}

export interface Traffic {
  bytesIn: number;
  bytesOut: number;
  /** How the selected ICE candidate pair carries it: `relay` through a TURN server; absent when unknown. */
  route?: Route;
}

export type Route = 'direct' | 'relay';

export interface CloseOptions {
  channelFirst?: boolean;
}

export interface Link {
  /** The node ID the transport says is on the other end (the PeerJS peer ID). */
  readonly remoteId: string;
  readonly direction: ConnectionDirection;
  /** Which signaling path set it up. */
  readonly path: SignalPath;
  readonly events: Emitter<LinkEvents>;
  send(frame: string): void;
  /**
   * Closes the channel and its RTCPeerConnection after frames already sent went out. Idempotent.
   * `channelFirst`: the connection only once its channel is closed (both ends closing together: see
   * core/signaling/data-channel.ts closeChannelFirst).
   */
  close(options?: CloseOptions): void;
  /** Bytes carried so far, from the transport's own counters (getStats); null where it has none. */
  readTraffic(): Promise<Traffic | null>;
  /** The DTLS fingerprints of both ends as this side's session descriptions state them; null until known. */
  fingerprints(): Fingerprints | null;
  /** Bytes accepted by send() and not yet on the wire (the channel's buffer and the transport's own queue). */
  readonly bufferedBytes: number;
}
