/** The signed node record of the rendezvous mesh (docs/protocol.md "Rendezvous mesh"). */
import { canonical } from '../lib/encoding';
import { verifyText, type Identity, type IdentityVerifier } from '../identity/identity';
import { isRecord } from '../control/protocol';

export const ANNOUNCE_INTERVAL_MS = 15_000;
export const RECORD_STALE_MS = 60_000;

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

const FIELDS = ['id', 'pub', 'user', 'userPub', 'cert', 'certAt', 'signal', 'routing', 'neighbors', 'ts', 'sig'] as const;

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

/** Picks the record's own fields out of what the store returned (GUN adds metadata such as `_`). */
export function pickRecord(raw: unknown): NodeRecord {
  if (!isRecord(raw)) throw new RecordError('record is not an object');
  const picked: Record<string, unknown> = {};
  for (const field of FIELDS) picked[field] = raw[field];
  const r = picked as unknown as NodeRecord;
  const strings = [r.id, r.pub, r.user, r.userPub, r.cert, r.signal, r.neighbors, r.sig];
  if (!strings.every((s) => typeof s === 'string') || typeof r.routing !== 'boolean' || !Number.isFinite(r.certAt) || !Number.isFinite(r.ts)) {
    throw new RecordError('record fields missing or of the wrong type');
  }
  return r;
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
  return { record, userId: peer.userId, nodeKey: peer.nodeKey, signal: parseIdList(record.signal), neighbors: parseIdList(record.neighbors) };
}

function parseIdList(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    throw new RecordError('record list field is not JSON');
  }
}

export const isStale = (record: NodeRecord, now: number): boolean => now - record.ts > RECORD_STALE_MS;
