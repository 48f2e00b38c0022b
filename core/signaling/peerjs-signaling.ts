/**
 * Signaling through a PeerJS server, under the node ID as PeerJS peer ID. Frames travel as raw
 * strings (serialization `raw`), so the session can check a frame's size before parsing it.
 */
import { Peer, type DataConnection, type PeerError } from './peerjs';
import { Backoff } from '../lib/backoff';
import { TimerGroup } from '../lib/clock';
import { peerServerOptions } from './peer-server-options';
import { Emitter } from '../lib/events';
import type { CloseOptions, Link, LinkEvents, Traffic } from '../session/link';
import type { ConnectionDirection, SignalPath } from '../session/link';
import type { Signaling, SignalingEvents, SignalingFactory, SignalingOptions } from './signaling';
import { textSerializers, type TextFrame } from './text-frames';
import { fingerprintsOf, type Fingerprints } from '../session/fingerprint';
import { MAX_MESSAGE_BYTES } from '../session/wire';
import { closeChannelFirst, closeWhenFlushed, readDataChannelTraffic, watchIceSuspect } from './data-channel';
import { errorText } from '../lib/error-text';

/**
 * A reloaded node meets `unavailable-id` while the server still holds its old socket (until the
 * server's alive timeout frees it). Retry soon and often, capped low: giving up or taking a random ID
 * would make the node unreachable under its own ID.
 */
const REGISTER_BACKOFF = { baseMs: 500, capMs: 30_000 };
export const createPeerJsSignaling: SignalingFactory = (options) => new PeerJsSignaling(options);

class PeerJsSignaling implements Signaling {
  readonly events = new Emitter<SignalingEvents>();
  readonly url: string;
  private peer: Peer | null = null;
  private everOpened = false;
  private running = false;
  /** `Stop signaling`: off the server on purpose; no retries until resume(). */
  private paused = false;
  private readonly backoff = new Backoff(REGISTER_BACKOFF);
  private readonly timers: TimerGroup;
  private readonly links = new Map<string, Set<PeerJsLink>>();

  constructor(private readonly options: SignalingOptions) {
    this.url = options.url;
    this.timers = new TimerGroup(options.clock);
  }

  get attempts(): number {
    return this.backoff.attempts;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.paused = false;
    this.register();
  }

  pause(): void {
    if (!this.running || this.paused) return;
    this.paused = true;
    this.timers.clear();
    // disconnect() leaves the server but keeps every data connection (destroy() would close them).
    if (this.peer && !this.peer.disconnected && !this.peer.destroyed) this.peer.disconnect();
    this.emitState('stopped', null);
  }

  resume(): void {
    if (!this.running) return this.start();
    if (!this.paused) return;
    this.paused = false;
    this.reconnect();
  }

  retryNow(): void {
    if (!this.running || this.paused || this.timers.size === 0) return;
    this.timers.clear();
    this.reconnect();
  }

  private register(): void {
    const peer = new Peer(this.options.nodeId, {
      ...peerServerOptions(this.options.url),
      key: 'peerjs',
      debug: 0,
      config: { iceServers: this.options.iceServers as RTCIceServer[] },
      serializers: textSerializers,
    });
    this.peer = peer;
    this.guardServerMessages(peer);
    this.everOpened = false;
    this.emitState('connecting', null);
    peer.on('open', () => {
      this.everOpened = true;
      this.backoff.reset();
      this.emitState('open', null);
    });
    peer.on('connection', (connection) => {
      if (this.peer !== peer) return connection.close();
      this.events.emit('link:inbound', this.track(new PeerJsLink(connection, 'inbound', this.options.clock)));
    });
    peer.on('disconnected', () => {
      if (this.peer !== peer || !this.running || this.paused) return;
      this.emitState('disconnected', null);
      this.retry();
    });
    peer.on('close', () => {
      if (this.peer !== peer || !this.running || this.paused) return;
      this.retry();
    });
    peer.on('error', (error: PeerError<string>) => this.onPeerError(peer, error));
  }

  /**
   * PeerJS handles each server message unguarded: an OFFER whose payload names a serialization it
   * has no serializer for throws out of the WebSocket's message handler, and in Node (meshdeck-node)
   * that ends the process; anyone registered on the server can send one (issue 22). Such a message
   * costs its own handling only. PeerJS looks `_handleMessage` up on the peer at every message.
   */
  private guardServerMessages(peer: Peer): void {
    const internals = peer as unknown as { _handleMessage(message: unknown): void };
    const handle = internals._handleMessage.bind(peer);
    internals._handleMessage = (message) => {
      try {
        handle(message);
      } catch (error) {
        if (this.peer === peer) this.events.emit('message:dropped', errorText(error));
      }
    };
  }

  private onPeerError(peer: Peer, error: PeerError<string>): void {
    if (this.peer !== peer || this.paused) return;
    if (error.type === 'peer-unavailable') {
      // Only a dial failed, not signaling: "Could not connect to peer <id>".
      const id = error.message.split(' ').at(-1) ?? '';
      for (const link of this.links.get(id) ?? []) link.fail(new Error(`${id} is not registered on the signaling server`));
      return;
    }
    // One connection's WebRTC failure (an ICE candidate arriving for a connection already closed, a
    // failed offer or answer), which PeerJS reports on the Peer: the server is fine, and saying
    // `signaling error` left the endpoint in error while registered (issue 14, seen when a peer shut down).
    if (error.type === 'webrtc') return;
    const message = error.type === 'unavailable-id' ? 'the server still holds this node ID; retrying' : `${error.type}: ${error.message}`;
    this.emitState('error', message);
    // PeerJS has already destroyed the peer (never opened) or disconnected it (was open); either way
    // its 'close'/'disconnected' event schedules the retry, unless it fired before this error.
    if (peer.destroyed || peer.disconnected) this.retry();
  }

  private retry(): void {
    if (!this.running || this.paused || this.timers.size > 0) return;
    this.timers.timeout(() => this.reconnect(), this.backoff.next());
  }

  private reconnect(): void {
    if (!this.running || this.paused || !this.peer) return;
    this.emitState('connecting', null);
    // A peer that was open (or was paused) keeps its data connections across reconnect(); one that
    // never opened was destroyed by PeerJS and must be made anew.
    if (!this.peer.destroyed && this.peer.disconnected) this.peer.reconnect();
    else if (this.peer.destroyed || !this.everOpened) {
      this.peer.removeAllListeners();
      this.peer.destroy();
      this.register();
    }
  }

  private emitState(state: SignalingEvents['signaling:state']['state'], error: string | null): void {
    this.events.emit('signaling:state', { state, error });
  }

  dial(nodeId: string): Link {
    if (!this.peer || !this.peer.open) return PeerJsLink.failed(nodeId, this.options.clock, new Error('not registered on the signaling server'));
    let connection: DataConnection | undefined;
    try {
      connection = this.peer.connect(nodeId, { serialization: 'raw', reliable: true });
    } catch (error) {
      // PeerJS builds the RTCPeerConnection inside connect(): past Chromium's 500 (rtc-link.ts,
      // PeerConnectionSource) the constructor throws "Cannot create so many PeerConnections". That is
      // this dial's failure, told as one, not an exception out of the node's dial sweep.
      return PeerJsLink.failed(nodeId, this.options.clock, new Error(`no connection made: ${errorText(error)}`));
    }
    // Undefined when PeerJS had left the server meanwhile (it emits its own error then).
    if (!connection) return PeerJsLink.failed(nodeId, this.options.clock, new Error('not registered on the signaling server'));
    return this.track(new PeerJsLink(connection, 'outbound', this.options.clock));
  }

  private track(link: PeerJsLink): PeerJsLink {
    let set = this.links.get(link.remoteId);
    if (!set) this.links.set(link.remoteId, (set = new Set()));
    set.add(link);
    link.events.on('close', () => {
      set.delete(link);
      if (set.size === 0 && this.links.get(link.remoteId) === set) this.links.delete(link.remoteId);
    });
    return link;
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.timers.clear();
    const peer = this.peer;
    this.peer = null;
    if (peer) {
      // destroy() closes the server socket and every data connection it still tracks.
      peer.destroy();
      peer.removeAllListeners();
    }
    this.links.clear();
    this.emitState('stopped', null);
    this.events.clear();
  }
}

class PeerJsLink implements Link {
  readonly events = new Emitter<LinkEvents>();
  readonly remoteId: string;
  readonly path: SignalPath = 'peerjs';
  private closed = false;
  private finished = false;

  constructor(
    private readonly connection: DataConnection | null,
    readonly direction: ConnectionDirection,
    private readonly clock: SignalingOptions['clock'],
    remoteId?: string,
  ) {
    this.remoteId = connection?.peer ?? remoteId ?? '';
    if (!connection) return;
    connection.on('open', () => this.events.emit('open', undefined));
    connection.on('data', (data) => {
      const frame = data as TextFrame;
      if ('text' in frame) this.events.emit('frame', frame.text);
      else this.events.emit('frame:refused', frame.refused);
    });
    connection.on('close', () => this.finish());
    connection.on('error', (error) => this.events.emit('error', error));
    this.stopWatchingIce = watchIceSuspect(connection.peerConnection, () => this.events.emit('suspect', undefined));
    // An inbound connection may already be open by the time a listener is attached.
    if (connection.open) queueMicrotask(() => this.events.emit('open', undefined));
  }

  /** Holds the RTCPeerConnection (its listener's closure) until finish() lets go of it. */
  private stopWatchingIce: () => void = () => undefined;

  /** An outbound link whose dial failed before it had a connection: `error` then `close`, on the next microtask. */
  static failed(nodeId: string, clock: SignalingOptions['clock'], error: Error): PeerJsLink {
    const link = new PeerJsLink(null, 'outbound', clock, nodeId);
    queueMicrotask(() => link.fail(error));
    return link;
  }

  /** When send() last handed a frame to the channel (monotonic ms): a close lingers after it. */
  private lastSentAt = -Infinity;

  send(frame: string): void {
    if (!this.connection?.open) throw new Error('connection is not open');
    this.lastSentAt = this.clock.monotonic();
    void this.connection.send(frame);
  }

  fail(error: Error): void {
    this.events.emit('error', error);
    this.close();
  }

  close({ channelFirst = false }: CloseOptions = {}): void {
    if (this.closed) return;
    const connection = this.connection;
    if (!connection) return this.finish();
    this.closed = true;
    closeWhenFlushed(() => connection.dataChannel, this.clock, this.lastSentAt, () => {
      // PeerJS closes only the RTCPeerConnection (its negotiator's cleanup): the channel first is ours to do.
      if (channelFirst) closeChannelFirst(connection.dataChannel, this.clock, () => connection.close());
      else connection.close();
      this.finish();
    });
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = this.closed = true;
    this.stopWatchingIce();
    // PeerJS drops its own reference on close (DataConnection.peerConnection = null); the watcher's
    // closure would still hold the connection for as long as someone holds this link (a closed
    // session), against Chromium's 500 (rtc-link.ts, PeerConnectionSource).
    this.stopWatchingIce = () => undefined;
    if (this.connection) this.connection.removeAllListeners();
    this.events.emit('close', undefined);
    this.events.clear();
  }

  fingerprints(): Fingerprints | null {
    return fingerprintsOf(this.connection?.peerConnection);
  }

  get bufferedBytes(): number {
    const channel = this.connection?.dataChannel;
    const queued = (this.connection as { bufferSize?: number } | null)?.bufferSize ?? 0;
    // PeerJS's own queue counts messages, not bytes: a queued message counts as the largest frame.
    return (channel?.readyState === 'open' ? channel.bufferedAmount : 0) + queued * MAX_MESSAGE_BYTES;
  }

  readTraffic(): Promise<Traffic | null> {
    return readDataChannelTraffic(this.connection?.peerConnection);
  }
}
