/**
 * Fallback signaling through the GUN relays (docs/protocol.md "Fallback signaling through GUN"): when
 * two nodes share no reachable PeerJS server, the dialler seals its WebRTC offer (complete SDP, no
 * trickle) to the other's box key and writes it in the room's slot `signals/<to>/<from>`; the other
 * answers in `signals/<from>/<to>`. Only the node a signal is for can read it, only its sender can
 * have written it, and a slot holds one signal per sender, so a flood costs a bounded amount.
 *
 * Receiving is bounded: every signal passes free checks first (shape, size, addressing, date), its
 * sender must have a fresh, valid record here (that is where its node key comes from), and the costly
 * checks run one at a time under a budget. A replayed signal (not newer than the last one taken from
 * its sender) is refused.
 */
import { Emitter } from '../lib/events';
import { TimerGroup } from '../lib/clock';
import { TokenBucket } from '../lib/token-bucket';
import { SerialQueue } from '../lib/serial-queue';
import { randomBytes, toBase64Url } from '../lib/encoding';
import { errorText } from '../lib/error-text';
import type { Link } from '../session/link';
import type { FallbackSignalingSnapshot, SignalingState } from './signaling';
import type { FallbackSignaling, FallbackSignalingFactory, FallbackSignalingOptions, SignalingEvents } from './signaling';
import type { Rendezvous, Verdict } from '../discovery/rendezvous';
import { ANNOUNCE_INTERVAL_MS } from '../discovery/rendezvous-record';
import { RtcLink, RtcLinkSet, gatheringDone } from './rtc-link';
import { importBox, newBoxKeys, openBox, openSignal, screenSignal, sealSignal, signalSignatureHolds, signBox, SignalError, type SealedSignal, type SignalBody } from './sealed-signal';

/** How long a dial waits for the target's box key, for its answer, and for its own ICE candidates. */
const BOX_READ_MS = 5000;
const ANSWER_WAIT_MS = 15_000;
const GATHER_MS = 3000;
/** Signals checked (signature, decryption) per second, and saved up; the rest wait or are dropped. */
const SIGNALS_PER_SECOND = 10;
const SIGNAL_BURST = 20;
/** Signals waiting for their check at once; more are dropped unread. */
const SIGNAL_QUEUE_MAX = 32;
/** Senders (and slot keys) remembered for the replay guard; the oldest are forgotten first. */
const SENDERS_KEPT = 1024;

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > SENDERS_KEPT) map.delete(map.keys().next().value!);
}

interface GunSignalingOptions extends Omit<FallbackSignalingOptions, 'board'> {
  board: Pick<Rendezvous, 'events' | 'putSlot' | 'watchSlots' | 'unwatchSlots' | 'readSlot'>;
}

export const createGunSignaling: FallbackSignalingFactory = (options) => new GunSignaling(options);

interface PendingDial {
  sid: string;
  replyKey: CryptoKey;
  link: RtcLink;
}

export class GunSignaling implements FallbackSignaling {
  readonly events = new Emitter<SignalingEvents>();
  readonly url = 'gun';
  readonly path = 'gun' as const;
  readonly attempts = 0;
  private running = false;
  private paused = false;
  private boxKeys: CryptoKeyPair | null = null;
  private readonly timers: TimerGroup;
  private readonly openRelays = new Set<string>();
  private readonly pending = new Map<string, PendingDial>();
  private readonly links: RtcLinkSet;
  /** Sender → the date and signature of the last signal taken from it (replay guard). */
  private readonly lastTaken = new Map<string, { ts: number; sig: string }>();
  /**
   * Node → the date of the newest box key of it taken (replay guard: an older one is from an earlier
   * run, issue 23, item 7). In memory only: across a restart of this node, BOX_FRESH_MS bounds the age.
   */
  private readonly newestBox = new Map<string, number>();
  private readonly checks = new SerialQueue();
  private readonly budget: TokenBucket;
  private queued = 0;
  private setUp = 0;
  private refused = 0;
  private lastError: string | null = null;
  private unsubscribers: (() => void)[] = [];

  constructor(private readonly options: GunSignalingOptions) {
    this.timers = new TimerGroup(options.clock);
    this.links = new RtcLinkSet(options.iceServers);
    this.budget = new TokenBucket(SIGNALS_PER_SECOND, SIGNAL_BURST, options.clock.monotonic());
    // From construction, not start(): a node that starts with signaling stopped starts this later,
    // when its relays are long open.
    this.unsubscribers.push(
      options.board.events.on('relay:state', ({ url, state }) => {
        const before = this.state;
        if (state === 'open') this.openRelays.add(url);
        else this.openRelays.delete(url);
        if (state === 'open') this.publishBox();
        this.stateMaybeChanged(before);
      }),
      options.board.events.on('slot:update', ({ path, key, value, verdict }) => {
        if (path === this.inbox.join('/')) this.heard(key, value, verdict);
      }),
    );
  }

  private get ownId(): string {
    return this.options.identity.nodeId;
  }

  /** The slots where signals for this node are written. */
  private get inbox(): readonly string[] {
    return ['signals', this.ownId];
  }

  get state(): SignalingState {
    if (!this.running || this.paused) return 'stopped';
    return this.boxKeys && this.openRelays.size > 0 ? 'open' : 'connecting';
  }

  snapshot(): FallbackSignalingSnapshot {
    return { path: this.path, state: this.state, setUp: this.setUp, refused: this.refused, lastError: this.lastError };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.paused = false;
    newBoxKeys().then(
      (keys) => {
        if (!this.running) return;
        const before = this.state;
        this.boxKeys = keys;
        if (!this.paused) this.options.board.watchSlots(this.inbox);
        this.publishBox();
        this.stateMaybeChanged(before);
      },
      (error: unknown) => this.noteError(`no box key: ${errorText(error)}`),
    );
    // Relays forget (a restarted relay keeps no data): the box key is written again with each announce.
    this.timers.interval(() => this.publishBox(), ANNOUNCE_INTERVAL_MS);
  }

  private stateMaybeChanged(before: SignalingState): void {
    if (this.state !== before) this.events.emit('signaling:state', { state: this.state, error: null });
  }

  /** Box key signings started, and the last of them written: signings may finish out of order. */
  private boxSignings = 0;
  private boxWritten = 0;

  private publishBox(): void {
    const keys = this.boxKeys;
    if (!keys || !this.running) return;
    const signing = ++this.boxSignings;
    signBox(this.options.identity, keys, this.options.clock.now()).then(
      (box) => {
        // An earlier signing that finished last would overwrite the newer box key, and be retried
        // (putAcked) while relays that check dates refuse it as older (attacker read, issue 23).
        if (!this.running || signing < this.boxWritten) return;
        this.boxWritten = signing;
        this.options.board.putSlot(['boxes'], this.ownId, { ...box });
      },
      (error: unknown) => this.noteError(`box key not signed: ${errorText(error)}`),
    );
  }

  pause(): void {
    if (!this.running || this.paused) return;
    const before = this.state;
    this.paused = true;
    this.options.board.unwatchSlots(this.inbox);
    this.stateMaybeChanged(before);
  }

  resume(): void {
    if (!this.running) return this.start();
    const before = this.state;
    this.paused = false;
    if (this.boxKeys) this.options.board.watchSlots(this.inbox);
    this.stateMaybeChanged(before);
  }

  retryNow(): void {
    this.publishBox();
  }

  dial(nodeId: string): Link {
    // Its RTCPeerConnection is made once the target's box key is read and verified (offer): a dial
    // that fails before then costs none of Chromium's 500 (rtc-link.ts, PeerConnectionSource).
    const link = this.links.track(new RtcLink(nodeId, 'outbound', 'gun', () => this.links.createPeerConnection(), this.options.clock));
    this.offer(link).catch((error: unknown) => link.fail(new Error(`GUN signaling: ${errorText(error)}`)));
    return link;
  }

  private async offer(link: RtcLink): Promise<void> {
    if (this.state !== 'open') throw new Error('no relay is open');
    const nodeKey = this.options.nodeKeyOf(link.remoteId);
    if (!nodeKey) throw new Error(`${link.remoteId} has no valid record here`);
    // A forged box key on a relay does not end the read (its signature is checked there): the genuine one may follow.
    let opened: Awaited<ReturnType<typeof openBox>> | null = null;
    let refusal: unknown = null;
    const open = (raw: unknown) => openBox(raw, link.remoteId, nodeKey, this.options.clock.now(), this.newestBox.get(link.remoteId));
    await this.options.board.readSlot(['boxes'], link.remoteId, BOX_READ_MS, (raw) =>
      open(raw).then(
        (box) => ((opened ??= box), true),
        (error: unknown) => ((refusal = error), false),
      ),
    );
    if (!opened) throw refusal ?? new SignalError('no box key of that node on the relays');
    const { key: box, ts } = opened;
    if (ts > (this.newestBox.get(link.remoteId) ?? -Infinity)) remember(this.newestBox, link.remoteId, ts);
    if (link.isFinished) return;
    const { pc } = link;
    await pc.setLocalDescription(await pc.createOffer());
    await gatheringDone(pc, this.options.clock, GATHER_MS, this.options.iceServers.length === 0);
    if (link.isFinished) return;
    const sid = toBase64Url(randomBytes(16));
    const { signal, replyKey } = await sealSignal(this.options.identity, link.remoteId, box, { k: 'offer', sid, sdp: pc.localDescription!.sdp }, this.signalTs());
    if (link.isFinished) return;
    this.pending.get(link.remoteId)?.link.fail(new Error('superseded by a newer dial'));
    this.pending.set(link.remoteId, { sid, replyKey, link });
    const timer = this.timers.timeout(() => link.fail(new Error('no answer through the relays')), ANSWER_WAIT_MS);
    link.events.on('open', () => this.timers.cancel(timer));
    link.events.on('close', () => {
      this.timers.cancel(timer);
      if (this.pending.get(link.remoteId)?.link === link) this.pending.delete(link.remoteId);
    });
    this.options.board.putSlot(['signals', link.remoteId], this.ownId, { ...signal });
  }

  /** Signal dates only move forward per sender, so a reader can refuse any signal not newer than the last. */
  private lastTs = 0;
  private signalTs(): number {
    this.lastTs = Math.max(this.options.clock.now(), this.lastTs + 1);
    return this.lastTs;
  }

  /**
   * Judges a signal heard in this node's inbox, and gives the reader its verdict (rendezvous.ts): true
   * only for a signal its sender signed that is newer than the last taken from it; false for anything
   * else, so that the read waits on for the genuine signal (a relay's other clients answer reads too).
   * The verdict comes from the signature alone, before the signal waits its turn behind answers being
   * made (each may gather ICE candidates for seconds) while its read holds a slot.
   */
  private heard(key: string, value: unknown, verdict: Verdict): void {
    if (!this.running || this.paused) return verdict(false);
    const screened = screenSignal(value, this.ownId, key, this.options.clock.now());
    if (typeof screened === 'string') {
      verdict(false);
      return this.refuse(key, screened);
    }
    const last = this.lastTaken.get(screened.from);
    if (last !== undefined && screened.ts <= last.ts) {
      verdict(false);
      // The signal taken last, delivered again (a relay syncing, a write repeated): not a replay.
      if (screened.ts === last.ts && screened.sig === last.sig) return;
      return this.refuse(key, 'replayed (not newer than the last signal taken from its sender)');
    }
    const nodeKey = this.options.nodeKeyOf(screened.from);
    if (!nodeKey) {
      verdict(false);
      return this.refuse(key, 'from a node with no valid record here');
    }
    if (this.queued >= SIGNAL_QUEUE_MAX || !this.budget.take(this.options.clock.monotonic())) {
      verdict(false);
      return this.refuse(key, 'over the signal budget');
    }
    signalSignatureHolds(screened, nodeKey).then(verdict, () => verdict(false));
    this.queued++;
    this.checks.add(async () => {
      try {
        await this.take(screened, nodeKey);
      } catch (error) {
        this.refuse(screened.from, errorText(error));
      } finally {
        this.queued--;
      }
    });
  }

  private async take(signal: SealedSignal, nodeKey: CryptoKey): Promise<void> {
    if (!this.running || !this.boxKeys) return;
    const pending = this.pending.get(signal.from);
    // An answer is sealed to its offer's one-use key; an offer to this run's box key.
    const body = await openSignal(signal, nodeKey, pending && !pending.link.isFinished ? pending.replyKey : this.boxKeys.privateKey).catch(async (error: unknown) => {
      if (!pending) throw error;
      return openSignal(signal, nodeKey, this.boxKeys!.privateKey);
    });
    const last = this.lastTaken.get(signal.from);
    if (last !== undefined && signal.ts <= last.ts) throw new Error('replayed (not newer than the last signal taken from its sender)');
    remember(this.lastTaken, signal.from, { ts: signal.ts, sig: signal.sig });
    if (body.k === 'answer') return this.answered(signal.from, body);
    await this.answer(signal, body);
  }

  private async answered(from: string, body: SignalBody): Promise<void> {
    const pending = this.pending.get(from);
    if (!pending || pending.sid !== body.sid) throw new Error('an answer to no offer of ours');
    this.pending.delete(from);
    if (pending.link.isFinished) return;
    await pending.link.pc.setRemoteDescription({ type: 'answer', sdp: body.sdp });
    this.setUp++;
  }

  private async answer(offer: SealedSignal, body: SignalBody): Promise<void> {
    // Made only once the node keeps the link (rtc-link.ts, PeerConnectionSource).
    const link = this.links.track(new RtcLink(offer.from, 'inbound', 'gun', () => this.links.createPeerConnection(), this.options.clock));
    // The node judges it first (caps, pause, block): a link it closes gets no answer, and no connection.
    this.events.emit('link:inbound', link);
    if (link.isFinished) return;
    try {
      const { pc } = link;
      await pc.setRemoteDescription({ type: 'offer', sdp: body.sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await gatheringDone(pc, this.options.clock, GATHER_MS, this.options.iceServers.length === 0);
      if (link.isFinished) return;
      const { signal } = await sealSignal(this.options.identity, offer.from, await importBox(offer.epk), { k: 'answer', sid: body.sid, sdp: pc.localDescription!.sdp }, this.signalTs());
      if (link.isFinished || !this.running) return;
      this.options.board.putSlot(['signals', offer.from], this.ownId, { ...signal });
      this.setUp++;
    } catch (error) {
      link.fail(new Error(`GUN signaling: ${errorText(error)}`));
    }
  }

  private refuse(from: string, why: string): void {
    this.refused++;
    this.noteError(`refused a signal from ${from.slice(0, 40)}: ${why}`);
  }

  private noteError(message: string): void {
    this.lastError = message;
  }


  stop(): void {
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.unsubscribers = [];
    if (!this.running) return this.events.clear();
    this.running = false;
    this.timers.clear();
    this.options.board.unwatchSlots(this.inbox);
    this.links.closeAll();
    this.pending.clear();
    this.openRelays.clear();
    this.boxKeys = null;
    this.events.emit('signaling:state', { state: 'stopped', error: null });
    this.events.clear();
  }
}
