/**
 * The room's node records as this node knows them. What the rendezvous delivers is unverified,
 * possibly partial, foreign or forged, and may come as a storm; so:
 * - a delivery first passes the cheap checks (fields, ID shapes, list bounds, not dated ahead), and
 *   only then waits for a signature check;
 * - signature checks are budgeted (VERIFY_RATE a second), a few pending versions per node, at most
 *   PENDING_KEPT nodes waiting: a storm costs a bounded amount of CPU and memory, and a newcomer
 *   waits behind a bounded number of checks;
 * - the table keeps at most RECORDS_KEPT records: stale ones go first, then the oldest;
 * - versions that failed are remembered (bounded) so a re-delivery costs nothing.
 */
import type { Clock } from '../lib/clock';
import { TokenBucket } from '../lib/token-bucket';
import { canonical } from '../lib/encoding';
import type { IdentityVerifier } from '../identity/identity';
import { checkRecordBounds, isStale, pickRecord, readRecordFields, verifyRecord, type NodeRecord, type VerifiedRecord } from './rendezvous-record';

/** Failed record versions remembered; the oldest are forgotten first. */
const INVALID_KEPT = 4096;
/** Records kept per room: far more than a room's dialable nodes, far less than a storm. */
export const RECORDS_KEPT = 2048;
/** Deliveries waiting for a signature check: one per node, the oldest dropped past this. */
export const PENDING_KEPT = 1024;
/** Signature checks a second (each is a few ECDSA verifications), with a burst. */
const VERIFY_RATE = { perSecond: 400, burst: 800 };

/**
 * 'stale': not newer than the record held (a replay, a copy of it, or another version at its date);
 * 'ignored': not a record of another node, or not checked (a newer version came first, the queue was full).
 */
type IngestResult = 'new' | 'updated' | 'ignored' | 'stale' | 'invalid';

export interface RecordTableLimits {
  recordsKept: number;
  pendingKept: number;
  verifyRate: { perSecond: number; burst: number };
}

const LIMITS: RecordTableLimits = { recordsKept: RECORDS_KEPT, pendingKept: PENDING_KEPT, verifyRate: VERIFY_RATE };

interface Pending {
  record: NodeRecord;
  resolve(result: IngestResult): void;
}

/**
 * Versions of one node waiting at once. A forged newer copy must not push the genuine version out of
 * the queue (it would be lost until the next announce, and a forger could repeat that forever): the
 * newest few wait, newest checked first, and a genuine one behind a forged one gets its turn.
 */
const VERSIONS_WAITING_PER_NODE = 4;

export class RecordTable {
  private readonly records = new Map<string, VerifiedRecord>();
  private readonly invalidVersions = new Set<string>();
  /** Versions the rendezvous screened out, counted once each, never a verdict on the version. */
  private readonly screenedVersions = new Set<string>();
  /** Per node, the versions waiting for a check, newest first; insertion order is queue order. */
  private readonly pending = new Map<string, Pending[]>();
  /** Versions being checked now (at most the verify budget's burst): a delivery of one again hears its result. */
  private readonly checking = new Map<string, Pending>();
  private readonly budget: TokenBucket;
  private drainTimer: unknown = null;
  private refused = 0;
  private changes = 0;

  constructor(
    private readonly selfId: string,
    private readonly verifier: IdentityVerifier,
    private readonly clock: Clock,
    private readonly limits: RecordTableLimits = LIMITS,
  ) {
    this.budget = new TokenBucket(limits.verifyRate.perSecond, limits.verifyRate.burst, clock.monotonic());
  }

  get size(): number {
    return this.records.size;
  }

  /** Grows whenever a record is kept, replaced or dropped: what the route graph's cache keys on. */
  get revision(): number {
    return this.changes;
  }

  /** Deliveries refused so far: failed checks here, and those the rendezvous screened out. */
  get invalidCount(): number {
    return this.refused;
  }

  /**
   * Counts a delivery the rendezvous refused before it reached the table, once per version as a
   * refusal here is; what is not a record at all is not counted, as here. Counted only: the screen
   * refuses a child for where and how it was written (under another node's key, beside an extra field),
   * and a genuine record copied there is still genuine where its writer put it. Taken as a verdict, one
   * such copy of a node's fresh record kept every reader from taking it (attacker read, issue 23).
   */
  countScreened(raw: unknown): void {
    const record = readRecordFields(raw);
    if (!record) return;
    const version = versionOf(record);
    if (this.invalidVersions.has(version) || this.screenedVersions.has(version)) return;
    this.refused++;
    this.screenedVersions.add(version);
    if (this.screenedVersions.size > INVALID_KEPT) this.screenedVersions.delete(this.screenedVersions.values().next().value!);
  }

  /** Nodes with a delivery waiting for its signature check. */
  get pendingCount(): number {
    return this.pending.size;
  }

  get(nodeId: string): VerifiedRecord | undefined {
    return this.records.get(nodeId);
  }

  ids(): string[] {
    return [...this.records.keys()];
  }

  all(): VerifiedRecord[] {
    return [...this.records.values()];
  }

  /** IDs of the records fresh at `now`. */
  freshIds(now: number): string[] {
    return this.all().filter((known) => !isStale(known.record, now)).map((known) => known.record.id);
  }

  /** Takes one delivery from the rendezvous; resolves once it is kept, ignored or refused. */
  ingest(raw: unknown): Promise<IngestResult> {
    let record: NodeRecord;
    try {
      record = pickRecord(raw);
    } catch {
      // Partial writes and foreign data in the room: not a node record, nothing to count.
      return Promise.resolve('ignored');
    }
    if (record.id === this.selfId) return Promise.resolve('ignored');
    if (!this.isNewer(record.id, record.ts)) return Promise.resolve('stale');
    const version = versionOf(record);
    // Found forged before: forged again, without a second check or a second count.
    if (this.invalidVersions.has(version)) return Promise.resolve('invalid');
    try {
      checkRecordBounds(record, this.clock.now());
    } catch {
      this.rememberInvalid(version);
      return Promise.resolve('invalid');
    }
    return new Promise((resolve) => {
      const waiting = this.pending.get(record.id) ?? [];
      const same = this.checking.get(version) ?? waiting.find((w) => versionOf(w.record) === version);
      if (same) {
        // Delivered again while its check waits: it hears that check's result.
        const first = same.resolve;
        same.resolve = (result) => {
          first(result);
          resolve(result);
        };
        return;
      }
      const versions = [...waiting, { record, resolve }].sort((a, b) => b.record.ts - a.record.ts);
      for (const dropped of versions.splice(VERSIONS_WAITING_PER_NODE)) dropped.resolve('ignored');
      this.pending.set(record.id, versions);
      if (this.pending.size > this.limits.pendingKept) {
        const [oldest, dropped] = this.pending.entries().next().value!;
        this.pending.delete(oldest);
        for (const d of dropped) d.resolve('ignored');
      }
      this.drain();
    });
  }

  /** Drops the records of a room left, and every check still waiting. */
  clear(): void {
    this.stop();
    this.records.clear();
    this.changes++;
    this.invalidVersions.clear();
    this.screenedVersions.clear();
    this.refused = 0;
  }

  /** Releases the drain timer and answers every waiting delivery. */
  stop(): void {
    if (this.drainTimer !== null) this.clock.clearTimeout(this.drainTimer);
    this.drainTimer = null;
    for (const versions of this.pending.values()) for (const { resolve } of versions) resolve('ignored');
    this.pending.clear();
  }

  private drain(): void {
    while (this.pending.size && this.budget.take(this.clock.monotonic())) {
      const [nodeId, versions] = this.pending.entries().next().value!;
      this.pending.delete(nodeId);
      const [next, ...rest] = versions;
      // The older versions wait at the back of the queue: they count only if this one fails.
      if (rest.length) this.pending.set(nodeId, rest);
      const version = versionOf(next!.record);
      this.checking.set(version, next!);
      const done = (result: IngestResult) => {
        this.checking.delete(version);
        next!.resolve(result);
      };
      this.verify(next!.record).then(
        (result) => {
          done(result);
          if (result === 'new' || result === 'updated') this.dropWaitingOlderThan(nodeId, next!.record.ts);
        },
        () => done('invalid'),
      );
    }
    if (this.pending.size && this.drainTimer === null) {
      this.drainTimer = this.clock.setTimeout(() => {
        this.drainTimer = null;
        this.drain();
      }, Math.ceil(1000 / this.limits.verifyRate.perSecond));
    }
  }

  private async verify(record: NodeRecord): Promise<IngestResult> {
    let verified: VerifiedRecord;
    try {
      verified = await verifyRecord(record, this.verifier);
    } catch {
      this.rememberInvalid(versionOf(record));
      return 'invalid';
    }
    // Another delivery of a newer version may have verified first.
    if (!this.isNewer(record.id, record.ts)) return 'stale';
    const known = this.records.has(record.id);
    this.records.delete(record.id);
    this.records.set(record.id, verified);
    this.changes++;
    if (this.records.size > this.limits.recordsKept) this.evict();
    return known ? 'updated' : 'new';
  }

  /** Makes room: a stale record if there is one, else the one announced longest ago. */
  private evict(): void {
    const now = this.clock.now();
    let victim: VerifiedRecord | null = null;
    for (const known of this.records.values()) {
      if (isStale(known.record, now)) {
        victim = known;
        break;
      }
      if (!victim || known.record.ts < victim.record.ts) victim = known;
    }
    if (victim) this.records.delete(victim.record.id);
    this.changes++;
  }

  private dropWaitingOlderThan(nodeId: string, ts: number): void {
    const versions = this.pending.get(nodeId);
    if (!versions) return;
    const kept = versions.filter((v) => v.record.ts > ts);
    for (const v of versions) if (v.record.ts <= ts) v.resolve('stale');
    if (kept.length) this.pending.set(nodeId, kept);
    else this.pending.delete(nodeId);
  }

  private rememberInvalid(version: string): void {
    this.refused++;
    this.invalidVersions.add(version);
    if (this.invalidVersions.size > INVALID_KEPT) this.invalidVersions.delete(this.invalidVersions.values().next().value!);
  }

  private isNewer(nodeId: string, ts: number): boolean {
    const known = this.records.get(nodeId);
    return !known || known.record.ts < ts;
  }
}

/**
 * A version as a failed check remembers it: the whole signed content is part of it, so a forged copy
 * that arrives first (even one that reuses the genuine signature on changed fields) cannot hide the
 * genuine one. The content goes in as a 53-bit hash to keep the memory small.
 */
const versionOf = (record: NodeRecord): string => `${record.id}@${record.ts}@${record.sig}@${hash53(canonical(record))}`;

/** cyrb53: a fast, well-spread 53-bit string hash (not a cryptographic one). */
function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
