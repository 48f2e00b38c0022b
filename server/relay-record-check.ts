/**
 * Meshdeck's relay checks the signature of every node record before GUN stores or forwards it, and
 * keeps the newest signed: a record dated before the newest it verified for that node is refused.
 *
 * Why: the graph screen (graph-screen.ts) checks only what costs nothing, and GUN keeps the last write
 * of a field (the highest state), whoever wrote it. A well-shaped forged copy of a node's record,
 * written after each of its announces, hid the genuine one from every reader that fetched the record
 * later (the attacker read of issue 23); a genuine old record written again did the same. A reader's
 * record table refuses both, but it can refuse only what the relay still holds.
 *
 * The check runs behind the screen and ahead of GUN: a message holding records waits for their
 * checks (a few ms), then goes on without the children that failed (and their links in it), or is
 * answered with an error when nothing is left. Checks are budgeted per connection and in all, so a
 * storm of well-shaped forgeries costs the relay a bounded share of a core; over budget a record is
 * refused, and an honest node writes its announce again when no relay acknowledged it (2 s).
 */
import { isRecord } from '../core/control/protocol';
import { recordFamily } from '../core/discovery/graph-families';
import type { GunMeshLike } from '../core/discovery/gun-input-screen';
import { readRecordFields, verifyRecord } from '../core/discovery/rendezvous-record';
import { IdentityVerifier } from '../core/identity/identity';
import { TokenBucket } from '../core/lib/token-bucket';

/** Record checks one connection may ask for (a node announces once every 15 s; a relay it federates with forwards many). */
export const CHECKS_PER_CONNECTION = { perSecond: 200, burst: 400 };
/** Record checks in all: two ECDSA verifications each, about 0.4 ms of a core. */
export const CHECKS_IN_ALL = { perSecond: 1000, burst: 1000 };
/** Nodes whose newest verified record date the relay remembers; the least recently written go first. */
export const NEWEST_KEPT = 8192;

const RECORDS = recordFamily();

export interface RecordCheckOptions {
  /** A monotonic clock in ms, for the budgets. */
  monotonic(): number;
  /** Records refused (a bad signature, older than the newest verified, over budget), with why. */
  onRefused(count: number, why: string): void;
}

export function checkRecordsBeforeGun(mesh: GunMeshLike, options: RecordCheckOptions): void {
  const verifier = new IdentityVerifier();
  const newest = new Map<string, number>();
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

  /** Why the record child at `soul` is refused, or null when it verified. */
  const check = async (soul: string, child: unknown, peer: unknown): Promise<string | null> => {
    const record = readRecordFields(child);
    const key = soul.slice(soul.lastIndexOf('/') + 1);
    if (!record || record.id !== key) return 'not a record of its key';
    const known = newest.get(key);
    if (known !== undefined && record.ts < known) return 'older than the newest verified';
    if (!withinBudget(peer)) return 'over the budget of checks';
    try {
      await verifyRecord(record, verifier);
    } catch {
      return 'signature';
    }
    const latest = Math.max(record.ts, newest.get(key) ?? -Infinity);
    newest.delete(key);
    newest.set(key, latest);
    if (newest.size > NEWEST_KEPT) newest.delete(newest.keys().next().value!);
    return null;
  };

  const hearOne = mesh.hear.one;
  mesh.hear.one = function checked(msg, peer, started) {
    const put = isRecord(msg) ? msg.put : undefined;
    const souls = isRecord(put) ? Object.keys(put).filter(isRecordSoul) : [];
    if (!isRecord(put) || souls.length === 0) return hearOne.call(this, msg, peer, started);
    void Promise.all(souls.map((soul) => check(soul, put[soul], peer))).then((verdicts) => {
      const refused = souls.filter((_, i) => verdicts[i] !== null);
      if (refused.length) {
        options.onRefused(refused.length, verdicts.find((why) => why !== null)!);
        for (const soul of refused) dropChild(put, soul);
      }
      if (Object.keys(put).length > 0) return hearOne.call(this, msg, peer, started);
      if (typeof msg['#'] === 'string') mesh.say({ '@': msg['#'], err: 'refused: a record whose signature or date does not hold' }, peer);
    });
  };
}

/** A node record's soul: `meshdeck/v1/<room>/nodes/<id>`. */
function isRecordSoul(soul: string): boolean {
  const cut = soul.lastIndexOf('/');
  return cut > 0 && RECORDS.isParent(soul.slice(0, cut));
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
