/**
 * Every kind of GUN soul a node reads, and what may be written there (docs/protocol.md, "What the
 * relays hold"). GUN data is public and mutable, so each is screened before GUN holds any of it, by a
 * relay and by a node alike (graph-screen.ts), and read a few children at a time (child-reader.ts):
 *
 * | family  | parent soul                          | child key  | child fields                        |
 * | records | `meshdeck/v1/<room>/nodes`           | its ID     | the node record (rendezvous-record) |
 * | files   | `meshdeck/v1/<room>/files`           | lister     | `id list ts sig`                    |
 * | boxes   | `meshdeck/v1/<room>/boxes`           | its owner  | `id box ts sig`                     |
 * | signals | `meshdeck/v1/<room>/signals/<to>`    | sender     | `from to ts epk iv ct sig`          |
 * | shared  | `meshdeck/v1/shared/<channel>`       | writer     | `from at iv box sig`                |
 *
 * Why here: each family once took any number of junk children, each a fetch and a place in GUN's graph
 * (the record storm through another door, issue 23). The checks are those that cost no cryptography:
 * fields, types, sizes, the key matching the writer, dates; signatures stay with each family's reader.
 */
import { NODE_ID_PATTERN } from '../identity/identity';
import { isRecord } from '../lib/is-record';
import { readRecordFields, RECORD_AHEAD_MS, RECORD_FIELDS, RECORD_STALE_MS, recordBoundsProblem, type NodeRecord } from './rendezvous-record';

/** Anything dated (or a link written) further ahead than this is refused: clock skew allowed. */
export const DATED_AHEAD_MS = RECORD_AHEAD_MS;
/** A complete SDP with its candidates is 1–4 KB; anything much larger is not a signal of ours. */
export const MAX_SIGNAL_CHARS = 24 * 1024;
/** A signal older than this is stale (an old offer left on a relay). */
export const SIGNAL_FRESH_MS = 60_000;
/**
 * A box key older than this is stale. A running node writes its box key again with every announce, as
 * it does its record, so an honest node's box key is never older than its record may be to count as
 * fresh; an older one is from a run that ended, and an offer sealed to it would go to a key nobody holds.
 */
export const BOX_FRESH_MS = RECORD_STALE_MS;
/** Files a node lists at once, and a listed name's longest. */
export const MAX_LISTED = 16;
export const MAX_NAME_CHARS = 200;
/** A file list's text at most: MAX_LISTED entries of the longest name, with their infohash and size. */
export const MAX_FILE_LIST_CHARS = MAX_LISTED * (MAX_NAME_CHARS + 80);
/** A file list is written every minute; one older than this is no longer shown. */
export const FILE_LIST_FRESH_MS = 3 * 60_000;
/**
 * A paired browser's sealed block list, at most (base64url of the ciphertext): 5,000 entries, the most
 * an import takes, with notes. A larger list is not shared (pairing-control.ts).
 */
export const MAX_SHARED_LIST_CHARS = 1024 * 1024;
/** A signature (base64url of 64 bytes is 86), an IV, a raw P-256 key (87): generous bounds. */
const MAX_SIG_CHARS = 256;
const MAX_KEY_CHARS = 256;

export type FamilyName = 'records' | 'files' | 'boxes' | 'signals' | 'shared';

export interface ChildFamily {
  readonly name: FamilyName;
  /** Whether `soul` is a parent of this family. */
  isParent(soul: string): boolean;
  /** The only fields a child has (a chunk of a relay's answer holds some of them). */
  readonly fields: readonly string[];
  /** A chunk's field holds at most this many characters. */
  readonly fieldChars: number;
  /** A link last written longer ago than this points at nothing a reader takes (Infinity: never stale). */
  readonly freshMs: number;
  /** Whether `child`, filed under `key` of `parentSoul`, is whole and well-formed at `now`. */
  accepts(child: Record<string, unknown>, key: string, parentSoul: string, now: number): boolean;
}

const ROOM = '[^/]+';
const NODE_ID = '[A-Za-z0-9_-]+';
/** Channels are 26 base32 characters (shared-list.ts), which no room's own keys (nodes, files…) are. */
const CHANNEL = '[a-z2-7]{26}';

const str = (value: unknown, max: number): value is string => typeof value === 'string' && value.length <= max;
const dated = (ts: unknown, now: number, freshMs: number): boolean =>
  Number.isSafeInteger(ts) && (ts as number) - now <= DATED_AHEAD_MS && now - (ts as number) <= freshMs;
/** Whether `child` holds only `fields` (and GUN's metadata). */
const onlyFields = (child: Record<string, unknown>, fields: readonly string[]): boolean => Object.keys(child).every((key) => key === '_' || fields.includes(key));

function family(name: FamilyName, parent: RegExp, fields: readonly string[], fieldChars: number, freshMs: number, accepts: ChildFamily['accepts']): ChildFamily {
  return { name, isParent: (soul) => parent.test(soul), fields, fieldChars, freshMs, accepts: (child, key, parentSoul, now) => NODE_ID_PATTERN.test(key) && accepts(child, key, parentSoul, now) };
}

/**
 * The node records' family. `alsoRequire`: a further check a relay in Node can afford (that the IDs
 * derive from the keys; a browser has no synchronous hash).
 */
export function recordFamily(alsoRequire: (record: NodeRecord) => boolean = () => true): ChildFamily {
  // A record's longest field is its neighbour list: 64 IDs, ~1.8 KB.
  return family('records', new RegExp(`^meshdeck/v1/${ROOM}/nodes$`), RECORD_FIELDS, 4096, RECORD_STALE_MS, (child, key, _parent, now) => {
    // Only its own fields: an extra one, written once beside a genuine record, stayed on the relay for
    // good (honest writes rewrite only these) and made every chunk holding it fail a reader's screen.
    const record = readRecordFields(child);
    return (
      record !== null &&
      onlyFields(child, RECORD_FIELDS) &&
      [record.pub, record.userPub, record.cert, record.sig].every((value) => value.length <= MAX_KEY_CHARS) &&
      record.id === key &&
      recordBoundsProblem(record, now) === null &&
      alsoRequire(record)
    );
  });
}

export const FILES_FAMILY = family('files', new RegExp(`^meshdeck/v1/${ROOM}/files$`), ['id', 'list', 'ts', 'sig'], MAX_FILE_LIST_CHARS, FILE_LIST_FRESH_MS, (c, key, _p, now) =>
  onlyFields(c, FILES_FAMILY.fields) && c.id === key && str(c.list, MAX_FILE_LIST_CHARS) && str(c.sig, MAX_SIG_CHARS) && dated(c.ts, now, FILE_LIST_FRESH_MS),
);

export const BOXES_FAMILY = family('boxes', new RegExp(`^meshdeck/v1/${ROOM}/boxes$`), ['id', 'box', 'ts', 'sig'], MAX_KEY_CHARS, BOX_FRESH_MS, (c, key, _p, now) =>
  onlyFields(c, BOXES_FAMILY.fields) && c.id === key && str(c.box, MAX_KEY_CHARS) && str(c.sig, MAX_SIG_CHARS) && dated(c.ts, now, BOX_FRESH_MS),
);

const SIGNALS_PARENT = new RegExp(`^meshdeck/v1/${ROOM}/signals/(${NODE_ID})$`);
export const SIGNALS_FAMILY = family('signals', SIGNALS_PARENT, ['from', 'to', 'ts', 'epk', 'iv', 'ct', 'sig'], MAX_SIGNAL_CHARS, SIGNAL_FRESH_MS, (c, key, parentSoul, now) => {
  if (!onlyFields(c, SIGNALS_FAMILY.fields) || ![c.from, c.to, c.epk, c.iv, c.ct, c.sig].every((v) => typeof v === 'string')) return false;
  const chars = (c.ct as string).length + (c.epk as string).length + (c.iv as string).length + (c.sig as string).length;
  return chars <= MAX_SIGNAL_CHARS && c.from === key && c.to === SIGNALS_PARENT.exec(parentSoul)?.[1] && dated(c.ts, now, SIGNAL_FRESH_MS);
});

const SHARED_FAMILY = family('shared', new RegExp(`^meshdeck/v1/shared/${CHANNEL}$`), ['from', 'at', 'iv', 'box', 'sig'], MAX_SHARED_LIST_CHARS, Infinity, (c, key, _p, now) =>
  // Not stale with age: a paired browser offline for a month still holds the list it last wrote.
  onlyFields(c, SHARED_FAMILY.fields) && c.from === key && str(c.iv, MAX_KEY_CHARS) && str(c.box, MAX_SHARED_LIST_CHARS) && str(c.sig, MAX_SIG_CHARS) && dated(c.at, now, Infinity),
);

/** Every family, records with `alsoRequire` (see recordFamily). */
export function allFamilies(alsoRequire?: (record: NodeRecord) => boolean): readonly ChildFamily[] {
  return [recordFamily(alsoRequire), FILES_FAMILY, BOXES_FAMILY, SIGNALS_FAMILY, SHARED_FAMILY];
}

/**
 * Whether `raw` could be part of a child of `family`, and only part: some of its fields, not all, each a
 * string, number or boolean of bounded size. A child with every field is whole, and judged whole.
 */
export function isChunkOf(family: ChildFamily, raw: unknown): boolean {
  if (!isRecord(raw) || family.fields.every((field) => field in raw)) return false;
  return Object.keys(raw).every((key) => {
    if (key === '_') return true;
    const value = raw[key];
    if (!family.fields.includes(key)) return false;
    return typeof value === 'number' || typeof value === 'boolean' || (typeof value === 'string' && value.length <= family.fieldChars);
  });
}
