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
 * answered with an error when nothing is left. Checks are budgeted per connection and in all, so a
 * storm of well-shaped forgeries costs the relay a bounded share of a core; over budget a child is
 * refused, and an honest node writes its announce again when no relay acknowledged it (2 s). Shared
 * lists (signed with a user's key, which no record carries) and children of nodes the relay has not
 * verified a record of (as after its restart, until their next announce) pass on the screen's checks.
 */
import { isRecord } from '../core/control/protocol';
import { BOXES_FAMILY, FILES_FAMILY, recordFamily, SIGNALS_FAMILY, type ChildFamily } from '../core/discovery/graph-families';
import type { GunMeshLike } from '../core/discovery/gun-input-screen';
import { readRecordFields, verifyRecord } from '../core/discovery/rendezvous-record';
import { openFileList } from '../core/files/file-list';
import { IdentityVerifier } from '../core/identity/identity';
import { TokenBucket } from '../core/lib/token-bucket';
import { openBox, screenSignal, signalSignatureHolds } from '../core/signaling/sealed-signal';

/** Checks one connection may ask for (a node writes a few a minute; a relay it federates with forwards many). */
export const CHECKS_PER_CONNECTION = { perSecond: 200, burst: 400 };
/** Checks in all: a record's are two ECDSA verifications, about 0.4 ms of a core; the others one. */
export const CHECKS_IN_ALL = { perSecond: 1000, burst: 1000 };
/** Nodes (and child souls) the relay remembers keys and newest dates of; the least recently written go first. */
export const NEWEST_KEPT = 8192;

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

export interface SignatureCheckOptions {
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
  /** Child soul → the date and the signed fields of the newest child verified there. */
  const newest = new LruMap<{ signedAt: number; fields: string }>();
  const perConnection = new WeakMap<object, TokenBucket>();
  const strangers = new TokenBucket(CHECKS_IN_ALL.perSecond, CHECKS_IN_ALL.burst, options.monotonic());

  /**
   * Each connection has a budget of its own; records of nodes the relay never verified share one more,
   * so a flood of forgeries under fresh IDs, on however many connections, never holds back a known
   * node's writes on its own connection.
   */
  const withinBudget = (peer: unknown, known: boolean): boolean => {
    const now = options.monotonic();
    let bucket: TokenBucket | undefined;
    if (isRecord(peer)) {
      bucket = perConnection.get(peer);
      if (!bucket) perConnection.set(peer, (bucket = new TokenBucket(CHECKS_PER_CONNECTION.perSecond, CHECKS_PER_CONNECTION.burst, now)));
    }
    return (bucket?.take(now) ?? true) && (known || strangers.take(now));
  };

  /** Why the child at `soul` is refused, or null when it may go on. */
  const check = async (soul: string, child: unknown, peer: unknown): Promise<string | null> => {
    const cut = soul.lastIndexOf('/');
    const parentSoul = soul.slice(0, cut);
    const key = soul.slice(cut + 1);
    if (!isRecord(child)) return 'not a child';
    const isRecordChild = RECORDS.isParent(parentSoul);
    const judge = isRecordChild ? null : SIGNED_WITH_NODE_KEY.find(([family]) => family.isParent(parentSoul))?.[1];
    if (!isRecordChild && !judge) return null;
    const writerKey = isRecordChild ? null : writerKeys.get(key);
    // A child of a node the relay has no record of: nothing to check it with.
    if (!isRecordChild && !writerKey) return null;
    const signedAt = child.ts ?? child.at;
    if (typeof signedAt !== 'number') return 'no date';
    const last = newest.get(soul);
    if (last && signedAt < last.signedAt) return 'older than the newest verified';
    // The same child again (an announce written again when no ack came) costs nothing; another child
    // for the same date is not the writer's (a signer dates each write).
    const fields = signedFields(child, isRecordChild ? RECORDS.fields : SIGNED_WITH_NODE_KEY.find(([family]) => family.isParent(parentSoul))![0].fields);
    if (last && signedAt === last.signedAt) return fields === last.fields ? null : 'another child for the same date';
    if (!withinBudget(peer, !isRecordChild || writerKeys.get(key) !== undefined)) return 'over the budget of checks';
    if (isRecordChild) {
      const record = readRecordFields(child);
      if (!record || record.id !== key) return 'not a record of its key';
      try {
        const verified = await verifyRecord(record, verifier);
        if (signedAt >= (newest.get(soul)?.signedAt ?? -Infinity)) writerKeys.set(key, verified.nodeKey);
      } catch {
        return 'signature';
      }
    } else {
      const why = await judge!(child, key, parentSoul, writerKey!, options.now());
      if (why) return why;
    }
    if (signedAt >= (newest.get(soul)?.signedAt ?? -Infinity)) newest.set(soul, { signedAt, fields });
    return null;
  };

  const hearOne = mesh.hear.one;
  mesh.hear.one = function checked(msg, peer, started) {
    const put = isRecord(msg) ? msg.put : undefined;
    const souls = isRecord(put) ? Object.keys(put).filter(isCheckedSoul) : [];
    if (!isRecord(put) || souls.length === 0) return hearOne.call(this, msg, peer, started);
    void Promise.all(souls.map((soul) => check(soul, put[soul], peer)))
      .then((verdicts) => {
        const refused = souls.filter((_, i) => verdicts[i] !== null);
        if (refused.length) {
          options.onRefused(refused.length, verdicts.find((why) => why !== null)!);
          for (const soul of refused) dropChild(put, soul);
        }
        for (const soul of souls) dateBySignature(put, soul, options.now());
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
 * Sets every field state (GUN's date for settling which write wins) of a checked child, and of its
 * link when the message carries it, to its signed date, or now if that is later than now. GUN then
 * keeps the newest signed, whatever states a writer claimed: a genuine older child written again with
 * states dated ahead was held back by GUN and applied over the newer one up to 2 minutes later (the
 * attacker read of issue 23). The link gets the same date, since a reader takes a child only as new
 * as its link (child-reader.ts).
 */
function dateBySignature(put: Record<string, unknown>, soul: string, now: number): void {
  const child = put[soul];
  const signedAt = isRecord(child) ? (child.ts ?? child.at) : undefined;
  if (!isRecord(child) || typeof signedAt !== 'number') return;
  const state = Math.min(signedAt, now);
  const states = (node: unknown) => (isRecord(node) && isRecord(node._) && isRecord(node._['>']) ? node._['>'] : null);
  const childStates = states(child);
  if (childStates) for (const field of Object.keys(childStates)) childStates[field] = state;
  const cut = soul.lastIndexOf('/');
  const linkStates = states(put[soul.slice(0, cut)]);
  const key = soul.slice(cut + 1);
  if (linkStates && key in linkStates) linkStates[key] = state;
}

/** The values of a child's `fields`, in order, as one string to compare. */
function signedFields(child: Record<string, unknown>, fields: readonly string[]): string {
  return JSON.stringify(fields.map((field) => child[field] ?? null));
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
