/**
 * The room's node records as this node knows them: each record picked from what the rendezvous
 * delivered, verified (IDs, certificate, signature), and kept if newer than the one held. Versions
 * that failed are remembered so a re-delivery costs nothing.
 */
import type { IdentityVerifier } from '../identity/identity';
import { isStale, pickRecord, verifyRecord, type VerifiedRecord } from './rendezvous-record';

/** Failed record versions remembered; past this the memory starts afresh rather than grow. */
const INVALID_MEMORY = 4096;

export type IngestResult = 'new' | 'updated' | 'ignored' | 'invalid';

export class RecordTable {
  private readonly records = new Map<string, VerifiedRecord>();
  private readonly invalidVersions = new Set<string>();

  constructor(
    private readonly selfId: string,
    private readonly verifier: IdentityVerifier,
  ) {}

  get size(): number {
    return this.records.size;
  }

  get invalidCount(): number {
    return this.invalidVersions.size;
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

  /** Takes one delivery from the rendezvous: unverified, possibly partial, foreign or forged. */
  async ingest(raw: unknown): Promise<IngestResult> {
    let record;
    try {
      record = pickRecord(raw);
    } catch {
      // Partial writes and foreign data in the room: not a node record, nothing to count.
      return 'ignored';
    }
    if (record.id === this.selfId || !this.isNewer(record.id, record.ts)) return 'ignored';
    // The signature is part of the version: a forged copy that arrives first must not hide the genuine one.
    const version = `${record.id}@${record.ts}@${record.sig}`;
    if (this.invalidVersions.has(version)) return 'ignored';
    let verified: VerifiedRecord;
    try {
      verified = await verifyRecord(record, this.verifier);
    } catch {
      if (this.invalidVersions.size >= INVALID_MEMORY) this.invalidVersions.clear();
      this.invalidVersions.add(version);
      return 'invalid';
    }
    // Another delivery of a newer version may have verified first.
    if (!this.isNewer(record.id, record.ts)) return 'ignored';
    const known = this.records.has(record.id);
    this.records.set(record.id, verified);
    return known ? 'updated' : 'new';
  }

  private isNewer(nodeId: string, ts: number): boolean {
    const known = this.records.get(nodeId);
    return !known || known.record.ts < ts;
  }
}
