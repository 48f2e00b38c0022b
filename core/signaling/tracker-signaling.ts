/**
 * Meeting the room through WebSocket trackers (WebTorrent's kind; docs/protocol.md "Meeting through a
 * tracker"), for a node that reaches neither a PeerJS server nor a GUN relay. It works as
 * BitTorrent-over-WebRTC clients meet a swarm: the room is an infohash, the node's WebRTC offers
 * (complete SDP, no trickle) ride on its announces, the tracker hands each to some other node of the
 * swarm, and that node's answer comes back the same way.
 *
 * The tracker chooses who meets whom, and the node ID an offer or answer claims is the tracker's word
 * only, as a PeerJS peer ID is the PeerJS server's: the handshake on the connection (hello, then auth
 * bound to both DTLS fingerprints) proves who is at the other end, or closes it.
 *
 * Bounded: at most MAX_OFFERS_OUT offers wait for an answer at once, each for OFFER_TTL_MS; offers
 * from other nodes are answered under a budget, and never from a node the node holds a connection to.
 */
import { Emitter } from '../lib/events';
import { Backoff } from '../lib/backoff';
import { TimerGroup } from '../lib/clock';
import { TokenBucket } from '../lib/token-bucket';
import { randomBytes, utf8 } from '../lib/encoding';
import { errorText } from '../lib/error-text';
import { isRecord } from '../lib/is-record';
import { NODE_ID_PATTERN } from '../identity/identity';
import type { FallbackSignalingSnapshot, SignalingState } from './signaling';
import type { MeetingSignaling, MeetingSignalingFactory, MeetingSignalingOptions, SignalingEvents } from './signaling';
import { RtcLink, RtcLinkSet, gatheringDone, openDataChannel } from './rtc-link';
import { MAX_SIGNAL_CHARS } from './sealed-signal';

/** Offers out at once, waiting for an answer. */
export const MAX_OFFERS_OUT = 4;
/** An offer no one answered within this long is withdrawn (the connection behind it closed). */
const OFFER_TTL_MS = 30_000;
/** How often a node that wants peers announces again with fresh offers. */
const ANNOUNCE_MS = 5_000;
/** How long an offer or answer waits for its own ICE candidates. */
const GATHER_MS = 3000;
/** Offers from other nodes answered per second, and saved up; the rest are dropped unread. */
const OFFERS_PER_SECOND = 4;
const OFFER_BURST = 8;
/** A tracker message longer than this (UTF-16 units) is dropped unparsed. */
const MAX_MESSAGE_CHARS = MAX_SIGNAL_CHARS + 1024;
const RECONNECT_BACKOFF = { baseMs: 1000, capMs: 30_000 };

export const createTrackerSignaling: MeetingSignalingFactory = (options) => new TrackerSignaling(options);

/** 20 bytes as the "binary string" (one char per byte) trackers use for IDs and hashes. */
function binary(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}

/** The room's infohash: SHA-1 of `"meshdeck/room/v2\n" + room`. */
export async function roomInfoHash(room: string): Promise<string> {
  return binary(new Uint8Array(await crypto.subtle.digest('SHA-1', utf8(`meshdeck/room/v2\n${room}`) as BufferSource)));
}

/** A description as it rides on an announce: the SDP, and the node ID its sender claims. */
interface Described {
  type: 'offer' | 'answer';
  sdp: string;
  from: string;
}

function described(value: unknown, type: Described['type']): Described | string {
  if (!isRecord(value) || value.type !== type) return `not an ${type}`;
  if (typeof value.sdp !== 'string' || value.sdp.length > MAX_SIGNAL_CHARS) return 'no SDP, or too long';
  if (typeof value.from !== 'string' || !NODE_ID_PATTERN.test(value.from)) return 'no node ID';
  return { type, sdp: value.sdp, from: value.from };
}

interface OfferOut {
  pc: RTCPeerConnection;
  channel: RTCDataChannel;
  timer: unknown;
}

interface Tracker {
  url: string;
  socket: WebSocket | null;
  open: boolean;
  /** Other nodes in the room's swarm, as its last announce response counted them: offers beyond that go nowhere. */
  others: number;
  backoff: Backoff;
  retry: unknown;
}

class TrackerSignaling implements MeetingSignaling {
  readonly events = new Emitter<SignalingEvents>();
  private readonly timers: TimerGroup;
  private readonly trackers: Tracker[];
  private readonly offersOut = new Map<string, OfferOut>();
  private readonly links: RtcLinkSet;
  private readonly budget: TokenBucket;
  /** Ours for this run, random: a tracker sees no node ID of ours but the one our offers claim. */
  private readonly peerId = binary(randomBytes(20));
  private infoHash: string | null = null;
  private running = false;
  private paused = false;
  /** A round of offers is being made (announceOffers). */
  private offering = false;
  private setUp = 0;
  private refused = 0;
  private lastError: string | null = null;

  constructor(private readonly options: MeetingSignalingOptions) {
    this.timers = new TimerGroup(options.clock);
    this.links = new RtcLinkSet(options.iceServers);
    this.budget = new TokenBucket(OFFERS_PER_SECOND, OFFER_BURST, options.clock.monotonic());
    this.trackers = options.urls.map((url) => ({ url, socket: null, open: false, others: 0, backoff: new Backoff(RECONNECT_BACKOFF), retry: null }));
  }

  get state(): SignalingState {
    if (!this.running || this.paused || this.trackers.length === 0) return 'stopped';
    return this.trackers.some((t) => t.open) ? 'open' : 'connecting';
  }

  snapshot(): FallbackSignalingSnapshot {
    return { path: 'tracker', state: this.state, setUp: this.setUp, refused: this.refused, lastError: this.lastError };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.paused = false;
    roomInfoHash(this.options.room).then(
      (hash) => {
        this.infoHash = hash;
        if (this.running && !this.paused) this.connectAll();
      },
      (error: unknown) => this.noteError(`no infohash: ${errorText(error)}`),
    );
    this.timers.interval(() => this.announceOffers(), ANNOUNCE_MS);
  }

  pause(): void {
    if (!this.running || this.paused) return;
    const before = this.state;
    this.paused = true;
    this.disconnectAll();
    this.stateMaybeChanged(before);
  }

  resume(): void {
    if (!this.running) return this.start();
    if (!this.paused) return;
    this.paused = false;
    if (this.infoHash) this.connectAll();
    this.events.emit('signaling:state', { state: this.state, error: null });
  }

  retryNow(): void {
    if (!this.running || this.paused || !this.infoHash) return;
    for (const tracker of this.trackers) {
      if (tracker.socket) continue;
      this.timers.cancel(tracker.retry);
      this.connect(tracker);
    }
  }

  stop(): void {
    if (this.running) {
      this.running = false;
      this.disconnectAll();
      this.links.closeAll();
      this.timers.clear();
      this.events.emit('signaling:state', { state: 'stopped', error: null });
    }
    this.events.clear();
  }

  private connectAll(): void {
    for (const tracker of this.trackers) this.connect(tracker);
  }

  private disconnectAll(): void {
    for (const tracker of this.trackers) {
      this.timers.cancel(tracker.retry);
      this.drop(tracker);
    }
    for (const id of [...this.offersOut.keys()]) this.withdraw(id);
  }

  private connect(tracker: Tracker): void {
    let socket: WebSocket;
    try {
      socket = new WebSocket(tracker.url);
    } catch (error) {
      this.noteError(`${tracker.url}: ${errorText(error)}`);
      return this.scheduleRetry(tracker);
    }
    tracker.socket = socket;
    socket.onopen = () => {
      const before = this.state;
      tracker.open = true;
      tracker.backoff.reset();
      // Joins the swarm, so that others' offers reach this node; offers of its own follow if it wants peers.
      this.send(tracker, { action: 'announce', event: 'started', numwant: 0, ...this.announceBase() });
      this.stateMaybeChanged(before);
    };
    socket.onmessage = ({ data }) => this.heard(tracker, data);
    socket.onclose = () => {
      if (tracker.socket !== socket) return;
      const before = this.state;
      this.drop(tracker);
      this.noteError(`${tracker.url}: the tracker closed the connection`);
      this.stateMaybeChanged(before);
      this.scheduleRetry(tracker);
    };
  }

  private drop(tracker: Tracker): void {
    const { socket } = tracker;
    tracker.socket = null;
    tracker.open = false;
    tracker.others = 0;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = null;
    socket.close();
  }

  private scheduleRetry(tracker: Tracker): void {
    if (!this.running || this.paused) return;
    tracker.retry = this.timers.timeout(() => this.connect(tracker), tracker.backoff.next());
  }

  private stateMaybeChanged(before: SignalingState): void {
    if (this.state !== before) this.events.emit('signaling:state', { state: this.state, error: null });
  }

  private announceBase(): Record<string, string | number> {
    return { info_hash: this.infoHash!, peer_id: this.peerId, uploaded: 0, downloaded: 0, left: 0 };
  }

  private send(tracker: Tracker, message: Record<string, unknown>): void {
    if (tracker.open) tracker.socket!.send(JSON.stringify(message));
  }

  /** Announces fresh offers on every open tracker, as many as the node wants and the cap allows. */
  private announceOffers(): void {
    if (this.paused) return;
    const wanted = this.options.offersWanted();
    if (wanted <= 0) return;
    // A swarm seen empty is asked again (an announce without offers), so that offers go out once someone is there.
    for (const tracker of this.trackers) if (tracker.open && tracker.others === 0) this.send(tracker, { action: 'announce', numwant: 0, ...this.announceBase() });
    const open = this.trackers.filter((t) => t.open && t.others > 0);
    if (open.length === 0) return;
    // Nodes of the swarm this one is connected to through it would only ignore more offers.
    const strangers = Math.max(...open.map((t) => t.others)) - this.links.size;
    const count = Math.min(wanted, MAX_OFFERS_OUT - this.offersOut.size, strangers);
    // One round at a time: with ICE servers each offer gathers for up to GATHER_MS, so a round of 4
    // outlasts ANNOUNCE_MS, and a second round counted from the offers made so far went past
    // MAX_OFFERS_OUT, each one an RTCPeerConnection of Chromium's 500 (rtc-link.ts, PeerConnectionSource).
    if (count <= 0 || this.offering) return;
    this.offering = true;
    this.makeOffers(count)
      .then(
        (offers) => {
          const live = offers.filter(({ id }) => this.offersOut.has(id));
          if (live.length === 0) return;
          const message = { action: 'announce', numwant: live.length, offers: live.map(({ id, sdp }) => ({ offer_id: id, offer: { type: 'offer', sdp, from: this.options.nodeId } })), ...this.announceBase() };
          for (const tracker of open) this.send(tracker, message);
        },
        (error: unknown) => this.noteError(`no offer made: ${errorText(error)}`),
      )
      .finally(() => (this.offering = false));
  }

  private async makeOffers(count: number): Promise<{ id: string; sdp: string }[]> {
    const made: { id: string; sdp: string }[] = [];
    for (let i = 0; i < count; i++) {
      // Paused or stopped meanwhile: its offers were withdrawn, and no more are wanted.
      if (!this.running || this.paused) return [];
      const pc = this.links.createPeerConnection();
      const channel = openDataChannel(pc);
      const id = binary(randomBytes(20));
      this.offersOut.set(id, { pc, channel, timer: this.timers.timeout(() => this.withdraw(id), OFFER_TTL_MS) });
      try {
        await pc.setLocalDescription(await pc.createOffer());
        await gatheringDone(pc, this.options.clock, GATHER_MS, this.options.iceServers.length === 0);
      } catch (error) {
        this.withdraw(id);
        throw error;
      }
      if (!this.running || this.paused) return [];
      made.push({ id, sdp: pc.localDescription!.sdp });
    }
    return made;
  }

  private withdraw(id: string): void {
    const offer = this.offersOut.get(id);
    if (!offer) return;
    this.offersOut.delete(id);
    this.timers.cancel(offer.timer);
    offer.channel.close();
    offer.pc.close();
  }

  private heard(tracker: Tracker, data: unknown): void {
    if (!this.running || this.paused) return;
    if (typeof data !== 'string' || data.length > MAX_MESSAGE_CHARS) return this.refuse('a message that is not text, or too long');
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      return this.refuse('a message that is not JSON');
    }
    if (!isRecord(message) || message.info_hash !== this.infoHash) return;
    if (typeof message['failure reason'] === 'string') return this.noteError(`${tracker.url}: ${message['failure reason']}`);
    if (typeof message.complete === 'number' && typeof message.incomplete === 'number') return this.counted(tracker, message.complete + message.incomplete - 1);
    if (typeof message.offer_id !== 'string' || typeof message.peer_id !== 'string') return;
    if (message.offer !== undefined) this.answer(tracker, message.offer, message.offer_id, message.peer_id);
    else if (message.answer !== undefined) this.answered(message.answer, message.offer_id);
  }

  /** An announce response: the swarm's size, so offers can go out once someone else is there. */
  private counted(tracker: Tracker, others: number): void {
    const first = tracker.others === 0 && others > 0;
    tracker.others = Math.max(0, others);
    if (first) this.announceOffers();
  }

  private answer(tracker: Tracker, raw: unknown, offerId: string, peerId: string): void {
    const offer = described(raw, 'offer');
    if (typeof offer === 'string') return this.refuse(offer);
    // Someone we hold already (the tracker does not know): no second connection beside it.
    if (offer.from === this.options.nodeId || this.options.holds(offer.from)) return;
    if (!this.budget.take(this.options.clock.monotonic())) return this.refuse('over the offer budget');
    // Made only once the node keeps the link (rtc-link.ts, PeerConnectionSource).
    const link = this.links.track(new RtcLink(offer.from, 'inbound', 'tracker', () => this.links.createPeerConnection(), this.options.clock));
    // The node judges it first (caps, pause): a link it closes gets no answer, and no connection.
    this.events.emit('link:inbound', link);
    if (link.isFinished) return;
    (async () => {
      const { pc } = link;
      await pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await gatheringDone(pc, this.options.clock, GATHER_MS, this.options.iceServers.length === 0);
      if (link.isFinished) return;
      this.send(tracker, { action: 'announce', offer_id: offerId, to_peer_id: peerId, answer: { type: 'answer', sdp: pc.localDescription!.sdp, from: this.options.nodeId }, ...this.announceBase() });
      this.setUp++;
    })().catch((error: unknown) => link.fail(new Error(`tracker signaling: ${errorText(error)}`)));
  }

  private answered(raw: unknown, offerId: string): void {
    const offer = this.offersOut.get(offerId);
    if (!offer) return this.refuse('an answer to no offer of ours');
    const answer = described(raw, 'answer');
    if (typeof answer === 'string') return this.refuse(answer);
    this.offersOut.delete(offerId);
    this.timers.cancel(offer.timer);
    if (answer.from === this.options.nodeId || this.options.holds(answer.from)) {
      offer.channel.close();
      return offer.pc.close();
    }
    const link = this.links.track(new RtcLink(answer.from, 'outbound', 'tracker', offer.pc, this.options.clock, offer.channel));
    this.events.emit('link:met', link);
    if (link.isFinished) return;
    offer.pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp }).then(
      () => this.setUp++,
      (error: unknown) => link.fail(new Error(`tracker signaling: ${errorText(error)}`)),
    );
  }

  private refuse(why: string): void {
    this.refused++;
    this.noteError(`refused from the tracker: ${why}`);
  }

  private noteError(message: string): void {
    this.lastError = message;
  }

}
