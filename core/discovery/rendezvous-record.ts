/** The signed node record of the rendezvous mesh (docs/protocol.md "Rendezvous mesh"). */
import { canonical } from '../lib/encoding';
import { NODE_ID_PATTERN as NODE_ID, USER_ID_PATTERN as USER_ID, verifyText, type Identity, type IdentityVerifier } from '../identity/identity';
import { isRecord } from '../lib/is-record';

export const ANNOUNCE_INTERVAL_MS = 15_000;
export const RECORD_STALE_MS = 60_000;
/** docs/protocol.md, Rendezvous: a record dated more than this ahead of the reader's clock is invalid. */
export const RECORD_AHEAD_MS = 2 * 60_000;
/** At most this many signaling endpoints and neighbours in a record. */
export const MAX_SIGNAL_URLS = 4;
export const MAX_NEIGHBORS = 64;

export interface NodeRecord {
  id: string;
  pub: string;
  user: string;
  userPub: string;
  cert: string;
  certAt: number;
  /** JSON string: the signaling endpoints (PeerJS server URLs) this node is registered on. */
  signal: string;
  routing: boolean;
  /** JSON string: node IDs of its ready neighbours. */
  neighbors: string;
  ts: number;
  sig: string;
}

export interface RecordContent {
  signal: string[];
  routing: boolean;
  neighbors: string[];
}

export const RECORD_FIELDS = ['id', 'pub', 'user', 'userPub', 'cert', 'certAt', 'signal', 'routing', 'neighbors', 'ts', 'sig'] as const;

export async function signRecord(identity: Identity, content: RecordContent, ts: number): Promise<NodeRecord> {
  const unsigned: Omit<NodeRecord, 'sig'> = {
    id: identity.nodeId,
    pub: identity.nodePub,
    user: identity.userId,
    userPub: identity.userPub,
    cert: identity.cert.sig,
    certAt: identity.cert.at,
    signal: JSON.stringify(content.signal),
    routing: content.routing,
    neighbors: JSON.stringify(content.neighbors),
    ts,
  };
  return { ...unsigned, sig: await identity.sign(canonical(unsigned)) };
}

export class RecordError extends Error {
  override name = 'RecordError';
}

/**
 * The record's own fields out of what the store returned (GUN adds metadata such as `_`), or null if
 * a field is missing or of the wrong type. Returns rather than throws: a storm is mostly such deliveries.
 */
export function readRecordFields(raw: unknown): NodeRecord | null {
  if (!isRecord(raw)) return null;
  const picked: Record<string, unknown> = {};
  for (const field of RECORD_FIELDS) picked[field] = raw[field];
  const r = picked as unknown as NodeRecord;
  const strings = [r.id, r.pub, r.user, r.userPub, r.cert, r.signal, r.neighbors, r.sig];
  if (!strings.every((s) => typeof s === 'string') || typeof r.routing !== 'boolean' || !Number.isFinite(r.certAt) || !Number.isFinite(r.ts)) {
    return null;
  }
  return r;
}

/** readRecordFields that throws RecordError. */
export function pickRecord(raw: unknown): NodeRecord {
  if (!isRecord(raw)) throw new RecordError('record is not an object');
  const record = readRecordFields(raw);
  if (!record) throw new RecordError('record fields missing or of the wrong type');
  return record;
}

/**
 * What is wrong with a record at no cryptographic cost, or null: its shape (ID shapes, list bounds)
 * and a date not ahead of `now` by more than RECORD_AHEAD_MS. A storm of junk fails here, cheaply,
 * before any signature is checked.
 */
export function recordBoundsProblem(r: NodeRecord, now: number): string | null {
  return recordShapeProblem(r) ?? (r.ts > now + RECORD_AHEAD_MS ? 'record dated more than 2 minutes ahead' : null);
}

/** recordBoundsProblem that throws RecordError. */
export function checkRecordBounds(r: NodeRecord, now: number): void {
  const problem = recordBoundsProblem(r, now);
  if (problem) throw new RecordError(problem);
}

/** ID shapes and the bounds on a record's lists (docs/protocol.md, Rendezvous). */
function recordShapeProblem(r: NodeRecord): string | null {
  if (!NODE_ID.test(r.id) || !USER_ID.test(r.user)) return 'record IDs are not node and user IDs';
  const signal = readList(r.signal, MAX_SIGNAL_URLS, 'signal');
  if (typeof signal === 'string') return signal;
  if (!signal.every((url) => /^https?:\/\//.test(url))) return 'record signal holds something other than http(s) URLs';
  const neighbors = readList(r.neighbors, MAX_NEIGHBORS, 'neighbors');
  if (typeof neighbors === 'string') return neighbors;
  if (!neighbors.every((id) => NODE_ID.test(id))) return 'record neighbors holds something other than node IDs';
  return null;
}

export interface VerifiedRecord {
  record: NodeRecord;
  userId: string;
  nodeKey: CryptoKey;
  signal: string[];
  neighbors: string[];
}

/** Checks IDs, certificate and the record signature. Throws RecordError/IdentityError on failure. */
export async function verifyRecord(record: NodeRecord, verifier: IdentityVerifier): Promise<VerifiedRecord> {
  const problem = recordShapeProblem(record);
  if (problem) throw new RecordError(problem);
  const peer = await verifier.verify({
    nodeId: record.id,
    nodePub: record.pub,
    userId: record.user,
    userPub: record.userPub,
    certAt: record.certAt,
    certSig: record.cert,
  });
  const { sig, ...unsigned } = record;
  if (!(await verifyText(peer.nodeKey, canonical(unsigned), sig))) throw new RecordError('record signature does not verify');
  return {
    record,
    userId: peer.userId,
    nodeKey: peer.nodeKey,
    signal: parseList(record.signal, MAX_SIGNAL_URLS, 'signal'),
    neighbors: parseList(record.neighbors, MAX_NEIGHBORS, 'neighbors'),
  };
}

/** A record's list field: a JSON array of at most `max` strings; otherwise what is wrong with it. */
function readList(json: string, max: number, field: string): string[] | string {
  // A list of `max` long entries is short; anything much longer is not worth parsing.
  if (json.length > max * 512) return `record ${field} is too long`;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return `record ${field} is not JSON`;
  }
  if (!Array.isArray(value) || value.length > max || !value.every((v) => typeof v === 'string')) {
    return `record ${field} is not a list of at most ${max} strings`;
  }
  return value as string[];
}

/** readList for a record whose shape already passed. */
function parseList(json: string, max: number, field: string): string[] {
  const list = readList(json, max, field);
  if (typeof list === 'string') throw new RecordError(list);
  return list;
}

export const isStale = (record: NodeRecord, now: number): boolean => now - record.ts > RECORD_STALE_MS;
