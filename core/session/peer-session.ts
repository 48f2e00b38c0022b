/**
 * One connection's life after the transport opened it: the hello/auth handshake (handshake.ts; nothing
 * else is accepted before it), heartbeat, traffic accounting, limits, and the single teardown path.
 */
import { TimerGroup, type Clock } from '../lib/clock';
import { Emitter } from '../lib/events';
import { SerialQueue } from '../lib/serial-queue';
import { TokenBucket } from '../lib/token-bucket';
import { utf8Length } from '../lib/encoding';
import { Heartbeat, HEARTBEAT_TICK_MS } from './heartbeat';
import { BeatPacer } from './beat-pacer';
import type { Identity, IdentityVerifier, VerifiedPeer } from '../identity/identity';
import type { CloseReason } from './close-reason';
import type { Link, Traffic } from './link';
import type { ConnectionState, PeerSnapshot } from './peer-snapshot';
import { strengthScore } from './strength';
import { MAX_MESSAGE_BYTES, parseWireMessage, type Pair, type RoutedMessage, type WireMessage } from './wire';
import { Handshake } from './handshake';
import { errorText } from '../lib/error-text';
import type { SessionPolicy } from './session-policy';

export const HANDSHAKE_TIMEOUT_MS = 10_000;
/** docs/protocol.md, Limits: messages from one connection, 200 a second with a burst of 400. */
const MESSAGE_RATE = { perSecond: 200, burst: 400 };
/** Bytes from one connection: 1 MiB a second with a burst of 4 MiB. */
export const BYTE_RATE = { perSecond: 1024 * 1024, burst: 4 * 1024 * 1024 };
/** Past this much queued for a peer that does not read, the connection closes rather than grow without end. */
export const MAX_SEND_BUFFER_BYTES = 1024 * 1024;

interface SessionEvents {
  'session:ready': PeerSession;
  'session:close': { session: PeerSession; reason: CloseReason; error: string | null };
  /** A route message from this ready neighbour (mesh routing). */
  'session:route': { session: PeerSession; message: RoutedMessage };
  /** A pairing message from this ready neighbour. */
  'session:pair': { session: PeerSession; message: Pair };
  /** Handling a frame failed on our side (a listener threw): the session goes on with the next frame. */
  'session:fault': { session: PeerSession; error: unknown };
}

export class PeerSession {
  readonly events = new Emitter<SessionEvents>();
  readonly openedAt: number;
  state: ConnectionState = 'connecting';
  peer: VerifiedPeer | null = null;
  lastHandshakeAt: number | null = null;
  lastError: string | null = null;
  closeReason: CloseReason | null = null;

  private readonly timers: TimerGroup;
  private readonly heartbeat = new Heartbeat();
  private readonly handshake: Handshake;
  private readonly unsubscribeLink: (() => void)[];
  /** Frames are handled strictly in order: an async signature check must not let a later frame overtake it. */
  private readonly inbox = new SerialQueue((error) => this.fault(error));
  private readonly messageBudget: TokenBucket;
  private readonly byteBudget: TokenBucket;
  private sentHello = false;
  private channelOpen = false;
  private counted: Traffic = { bytesIn: 0, bytesOut: 0 };
  private traffic: Traffic = { bytesIn: 0, bytesOut: 0 };
  private rates = { rateIn: 0, rateOut: 0, at: 0 };

  constructor(
    readonly link: Link,
    identity: Identity,
    verifier: IdentityVerifier,
    policy: SessionPolicy,
    private readonly clock: Clock,
    /** Shared by a node's sessions, so that their heartbeats share one timer; a lone session has its own. */
    private readonly pacer: BeatPacer = new BeatPacer(clock),
  ) {
    this.timers = new TimerGroup(clock);
    this.handshake = new Handshake(link, identity, verifier, policy);
    this.openedAt = clock.now();
    this.messageBudget = new TokenBucket(MESSAGE_RATE.perSecond, MESSAGE_RATE.burst, clock.monotonic());
    this.byteBudget = new TokenBucket(BYTE_RATE.perSecond, BYTE_RATE.burst, clock.monotonic());
    this.rates.at = this.openedAt;
    this.unsubscribeLink = [
      link.events.on('open', () => this.onOpen()),
      link.events.on('frame', (frame) => this.onFrame(frame)),
      // Frames received before the close (a bye) are handled first.
      link.events.on('close', () => this.inbox.add(() => this.close('transport-closed'))),
      link.events.on('error', (error) => {
        this.lastError = error.message;
      }),
      link.events.on('suspect', () => this.probe()),
      link.events.on('frame:refused', (what) => this.inbox.add(() => this.close('protocol-error', `${what}: only UTF-8 text frames are accepted`))),
    ];
    this.timers.timeout(() => this.close('handshake-timeout', 'no authentication within 10 s'), HANDSHAKE_TIMEOUT_MS);
  }

  /** Whether the transport ever opened: false for a dial nobody answered (no registration, no answer). */
  get wasOpened(): boolean {
    return this.channelOpen;
  }

  get remoteId(): string {
    return this.link.remoteId;
  }

  get isReady(): boolean {
    return this.state === 'ready';
  }

  /**
   * What pairing binds its keys to (core/pairing/pairing-crypto.ts): both node IDs, hello nonces and
   * DTLS fingerprints, the same text on both sides. Null before the connection is ready.
   */
  channelBinding(): string | null {
    return this.isReady ? this.handshake.binding() : null;
  }

  /** Timers this session still holds; 0 once closed (checked by teardown tests). */
  get pendingTimers(): number {
    return this.timers.size + (this.pacer.has(this) ? 1 : 0);
  }

  /**
   * Call when the transport reports the channel open (also safe if it was open before we attached).
   *
   * The dialler speaks first; the dialled side answers hello with hello. In Chromium a message the
   * answering side sends the moment its channel opens can be lost when the dialler's channel is not
   * open yet (seen here: 1 handshake in ~20 fast reconnects lost the answerer's hello). The dialler's
   * first message proves its channel is open.
   */
  onOpen(): void {
    if (this.state === 'closed') return;
    this.channelOpen = true;
    if (this.state === 'connecting') this.state = 'handshaking';
    if (this.link.direction === 'outbound') this.sendHello();
  }

  private sendHello(): void {
    if (this.sentHello || this.state === 'closed') return;
    this.sentHello = true;
    this.send(this.handshake.hello());
  }

  send(message: WireMessage): void {
    if (this.state === 'closed') return;
    if (this.link.bufferedBytes > MAX_SEND_BUFFER_BYTES) {
      this.close('limit', `the peer does not read: over ${MAX_SEND_BUFFER_BYTES / 1024} KiB queued for it`);
      return;
    }
    const frame = JSON.stringify(message);
    this.counted.bytesOut += utf8Length(frame);
    try {
      this.link.send(frame);
    } catch (error) {
      // The transport closed under us. Frames it delivered before closing (a bye with its reason)
      // are still queued: let them speak first, as the close event does.
      this.inbox.add(() => this.close('transport-closed', errorText(error)));
    }
  }

  /** Budgets are spent before anything is parsed, in UTF-8 bytes of the frame as it came. */
  private onFrame(frame: string): void {
    if (this.state === 'closed') return;
    this.sendHello();
    // Every UTF-16 unit is at least one byte: a frame this long is over the bound without counting.
    const bytes = frame.length > MAX_MESSAGE_BYTES ? MAX_MESSAGE_BYTES + 1 : utf8Length(frame);
    this.counted.bytesIn += bytes;
    const now = this.clock.monotonic();
    if (bytes > MAX_MESSAGE_BYTES) return this.close('limit', `a frame over ${MAX_MESSAGE_BYTES / 1024} KiB`);
    if (!this.messageBudget.take(now)) return this.close('limit', `peer sent more than ${MESSAGE_RATE.perSecond} messages a second`);
    if (!this.byteBudget.take(now, bytes)) return this.close('limit', `peer sent more than ${BYTE_RATE.perSecond / 1024 / 1024} MiB a second`);
    this.inbox.add(() => this.handleFrame(frame));
  }

  private async handleFrame(frame: string): Promise<void> {
    if (this.state === 'closed') return;
    let message: WireMessage | null;
    try {
      message = parseWireMessage(frame);
    } catch (error) {
      this.close('protocol-error', errorText(error));
      return;
    }
    if (this.state !== 'ready') {
      await this.handleHandshake(message);
      return;
    }
    switch (message?.t) {
      case 'ping':
        this.send({ t: 'pong', seq: message.seq, ts: message.ts });
        break;
      case 'pong':
        this.heartbeat.pong(message.seq, message.ts, this.clock.monotonic());
        this.scheduleBeat();
        break;
      case 'bye':
        this.close(`remote:${message.reason}`);
        break;
      case 'pair':
        this.events.emit('session:pair', { session: this, message });
        break;
      case 'route':
        this.events.emit('session:route', { session: this, message });
        break;
      case 'hello':
      case 'auth':
        this.close('protocol-error', `unexpected ${message.t} after the handshake`);
        break;
      default:
        // Unknown types are ignored after the handshake (docs/protocol.md).
        break;
    }
  }

  private async handleHandshake(message: WireMessage | null): Promise<void> {
    const step = await this.handshake.step(message);
    if (this.state === 'closed') return;
    switch (step.kind) {
      case 'bye':
        return this.close(`remote:${step.reason}`);
      case 'refuse':
        return this.refuse(step.why);
      case 'stranger':
        // Its user ID stays on the closed connection, so the user can see whom to trust.
        this.peer = step.peer;
        return this.close('blocked', step.why);
      case 'auth':
        this.peer = step.peer;
        return this.send(step.message);
      case 'ready':
        return this.becomeReady();
    }
  }

  /**
   * A failure of our own while handling a frame. It is reported, not swallowed; the queue runs the next
   * frame (and the transport's close) as if nothing happened, so one fault cannot wedge the session.
   */
  private fault(error: unknown): void {
    this.lastError = errorText(error);
    try {
      this.events.emit('session:fault', { session: this, error });
    } catch (listenerError) {
      console.error('meshdeck: session fault not reported', error, listenerError);
    }
  }

  private refuse(why: string): void {
    this.close('handshake-refused', why);
  }

  private becomeReady(): void {
    this.state = 'ready';
    this.lastHandshakeAt = this.clock.now();
    this.timers.clear();
    this.beat();
    this.events.emit('session:ready', this);
  }

  private probe(): void {
    if (!this.isReady) return;
    const ping = this.heartbeat.probe(this.clock.monotonic());
    if (!ping) return;
    this.send(ping);
    if (this.isReady) this.scheduleBeat();
  }

  /** Called by the pacer (and once on ready); a ping due within `earlyMs` goes now. */
  beat(earlyMs = 0): void {
    if (!this.isReady) return;
    const ping = this.heartbeat.tick(this.clock.monotonic(), earlyMs);
    if (ping === 'dead') return this.close('dead', 'three heartbeats in a row went unanswered');
    if (ping) this.send(ping);
    if (this.isReady) this.scheduleBeat();
  }

  /** Tells the pacer when the heartbeat next has something to do. */
  private scheduleBeat(): void {
    const now = this.clock.monotonic();
    this.pacer.schedule(this, Math.max(now + HEARTBEAT_TICK_MS, this.heartbeat.nextTickAt(now)), this.heartbeat.nextPingAt(now));
  }

  /**
   * The one teardown path (disable, block, bye, heartbeat death, transport loss). Sends `bye` when
   * the reason is one we announce, closes the transport, releases timers and listeners. Idempotent.
   */
  close(reason: CloseReason, error: string | null = null): void {
    if (this.state === 'closed') return;
    const wasOpen = this.channelOpen;
    this.state = 'closed';
    this.closeReason = reason;
    if (error) this.lastError = error;
    this.timers.clear();
    this.pacer.remove(this);
    const announce = reason === 'user-disconnect' || reason === 'blocked' || reason === 'shutdown' || reason === 'paused' || reason === 'limit';
    // A peer refused at handshake (forged, blocked) is told nothing: no bye.
    if (announce && wasOpen) {
      try {
        this.link.send(JSON.stringify({ t: 'bye', reason }));
      } catch {
        // The transport is already gone: nothing to tell.
      }
    }
    for (const unsubscribe of this.unsubscribeLink) unsubscribe();
    // Shutting down, both ends often close at once: Node's WebRTC then needs the channel closed first.
    // Not otherwise: a flooding peer got the channel's close before its `bye limit` (bench/hostile.ts).
    this.link.close({ channelFirst: reason === 'shutdown' || reason === 'remote:shutdown' });
    this.events.emit('session:close', { session: this, reason, error });
    this.events.clear();
  }

  /** Updates traffic and rates from the transport's counters (falling back to our own count). */
  async sampleTraffic(): Promise<void> {
    const measured = await this.link.readTraffic().catch(() => null);
    const now = this.clock.now();
    const next = measured ?? this.counted;
    const seconds = (now - this.rates.at) / 1000;
    if (seconds > 0) {
      this.rates = {
        rateIn: Math.max(0, (next.bytesIn - this.traffic.bytesIn) / seconds),
        rateOut: Math.max(0, (next.bytesOut - this.traffic.bytesOut) / seconds),
        at: now,
      };
    }
    // Our own count knows no route: the last one measured stands.
    this.traffic = { ...next, route: measured?.route ?? this.traffic.route };
  }

  snapshot(): Omit<PeerSnapshot, 'score' | 'lastPenalty' | 'trusted'> {
    const loss = this.heartbeat.loss(this.clock.monotonic());
    return {
      nodeId: this.link.remoteId,
      userId: this.peer?.userId ?? null,
      direction: this.link.direction,
      path: this.link.path,
      state: this.state,
      strength: strengthScore({ ready: this.isReady, rttMs: this.heartbeat.rttMs, loss, missedInARow: this.heartbeat.missed }),
      rttMs: this.heartbeat.rttMs,
      loss,
      bytesIn: this.traffic.bytesIn,
      bytesOut: this.traffic.bytesOut,
      rateIn: this.rates.rateIn,
      rateOut: this.rates.rateOut,
      openedAt: this.openedAt,
      lastHandshakeAt: this.lastHandshakeAt,
      lastError: this.lastError,
      route: this.traffic.route ?? null,
    };
  }
}
