/**
 * A Link over a bare RTCPeerConnection and one reliable, ordered data channel: what a fallback path
 * (the GUN relays, the tracker) sets up, where no PeerJS carries the offer and answer. On the wire it is the same
 * as a PeerJS `raw` connection: one JSON text message per frame.
 */
import { Emitter } from '../lib/events';
import type { IceServer } from '../settings/settings';
import type { Clock } from '../lib/clock';
import type { CloseOptions, Link, LinkEvents, Traffic } from '../session/link';
import type { ConnectionDirection, SignalPath } from '../session/link';
import { fingerprintsOf, type Fingerprints } from '../session/fingerprint';
import { closeChannelFirst, closeWhenFlushed, readDataChannelTraffic, watchIceSuspect } from './data-channel';

const NOTHING_WATCHED = (): void => undefined;

const DATA_CHANNEL_LABEL = 'meshdeck';

/**
 * Chromium lets a renderer hold 500 RTCPeerConnections (kMaxPeerConnections in Blink's
 * rtc_peer_connection.cc), counting closed ones until they are garbage collected: past that, the
 * constructor throws "Cannot create so many PeerConnections" and the node can dial no more (issue 22).
 * So a link makes its connection only when it needs one, and lets go of it once finished.
 */
type PeerConnectionSource = RTCPeerConnection | (() => RTCPeerConnection);

export class RtcLink implements Link {
  readonly events = new Emitter<LinkEvents>();
  private channel: RTCDataChannel | undefined;
  /** Null until first needed (when made on demand), and again once finished. */
  private connection: RTCPeerConnection | null = null;
  private makeConnection: (() => RTCPeerConnection) | null = null;
  private closing = false;
  /** close()'s option: the connection only once the channel is closed. */
  private channelFirst = false;
  private finished = false;
  private lastSentAt = -Infinity;
  private unwatchIce: () => void = NOTHING_WATCHED;

  constructor(
    readonly remoteId: string,
    readonly direction: ConnectionDirection,
    readonly path: SignalPath,
    /**
     * The connection, or how to make it on first use of `pc`: a dial that fails before it needs one
     * (no record, no box key) or an inbound link the node turns away then costs none (as js-libp2p
     * made its dial-end RTCPeerConnection only once the relay answered, js-libp2p#2591).
     */
    connection: PeerConnectionSource,
    private readonly clock: Clock,
    /** An outbound link's channel, when it had to exist before the link did (an offer made for no one yet). */
    channel?: RTCDataChannel,
  ) {
    if (typeof connection === 'function') this.makeConnection = connection;
    else this.bind(connection, channel);
  }

  /**
   * The link's RTCPeerConnection, made now if it was to be made on demand (which throws where
   * Chromium's budget is spent). Throws once the link is closing without one, or finished: a closed
   * link holds none.
   */
  get pc(): RTCPeerConnection {
    if (this.connection && !this.finished) return this.connection;
    if (this.closing || !this.makeConnection) throw new Error('the connection is closed');
    this.bind(this.makeConnection());
    return this.connection!;
  }

  private bind(pc: RTCPeerConnection, channel?: RTCDataChannel): void {
    this.connection = pc;
    this.makeConnection = null;
    this.unwatchIce = watchIceSuspect(pc, () => this.events.emit('suspect', undefined));
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed') this.fail(new Error('the WebRTC connection failed (ICE or DTLS)'));
    };
    if (this.direction === 'inbound') pc.ondatachannel = ({ channel }) => this.attach(channel);
    else this.attach(channel ?? openDataChannel(pc));
  }

  get isFinished(): boolean {
    return this.finished;
  }

  private attach(channel: RTCDataChannel): void {
    if (this.channel || this.closing) return void channel.close();
    this.channel = channel;
    channel.onopen = () => this.events.emit('open', undefined);
    channel.onmessage = ({ data }) => {
      if (typeof data === 'string') this.events.emit('frame', data);
      else this.events.emit('frame:refused', 'a binary frame');
    };
    channel.onclose = () => this.finish();
    if (channel.readyState === 'open') queueMicrotask(() => this.events.emit('open', undefined));
  }

  send(frame: string): void {
    if (this.channel?.readyState !== 'open') throw new Error('connection is not open');
    this.lastSentAt = this.clock.monotonic();
    this.channel.send(frame);
  }

  fail(error: Error): void {
    if (this.finished) return;
    this.events.emit('error', error);
    this.close();
  }

  close({ channelFirst = false }: CloseOptions = {}): void {
    if (this.closing) return;
    this.closing = true;
    this.channelFirst = channelFirst;
    closeWhenFlushed(() => this.channel, this.clock, this.lastSentAt, () => this.finish());
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = this.closing = true;
    this.unwatchIce();
    // Nothing of ours may keep the connection reachable once closed: Chromium counts it against the
    // renderer's 500 until it is collected (see PeerConnectionSource), and a finished link can outlive
    // its close in a session someone still holds.
    const { channel, connection } = this;
    // A function made here would hold this scope, and with it the connection the close below captures.
    this.unwatchIce = NOTHING_WATCHED;
    this.channel = undefined;
    this.connection = this.makeConnection = null;
    if (channel) channel.onopen = channel.onmessage = channel.onclose = null;
    if (connection) connection.onconnectionstatechange = connection.ondatachannel = null;
    if (this.channelFirst) closeChannelFirst(channel, this.clock, () => connection?.close());
    else {
      channel?.close();
      connection?.close();
    }
    this.events.emit('close', undefined);
    this.events.clear();
  }

  fingerprints(): Fingerprints | null {
    return fingerprintsOf(this.connection);
  }

  get bufferedBytes(): number {
    return this.channel?.readyState === 'open' ? this.channel.bufferedAmount : 0;
  }

  readTraffic(): Promise<Traffic | null> {
    return readDataChannelTraffic(this.connection ?? undefined);
  }
}

/** The one data channel of a link, opened by the dialling side before its offer. */
export function openDataChannel(pc: RTCPeerConnection): RTCDataChannel {
  return pc.createDataChannel(DATA_CHANNEL_LABEL, { ordered: true });
}

/**
 * Candidates stop coming this long after the last one, when no STUN or TURN server is configured:
 * then only host candidates exist, and they come at once, while the implementation's gathering
 * timer says `complete` about 100 ms later (measured with @roamhq/wrtc).
 */
export const HOST_CANDIDATES_QUIET_MS = 20;

/**
 * Resolves once the connection gathered its ICE candidates (signals are not trickled, so the
 * description sent must hold them): when gathering is `complete`; with `hostOnly` (no ICE servers),
 * HOST_CANDIDATES_QUIET_MS after the last candidate; and in any case after `ms`, with what it has.
 */
export function gatheringDone(pc: RTCPeerConnection, clock: Clock, ms: number, hostOnly: boolean): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    let quiet: unknown = null;
    const done = (): void => {
      clock.clearTimeout(timer);
      if (quiet !== null) clock.clearTimeout(quiet);
      pc.removeEventListener('icegatheringstatechange', onChange);
      pc.removeEventListener('icecandidate', onCandidate);
      resolve();
    };
    const onChange = (): void => {
      if (pc.iceGatheringState === 'complete') done();
    };
    const onCandidate = (event: RTCPeerConnectionIceEvent): void => {
      if (!hostOnly || !event.candidate) return;
      if (quiet !== null) clock.clearTimeout(quiet);
      quiet = clock.setTimeout(done, HOST_CANDIDATES_QUIET_MS);
    };
    const timer = clock.setTimeout(done, ms);
    pc.addEventListener('icegatheringstatechange', onChange);
    pc.addEventListener('icecandidate', onCandidate);
  });
}

/**
 * The links a signaling path sets up itself, without PeerJS (the GUN relays, the trackers): each
 * connection made with the path's ICE servers, every link kept until it closes, all closed together.
 */
export class RtcLinkSet {
  private readonly links = new Set<RtcLink>();

  constructor(private readonly iceServers: readonly IceServer[]) {}

  get size(): number {
    return this.links.size;
  }

  createPeerConnection(): RTCPeerConnection {
    // The browser's, or @roamhq/wrtc's under Node (server/node-webrtc.ts installs it as the global).
    return new RTCPeerConnection({ iceServers: this.iceServers as RTCIceServer[] });
  }

  track(link: RtcLink): RtcLink {
    this.links.add(link);
    link.events.on('close', () => this.links.delete(link));
    return link;
  }

  closeAll(): void {
    for (const link of [...this.links]) link.close();
    this.links.clear();
  }
}
