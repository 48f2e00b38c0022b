/**
 * The rules a child reader (child-reader.ts) reads by: how many fetches at once and at what pace, how
 * long each may take, how many links it keeps, which copy of a child counts as one write, and which link
 * goes first. Each limit says what it stood against.
 */
import { isRecord } from '../lib/is-record';

/** Children fetched at once: a relay's queue holds at most this many of ours. */
export const FETCHES_IN_FLIGHT = 8;
/** Of those, the slots known writers' links never take: forged rewrites of them cannot hold every slot. */
export const STRANGER_SLOTS = 2;
/** A child the relay does not send within this long frees its slot (the screen may have refused it). */
export const FETCH_TIMEOUT_MS = 2000;
/**
 * How long a fetch waits on once every relay answered that it holds no such child (gun-not-found.ts):
 * a relay passes on the answers of the relays it federates with under the same read, after its own.
 */
export const NOT_FOUND_GRACE_MS = 500;
/**
 * Fetches of strangers' links (writers the node holds no valid record of) a second, and saved up: links
 * written in the last FRESH_LINK_MS at FRESH_FETCHES, older ones at BACKLOG_FETCHES. An honest node
 * rewrites its link every ANNOUNCE_INTERVAL_MS, so it is read fresh within that long whatever the
 * backlog; the backlog holds what nobody rewrites: a storm that has ended, or a node gone. Each fetch
 * costs the host a relay round trip through GUN, a few ms of its main thread all told (measured through
 * a stock relay). Unpaced, the reader went through a stock relay's 10,000-link storm at close to 100
 * fetches a second and held the host at 3–10 % of a core 40 s after the storm ended; at one pace of 16 a
 * second for all links, the backlog alone kept it above 4 % (CPU profiles, issue 22). A stream of fresh
 * links faster than FRESH_FETCHES, a storm that never ends, can still hold a newcomer back
 * (docs/protocol.md).
 */
export const FRESH_FETCHES = { perSecond: 16, burst: 32 };
export const BACKLOG_FETCHES = { perSecond: 2, burst: 128 };
/** A link written this recently is read on FRESH_FETCHES. */
export const FRESH_LINK_MS = 5000;
/** Links waiting to be read; past this the least recently written are dropped. */
export const LINKS_WAITING = 1024;
/** Links remembered with the write that was read last, so a parent sent again costs nothing. */
export const LINKS_READ_KEPT = 4096;
/** Known writers watched at their own souls at once; more known ones are read through the fetch slots. */
export const WATCHED_WRITERS = 64;
/**
 * Links GUN may hold in the parent it hands over, past which the oldest are pruned from it: GUN merges
 * every message's links into that node, so a cap on one message alone let it grow without end.
 */
export const LINKS_HELD = 2048;
/** Children one fetch hands on for a verdict at most (ChildReaderDeps.onChild). */
export const CHECKS_PER_FETCH = 4;
/**
 * How far apart a child's field states, and its link's, may be and still be one write: one put gives
 * the link and the child's fields the writer's clock of that moment, a few ms apart at most.
 */
export const SAME_WRITE_MS = 1000;

/** A link waiting to be read. */
export interface Link {
  key: string;
  soul: string;
  /** A node the node already knows, not watched (WATCHED_WRITERS reached): read before strangers. */
  known: boolean;
  /** When the link was last written (GUN's state: the writer's clock). */
  writtenAt: number;
  /**
   * Its rank among links, newest first: when it was written, but never later than when it was heard.
   * Links dated ahead (up to DATED_AHEAD_MS, for clock skew) once outranked every link written now.
   */
  rankedAt: number;
  /** Not put back again when its read ends without news: read once already, or read again by reread(). */
  retried?: boolean;
}

/**
 * When a child GUN holds was written, if it is one write: every field of its family there, each
 * written within SAME_WRITE_MS of the newest (one put dates all its fields alike). Otherwise null: GUN
 * merges what it hears field by field, and a relay passes a write on in chunks of 9 fields, so its copy
 * can hold a newer write's first chunk beside an older write's other fields, which no signature covers.
 */
export function oneWriteAt(data: Record<string, unknown>, fields: readonly string[]): number | null {
  const meta = data._;
  const states = isRecord(meta) && isRecord(meta['>']) ? meta['>'] : {};
  let newest = -Infinity;
  let oldest = Infinity;
  for (const field of fields) {
    const state = states[field];
    if (typeof state !== 'number') return null;
    newest = Math.max(newest, state);
    oldest = Math.min(oldest, state);
  }
  return newest - oldest <= SAME_WRITE_MS ? newest : null;
}

/**
 * A copy of a child GUN delivered: its family's fields and their states. GUN hands every listener of a
 * soul the same object and merges later writes into it in place, a field at a time: a consumer that
 * checked a signature and read a field after an await read what a later chunk had put there (a forged
 * file list taken as signed, a box key other than the one verified: attacker read, issue 23).
 */
export function snapshotChild(data: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const meta = isRecord(data._) ? data._ : {};
  const states = isRecord(meta['>']) ? meta['>'] : {};
  const copy: Record<string, unknown> = { _: { '#': meta['#'], '>': Object.fromEntries(fields.filter((f) => f in states).map((f) => [f, states[f]])) } };
  for (const field of fields) if (field in data) copy[field] = data[field];
  return copy;
}

/** A child as one write of it: each field's GUN state and value (the screen bounds their size). */
export function childKey(data: Record<string, unknown>, fields: readonly string[]): string {
  const meta = data._;
  const states = isRecord(meta) && isRecord(meta['>']) ? meta['>'] : {};
  return fields.map((field) => `${String(states[field])}\u0000${String(data[field])}`).join('\u0001');
}

/** Negative when `a` is read before `b`: known nodes first, then the most recently written, links read once already last. */
export function readFirst(a: Link, b: Link): number {
  if (Boolean(a.retried) !== Boolean(b.retried)) return a.retried ? 1 : -1;
  if (a.known !== b.known) return a.known ? -1 : 1;
  // Of two ranked alike, the one not dated ahead.
  return b.rankedAt - a.rankedAt || a.writtenAt - b.writtenAt;
}
