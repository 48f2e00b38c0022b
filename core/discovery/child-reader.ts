/**
 * Reads the children of one parent soul from GUN (a room's node records, its file lists, this node's
 * signal slot, a shared channel: graph-families.ts), most recently written first, a few at a time.
 *
 * Why not `map().on()`: GUN fetches the child of every link the parent holds, each fetch a round trip
 * that the relay answers in order. A stock relay keeps every link it was ever sent, so after a storm of
 * 10,000 junk records a node asked it 42,000 times and a newcomer's record waited behind those answers
 * for 45 s (measured, issue 22). Here the parent is watched alone (its links and the time each was last
 * written, GUN's state), and children are fetched by this reader: newest link first, at most
 * FETCHES_IN_FLIGHT at once, each once per write of its link. An honest writer rewrites its link with
 * each write, so it is read again then; a link not written for its family's freshness points at a
 * stale child and is not read at all. Up to WATCHED_WRITERS writers already known (nodes with a valid
 * record) are watched at their own souls, outside the fetch slots: a link under a known node's ID is
 * anyone's to write, and links forged under known IDs, each fetch held for its full timeout, once kept
 * known nodes' writes from being read (attacker read, issue 23). Among strangers the newest goes first,
 * which a storm that has ended cannot hold back, but one that never ends can (docs/protocol.md). A
 * link whose child no relay holds (links alone, the cheapest thing to write) frees its slot once every
 * relay said so, NOT_FOUND_GRACE_MS later, not after FETCH_TIMEOUT_MS (gun-not-found.ts): a stream of
 * such links must outpace FETCHES_IN_FLIGHT per NOT_FOUND_GRACE_MS, not per FETCH_TIMEOUT_MS.
 *
 * A child is always read at its canonical soul, `<parent>/<key>`, whatever the link says (graph-screen.ts
 * refuses any other link): the link only says when its writer last wrote.
 */
import { NODE_ID_PATTERN } from '../identity/identity';
import type { TimerGroup } from '../lib/clock';
import { isRecord } from '../lib/is-record';
import { EarliestTimeout } from '../lib/earliest-timeout';
import { TokenBucket } from '../lib/token-bucket';
import { DATED_AHEAD_MS, type ChildFamily } from './graph-families';
import {
  BACKLOG_FETCHES,
  CHECKS_PER_FETCH,
  childKey,
  FETCH_TIMEOUT_MS,
  FETCHES_IN_FLIGHT,
  FRESH_FETCHES,
  FRESH_LINK_MS,
  LINKS_HELD,
  LINKS_READ_KEPT,
  LINKS_WAITING,
  NOT_FOUND_GRACE_MS,
  oneWriteAt,
  readFirst,
  SAME_WRITE_MS,
  snapshotChild,
  STRANGER_SLOTS,
  WATCHED_WRITERS,
  type Link,
} from './child-reading';

/** The slice of GUN's chain API the reader uses. */
export interface ReaderChain {
  on(callback: (data: unknown) => void): unknown;
  once(callback: (data: unknown) => void): unknown;
  off(): void;
}

interface ChildReaderDeps {
  family: ChildFamily;
  /** The parent's soul (`meshdeck/v1/<room>/nodes`…) and its chain. */
  parentSoul: string;
  parent: ReaderChain;
  /** The chain of a child's soul (`<parent>/<key>`). */
  chainOf(soul: string): ReaderChain;
  timers: TimerGroup;
  /** Wall-clock time in ms, for the dates links and children carry. */
  now(): number;
  /** A monotonic clock in ms, for the fetches' pace and timeouts: a clock stepped back must not stall them. */
  monotonic(): number;
  /** Whether the node holds a valid record of `nodeId` (its writes are read first). */
  knows(nodeId: string): boolean;
  /**
   * A whole, well-formed child as GUN delivered it, filed under `key`, its signature unverified; resolves
   * with its consumer's verdict (rendezvous.ts, Verdict): false for a forged or stale one.
   */
  onChild(key: string, data: Record<string, unknown>): Promise<boolean>;
  /**
   * Removes the child at `soul` from GUN's graph: GUN keeps, field by field, the write with the newest
   * states it heard, so a forged answer dated a little after the genuine child made GUN drop the
   * genuine one when it came (attacker read, issue 23). With the forgery gone, it merges.
   */
  forgetChild(soul: string): void;
  /**
   * Removes the link under `key` from the parent GUN holds in its graph (the node `on()` hands over is
   * a copy): a stale link will never be read, and GUN would keep it for as long as the node runs.
   */
  forgetLink(key: string): void;
}


export class ChildReader {
  private readonly waiting = new Map<string, Link>();
  /** Node ID → the write of its link read last; oldest first. */
  private readonly read = new Map<string, number>();
  /** Souls being fetched → how to end that fetch, and to end it soon (nothing, or junk, answered). */
  /** Souls being fetched → how to end that fetch (and start the next, unless told not to), and to end it soon. */
  private readonly inFlight = new Map<string, { known: boolean; writtenAt: number; end(next?: boolean): void; endSoon(): void }>();
  /** Known writers watched at their own souls → the chain, and the newest write handed on. */
  private readonly watched = new Map<string, { chain: ReaderChain; newest: number }>();
  private running = false;
  private readonly freshFetches: TokenBucket;
  private readonly backlogFetches: TokenBucket;
  /** A pump waiting for the pace of the fetches. */
  private readonly pacedPump: EarliestTimeout;

  constructor(private readonly deps: ChildReaderDeps) {
    this.pacedPump = new EarliestTimeout(deps.timers, deps.monotonic, () => this.pump());
    this.freshFetches = new TokenBucket(FRESH_FETCHES.perSecond, FRESH_FETCHES.burst, deps.monotonic());
    this.backlogFetches = new TokenBucket(BACKLOG_FETCHES.perSecond, BACKLOG_FETCHES.burst, deps.monotonic());
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.deps.parent.on((node) => this.onParent(node));
  }

  /** Reads every live link again, whether read before or not (the `Refresh peers` control). */
  reread(): void {
    if (!this.running) return;
    this.read.clear();
    // Read once more, not put back again: most children are held already, and no news ends no read.
    this.deps.parent.once((node) => this.onParent(node, { again: true }));
  }

  /**
   * Whether this reader reads `soul`: its parent, or the child of a link it holds (being fetched, watched,
   * waiting, or read before). A relay keeps sending a child once asked for it; GUN answers a later read
   * from what it kept, so those writes must get in, and only those: at most the links held.
   */
  reads(soul: string): boolean {
    const { parentSoul } = this.deps;
    if (!this.running) return false;
    if (soul === parentSoul) return true;
    if (!soul.startsWith(`${parentSoul}/`)) return false;
    const key = soul.slice(parentSoul.length + 1);
    return this.inFlight.has(soul) || this.watched.has(key) || this.waiting.has(key) || this.read.has(key);
  }

  /** Whether `soul` is being fetched now. */
  fetches(soul: string): boolean {
    return this.inFlight.has(soul);
  }

  /** Whether `soul` is a known writer's, watched at its own soul. */
  watches(soul: string): boolean {
    const { parentSoul } = this.deps;
    return this.running && soul.startsWith(`${parentSoul}/`) && this.watched.has(soul.slice(parentSoul.length + 1));
  }

  /** An answer for `soul` was refused by the screen: its fetch ends NOT_FOUND_GRACE_MS later, unless a whole child comes first. */
  refused(soul: string): void {
    this.inFlight.get(soul)?.endSoon();
  }

  /** Every relay asked answered that it holds nothing at `soul`: its fetch ends NOT_FOUND_GRACE_MS later. */
  notFound(soul: string): void {
    this.inFlight.get(soul)?.endSoon();
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.deps.parent.off();
    for (const fetch of [...this.inFlight.values()]) fetch.end();
    for (const key of [...this.watched.keys()]) this.unwatch(key);
    this.pacedPump.cancel();
    this.waiting.clear();
    this.read.clear();
  }

  private onParent(node: unknown, { again = false } = {}): void {
    if (!this.running || !isRecord(node)) return;
    const meta = node._;
    const states = isRecord(meta) && isRecord(meta['>']) ? meta['>'] : {};
    const now = this.deps.now();
    const { family, parentSoul } = this.deps;
    for (const key of [...this.watched.keys()]) if (!this.deps.knows(key)) this.unwatch(key);
    const live: string[] = [];
    for (const key of Object.keys(node)) {
      const value = node[key];
      const writtenAt = states[key];
      if (key === '_') continue;
      const soul = `${parentSoul}/${key}`;
      const stale = typeof writtenAt !== 'number' || now - writtenAt > family.freshMs;
      if (stale || !NODE_ID_PATTERN.test(key) || !isRecord(value) || value['#'] !== soul) {
        if (stale) this.deps.forgetLink(key);
        continue;
      }
      live.push(key);
      if (writtenAt - now > DATED_AHEAD_MS || (this.read.get(key) ?? -Infinity) >= writtenAt || this.watched.has(key)) continue;
      const known = this.deps.knows(key);
      if (known && this.watched.size < WATCHED_WRITERS) this.watch(key, soul);
      else {
        // Ranked when this write of the link was first heard: heard again, a link dated ahead is not news again.
        const held = this.waiting.get(key);
        const rankedAt = held?.writtenAt === writtenAt ? held.rankedAt : Math.min(writtenAt, now);
        this.waiting.set(key, { key, soul, writtenAt, rankedAt, known, retried: again || undefined });
      }
    }
    if (live.length > LINKS_HELD) {
      live.sort((a, b) => (states[b] as number) - (states[a] as number));
      for (const key of live.slice(LINKS_HELD)) this.deps.forgetLink(key);
    }
    this.dropOldestWaiting();
    this.pump();
  }

  /** Hands on every whole, well-formed write of a known writer's soul as it comes. */
  private watch(key: string, soul: string): void {
    // GUN keeps one chain per soul, and a fetch that ended later would switch it off under the watch.
    // Ended without starting the next: that could be a newer write of this very soul, fetched on the
    // chain the watch is about to share, and its end would switch the watch off (attacker read).
    this.waiting.delete(key);
    this.inFlight.get(soul)?.end(false);
    const chain = this.deps.chainOf(soul);
    const entry = { chain, newest: -Infinity };
    this.watched.set(key, entry);
    chain.on((data) => {
      if (this.watched.get(key) !== entry || !isRecord(data)) return;
      const written = oneWriteAt(data, this.deps.family.fields);
      if (written === null || written <= entry.newest || !this.deps.family.accepts(data, key, this.deps.parentSoul, this.deps.now())) return;
      entry.newest = written;
      void this.deps.onChild(key, snapshotChild(data, this.deps.family.fields));
    });
  }

  private unwatch(key: string): void {
    this.watched.get(key)?.chain.off();
    this.watched.delete(key);
  }

  private dropOldestWaiting(): void {
    if (this.waiting.size <= LINKS_WAITING) return;
    const byAge = [...this.waiting.entries()].sort((a, b) => readFirst(a[1], b[1]));
    for (const [key] of byAge.slice(LINKS_WAITING)) this.waiting.delete(key);
  }

  private pump(): void {
    while (this.running && this.inFlight.size < FETCHES_IN_FLIGHT && this.waiting.size > 0) {
      const next = this.nextFetch();
      if (typeof next === 'number') return next === Infinity ? undefined : this.pacedPump.within(next);
      const [key, link] = next;
      this.waiting.delete(key);
      this.remember(key, link.writtenAt);
      this.fetch(link);
    }
  }

  /**
   * The link to read next, its budget spent: the first to read (readFirst) among known writers' links,
   * while they hold fewer than all but STRANGER_SLOTS of the slots, then among strangers' fresh links,
   * then among their older ones, of those whose budget allows one now. Otherwise the ms until one does
   * (Infinity: only a fetch ending frees what is waited for). Known writers' links are not paced: an
   * honest room of 500 rewrites about 30 a second past the watched 64, and a pace of 16 let a third of
   * them go stale (attacker read, issue 22). But a link under a known ID is anyone's to write, and
   * forged rewrites of them, each holding a slot for its whole timeout, once held every slot.
   */
  private nextFetch(): [string, Link] | number {
    const now = this.deps.now();
    const best: Record<'known' | 'fresh' | 'backlog', [string, Link] | null> = { known: null, fresh: null, backlog: null };
    for (const entry of this.waiting) {
      const [key, link] = entry;
      const fetching = this.inFlight.get(link.soul);
      // A newer write of a link being fetched waits for that fetch to end: it may end on the older child.
      if (fetching && link.writtenAt > fetching.writtenAt) continue;
      if (fetching || this.watched.has(key)) {
        this.waiting.delete(key);
        continue;
      }
      // Fresh: written, or (dated ahead) first heard, within FRESH_LINK_MS. A burst dated ahead once
      // stayed "fresh" for the whole 2 minutes a date may run ahead.
      const lane = link.known ? 'known' : now - link.rankedAt <= FRESH_LINK_MS ? 'fresh' : 'backlog';
      const held = best[lane];
      if (!held || readFirst(link, held[1]) < 0) best[lane] = entry;
    }
    const knownInFlight = [...this.inFlight.values()].filter((fetch) => fetch.known).length;
    if (best.known && knownInFlight < FETCHES_IN_FLIGHT - STRANGER_SLOTS) return best.known;
    const tick = this.deps.monotonic();
    // A fresh link may spend the backlog's budget too, once its own is spent.
    if (best.fresh && (this.freshFetches.take(tick) || this.backlogFetches.take(tick))) return best.fresh;
    if (best.backlog && this.backlogFetches.take(tick)) return best.backlog;
    const waits = [
      best.fresh ? Math.min(this.freshFetches.msUntil(tick), this.backlogFetches.msUntil(tick)) : Infinity,
      best.backlog ? this.backlogFetches.msUntil(tick) : Infinity,
    ];
    return Math.min(...waits);
  }

  private remember(key: string, writtenAt: number): void {
    this.read.delete(key);
    this.read.set(key, writtenAt);
    if (this.read.size > LINKS_READ_KEPT) this.read.delete(this.read.keys().next().value!);
  }

  /**
   * Reads the child of `link`. GUN answers first from its own graph, which may hold an earlier write
   * (a relay sends a subscriber of the parent only the parent's change), then with each chunk of the
   * relay's answer merged: only a whole child as new as the link counts, and the fetch ends once its
   * consumer found one genuine (or when it times out).
   */
  private fetch(link: Link): void {
    const { key, soul, writtenAt } = link;
    const { family, parentSoul } = this.deps;
    const chain = this.deps.chainOf(soul);
    let timer: unknown = null;
    let endsAt = this.deps.monotonic() + FETCH_TIMEOUT_MS;
    const fetch = {
      known: link.known,
      writtenAt,
      end: (next = true): void => {
        if (this.inFlight.get(soul) !== fetch) return;
        this.inFlight.delete(soul);
        this.deps.timers.cancel(timer);
        chain.off();
        if (next) this.pump();
      },
      endSoon: (): void => endSoon(),
    };
    /**
     * Ends the fetch NOT_FOUND_GRACE_MS from now, and puts its link back once, behind every link not
     * read yet: a relay passes a read on to its other clients, and one of them may answer it with
     * nothing, or with junk, before the relay's own answer (which a busy disk can hold back). Only ever
     * sooner: an answer of nothing sent again cannot hold the slot past FETCH_TIMEOUT_MS.
     */
    const endSoon = (): void => {
      if (this.inFlight.get(soul) !== fetch || endsAt - this.deps.monotonic() <= NOT_FOUND_GRACE_MS) return;
      endsAt = this.deps.monotonic() + NOT_FOUND_GRACE_MS;
      this.deps.timers.cancel(timer);
      timer = this.deps.timers.timeout(() => {
        putBack();
        fetch.end();
      }, NOT_FOUND_GRACE_MS);
    };
    /** Puts the link back once, unless a newer write of it waits already. */
    const putBack = (): void => {
      const newer = (this.waiting.get(key)?.writtenAt ?? -Infinity) > writtenAt;
      if (!link.retried && !newer && this.inFlight.get(soul) === fetch) this.waiting.set(key, { ...link, retried: true });
    };
    /** Children handed on whose verdict has not come yet. */
    let judging = 0;
    this.inFlight.set(soul, fetch);
    timer = this.deps.timers.timeout(() => {
      // Timed out while its consumer still judged an answer (a backed-up check queue): read once more.
      if (judging > 0) putBack();
      fetch.end();
    }, FETCH_TIMEOUT_MS);
    /** The children handed on for a verdict, by their fields: GUN hands the same one on again as chunks merge. */
    const handedOn = new Set<string>();
    /** No news: GUN must not keep it over a genuine child that comes later; a few moments more for that one. */
    const noNews = (): void => {
      if (this.inFlight.get(soul) !== fetch) return;
      this.deps.forgetChild(soul);
      endSoon();
    };
    chain.on((data) => {
      // Chunks merge in GUN's graph: the child is read once whole, of one write, and as new as its link.
      if (this.inFlight.get(soul) !== fetch || !isRecord(data)) return;
      const written = oneWriteAt(data, family.fields);
      if (written === null || written < writtenAt - SAME_WRITE_MS) return;
      if (!family.accepts(data, key, parentSoul, this.deps.now())) return;
      // Each check may cost the consumer a signature: answers forged one after another get a few, then
      // the fetch ends soon and is put back, to read first what GUN's graph holds by then.
      if (handedOn.size >= CHECKS_PER_FETCH) return endSoon();
      // A child GUN hands on again (chunks merging) is handed on once. Known by its whole content: a
      // forged copy with the genuine child's states, lengths and signature must not stand for it.
      const child = childKey(data, family.fields);
      if (handedOn.has(child)) return;
      handedOn.add(child);
      // The fetch ends on a child its consumer found genuine, not on the first well-formed one: through
      // a stock relay, which passes each read on to its other clients, a forged answer came first and
      // kept the genuine one out until its writer's next write (attacker read, issue 23).
      judging++;
      this.deps.onChild(key, snapshotChild(data, family.fields)).then(
        (news) => {
          judging--;
          if (news) fetch.end();
          else noNews();
        },
        () => {
          judging--;
          noNews();
        },
      );
    });
  }
}
