/**
 * Meshdeck's relay checks signatures before GUN stores or forwards a write, and keeps the newest
 * signed: node records always (they carry their own keys), and box keys, file lists and signals of
 * every node whose record it verified (they are signed with the key that record carries). A child
 * dated before the newest the relay verified at its soul is refused too.
 *
 * Why: the graph screen (graph-screen.ts) checks only what costs nothing, and GUN keeps the last write
 * of a field (the highest state), whoever wrote it. A well-shaped forged copy of a node's record, box
 * key or signal, written after each write of the node's own, hid the genuine one from every reader
 * that fetched it later (the attacker read of issue 23); a genuine older copy written again did the
 * same. A reader refuses both, but it can refuse only what the relay still holds.
 *
 * The check runs behind the screen and ahead of GUN: a message holding such children waits for their
 * checks (a few ms), then goes on without the children that failed (and their links in it), or is
 * answered with an error when nothing is left. Checks are budgeted per connection and in all, so
 * forgeries cost the relay a bounded share of a core. Over budget, or for a child of a node whose
 * record it does not hold (as after its restart, until the node's next announce, or once a crowd of
 * Sybils pushed it out of what the relay remembers), a child passes on the screen's checks alone, as
 * through a stock relay: the check never makes the relay refuse an honest write that a stock relay
 * would pass, so flooding it can only bring it down to a stock relay (the attacker reads of issue 23).
 * Readers check every signature again. Shared lists (signed with a user's key, which no record
 * carries) are not checked.
 */
import { createHash } from 'node:crypto';
import { isRecord } from '../core/lib/is-record';
import { BOXES_FAMILY, FILES_FAMILY, recordFamily, SIGNALS_FAMILY, type ChildFamily } from '../core/discovery/graph-families';
import type { GunMeshLike } from '../core/discovery/gun-input-screen';
import { readRecordFields, verifyRecord } from '../core/discovery/rendezvous-record';
import { openFileList } from '../core/files/file-list';
import { IdentityVerifier } from '../core/identity/identity';
import { TokenBucket } from '../core/lib/token-bucket';
import { openBox, screenSignal, signalSignatureHolds } from '../core/signaling/sealed-signal';

/** Checks one connection may ask for (a node writes a few a minute; a relay it federates with forwards many). */
export const CHECKS_PER_CONNECTION = { perSecond: 200, burst: 400 };
/** Checks in all, whatever the connection: a record's are two ECDSA verifications, about 0.4 ms of a core; the others one. */
const CHECKS_IN_ALL = { perSecond: 1000, burst: 1000 };
/** Nodes (and child souls) the relay remembers keys and newest dates of; the least recently written go first. */
const NEWEST_KEPT = 8192;

const RECORDS = recordFamily();

/** How a child of each checked family is judged, given its writer's node key; why not, or null. */
type Judge = (child: Record<string, unknown>, key: string, parentSoul: string, writerKey: CryptoKey, now: number) => Promise<string | null>;
const SIGNED_WITH_NODE_KEY: [ChildFamily, Judge][] = [
  [BOXES_FAMILY, (child, key, _p, writerKey, now) => openBox(child, key, writerKey, now).then(() => null, (error: unknown) => (error instanceof Error ? error.message : 'not a box key'))],
  [FILES_FAMILY, async (child, key, _p, writerKey, now) => ((await openFileList(child, key, writerKey, now)) === 'its signature does not verify' ? 'signature' : null)],
  [
    SIGNALS_FAMILY,
    async (child, key, parentSoul, writerKey, now) => {
      const signal = screenSignal(child, parentSoul.slice(parentSoul.lastIndexOf('/') + 1), key, now);
      if (typeof signal === 'string') return signal;
      return (await signalSignatureHolds(signal, writerKey)) ? null : 'signature';
    },
  ],
];

interface SignatureCheckOptions {
  /** A monotonic clock in ms, for the budgets. */
  monotonic(): number;
  /** Wall-clock time in ms, for the dates children carry. */
  now(): number;
  /** Children refused (a bad signature, older than the newest verified, over budget), with why. */
  onRefused(count: number, why: string): void;
}

export function checkSignaturesBeforeGun(mesh: GunMeshLike, options: SignatureCheckOptions): void {
  const verifier = new IdentityVerifier();
  /** Node ID → the node key of its newest verified record. */
  const writerKeys = new LruMap<CryptoKey>();
  /** Child soul → the date and a hash of the signed fields of the newest child verified there. */
  const newest = new LruMap<{ signedAt: number; fields: string }>();
  const perConnection = new WeakMap<object, TokenBucket>();
  const inAll = new TokenBucket(CHECKS_IN_ALL.perSecond, CHECKS_IN_ALL.burst, options.monotonic());

  const withinBudget = (peer: unknown): boolean => {
    const now = options.monotonic();
    let bucket: TokenBucket | undefined;
    if (isRecord(peer)) {
      bucket = perConnection.get(peer);
      if (!bucket) perConnection.set(peer, (bucket = new TokenBucket(CHECKS_PER_CONNECTION.perSecond, CHECKS_PER_CONNECTION.burst, now)));
    }
    return (bucket?.take(now) ?? true) && inAll.take(now);
  };

  /**
   * The verdict on the child at `soul`: refused (and why), verified (its signed date), or passed
   * unchecked (null: nothing to check it with, or over budget).
   */
  const check = async (soul: string, child: unknown, peer: unknown): Promise<{ refused: string } | { verified: number } | null> => {
    const cut = soul.lastIndexOf('/');
    const parentSoul = soul.slice(0, cut);
    const key = soul.slice(cut + 1);
    if (!isRecord(child)) return { refused: 'not a child' };
    const isRecordChild = RECORDS.isParent(parentSoul);
    const family = isRecordChild ? null : SIGNED_WITH_NODE_KEY.find(([f]) => f.isParent(parentSoul));
    if (!isRecordChild && !family) return null;
    const writerKey = isRecordChild ? null : writerKeys.get(key);
    if (!isRecordChild && !writerKey) return null;
    const signedAt = child.ts;
    if (typeof signedAt !== 'number') return { refused: 'no date' };
    const last = newest.get(soul);
    if (last && signedAt < last.signedAt) return { refused: 'older than the newest verified' };
    // The same child again (an announce written again when no ack came) costs nothing; another child
    // for the same date is not the writer's (a signer dates each write).
    const fields = fieldsHash(child, isRecordChild ? RECORDS.fields : family![0].fields);
    if (last && signedAt === last.signedAt) return fields === last.fields ? { verified: signedAt } : { refused: 'another child for the same date' };
    if (!withinBudget(peer)) return null;
    if (isRecordChild) {
      const record = readRecordFields(child);
      if (!record || record.id !== key) return { refused: 'not a record of its key' };
      try {
        const verified = await verifyRecord(record, verifier);
        if (signedAt >= (newest.get(soul)?.signedAt ?? -Infinity)) writerKeys.set(key, verified.nodeKey);
      } catch {
        return { refused: 'signature' };
      }
    } else {
      const why = await family![1](child, key, parentSoul, writerKey!, options.now());
      if (why) return { refused: why };
    }
    if (signedAt >= (newest.get(soul)?.signedAt ?? -Infinity)) newest.set(soul, { signedAt, fields });
    return { verified: signedAt };
  };

  const hearOne = mesh.hear.one;
  mesh.hear.one = function checked(msg, peer, started) {
    const put = isRecord(msg) ? msg.put : undefined;
    if (!isRecord(put)) return hearOne.call(this, msg, peer, started);
    const souls = Object.keys(put).filter(isCheckedSoul);
    if (souls.length === 0) {
      dateLoneLinks(put, newest, options.now());
      return hearOne.call(this, msg, peer, started);
    }
    void Promise.all(souls.map((soul) => check(soul, put[soul], peer)))
      .then((verdicts) => {
        const refused = souls.filter((_, i) => verdicts[i] !== null && 'refused' in verdicts[i]!);
        if (refused.length) {
          const first = verdicts.find((verdict) => verdict !== null && 'refused' in verdict) as { refused: string };
          options.onRefused(refused.length, first.refused);
          for (const soul of refused) dropChild(put, soul);
        }
        souls.forEach((soul, i) => {
          const verdict = verdicts[i];
          if (verdict && 'verified' in verdict) dateBySignature(put, soul, verdict.verified, options.now());
        });
        dateLoneLinks(put, newest, options.now());
        if (Object.keys(put).length > 0) return hearOne.call(this, msg, peer, started);
        // An answer emptied is an answer of nothing (as the screen passes one on); a write refused whole
        // is answered with an error, so that its writer learns at once.
        if (typeof msg['@'] === 'string') {
          delete msg.put;
          return hearOne.call(this, msg, peer, started);
        }
        if (typeof msg['#'] === 'string') mesh.say({ '@': msg['#'], err: 'refused: a signature or date that does not hold' }, peer);
      })
      .catch((error: unknown) => options.onRefused(souls.length, `check failed: ${error instanceof Error ? error.message : String(error)}`));
  };
}

/**
 * Sets every field state (GUN's date for settling which write wins) of a verified child, and of its
 * link when the message carries it, to its signed date, or now if that is later than now. GUN then
 * keeps the newest signed, whatever states a writer claimed: a genuine older child written again with
 * states dated ahead was held back by GUN and applied over the newer one up to 2 minutes later (the
 * attacker read of issue 23). The link gets the same date, since a reader takes a child only as new
 * as its link (child-reader.ts). A child passed unchecked keeps the states its writer gave it.
 */
function dateBySignature(put: Record<string, unknown>, soul: string, signedAt: number, now: number): void {
  const state = Math.min(signedAt, now);
  const childStates = statesOf(put[soul]);
  if (childStates) for (const field of Object.keys(childStates)) childStates[field] = state;
  const cut = soul.lastIndexOf('/');
  const linkStates = statesOf(put[soul.slice(0, cut)]);
  const key = soul.slice(cut + 1);
  if (linkStates && key in linkStates) linkStates[key] = state;
}

/**
 * A link written without its child, under a parent whose children the relay checks, gets the date of
 * the newest child verified behind it: a stranger's link dated after the child made every later
 * reader refuse the child as older than its link, and hold that link as read.
 */
function dateLoneLinks(put: Record<string, unknown>, newest: LruMap<{ signedAt: number }>, now: number): void {
  for (const parentSoul of Object.keys(put)) {
    if (!RECORDS.isParent(parentSoul) && !SIGNED_WITH_NODE_KEY.some(([family]) => family.isParent(parentSoul))) continue;
    const states = statesOf(put[parentSoul]);
    if (!states) continue;
    for (const key of Object.keys(states)) {
      const childSoul = `${parentSoul}/${key}`;
      const verified = put[childSoul] === undefined ? newest.get(childSoul) : undefined;
      if (verified) states[key] = Math.min(verified.signedAt, now);
    }
  }
}

function statesOf(node: unknown): Record<string, unknown> | null {
  return isRecord(node) && isRecord(node._) && isRecord(node._['>']) ? node._['>'] : null;
}

/** A hash of the values of a child's `fields`, in order: what the relay remembers of the newest at a soul. */
function fieldsHash(child: Record<string, unknown>, fields: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(fields.map((field) => child[field] ?? null))).digest('base64url');
}

/** A child soul of a family whose signatures the relay checks. */
function isCheckedSoul(soul: string): boolean {
  const cut = soul.lastIndexOf('/');
  if (cut <= 0) return false;
  const parent = soul.slice(0, cut);
  return RECORDS.isParent(parent) || SIGNED_WITH_NODE_KEY.some(([family]) => family.isParent(parent));
}

/** Removes the child at `soul` from the message's graph, and its link from its parent there. */
function dropChild(put: Record<string, unknown>, soul: string): void {
  delete put[soul];
  const cut = soul.lastIndexOf('/');
  const parent = put[soul.slice(0, cut)];
  if (!isRecord(parent)) return;
  const key = soul.slice(cut + 1);
  delete parent[key];
  const states = isRecord(parent._) && isRecord(parent._['>']) ? parent._['>'] : null;
  if (states) delete states[key];
  if (Object.keys(parent).every((field) => field === '_')) delete put[soul.slice(0, cut)];
}

/** A Map of at most NEWEST_KEPT entries; the least recently set go first. */
class LruMap<V> {
  private readonly entries = new Map<string, V>();
  get(key: string): V | undefined {
    return this.entries.get(key);
  }
  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > NEWEST_KEPT) this.entries.delete(this.entries.keys().next().value!);
  }
}
