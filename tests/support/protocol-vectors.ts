/**
 * Valid messages to start fuzzing from: the independent implementation's vectors of the shared
 * protocol (`shared/protocol-vectors.json`), or, where that file is absent, the same shapes made and
 * signed here with a fresh identity.
 *
 * CI clones the repo and puts a copy of shared/ beside the clone, so the file is looked for at
 * `<repo>/../shared/`, from the working directory (vitest runs from the repo root) and from here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { canonical } from '../../core/lib/encoding';
import { signRecord, type NodeRecord } from '../../core/discovery/rendezvous-record';
import type { Identity } from '../../core/identity/identity';
import { makeIdentity } from './identities';

export interface SeedMessages {
  /** Where the seeds came from: the vectors file, or an identity made for this run. */
  source: 'vectors' | 'generated';
  hello: Record<string, unknown>;
  route: Record<string, unknown>;
  record: NodeRecord;
}

/** Where the vectors may be: beside the repo as vitest's working directory sees it, or as this module does. */
export const VECTORS_FILES = [
  path.resolve(process.cwd(), '..', 'shared', 'protocol-vectors.json'),
  path.resolve(__dirname, '..', '..', '..', 'shared', 'protocol-vectors.json'),
];

/** The vectors file's content, or null where it is absent or unreadable. */
export function readVectors(files = VECTORS_FILES): Record<string, unknown> | null {
  for (const file of files) {
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch {
      // Absent here: try the next place.
    }
  }
  return null;
}

/** A signed route message of docs/protocol.md §6 from `identity` to `dst`. */
export async function signedRoute(identity: Identity, dst: string, body: Record<string, unknown>, id = 'tGUnZlPMOi_wWtgv'): Promise<Record<string, unknown>> {
  const sig = await identity.sign(canonical({ id, src: identity.nodeId, dst, body }));
  return { t: 'route', id, src: identity.nodeId, dst, ttl: 8, path: [identity.nodeId], body, sig };
}

/** A hello as `identity` would send it (any version: the seeds are mutated anyway). */
export function helloOf(identity: Identity, v = 2): Record<string, unknown> {
  return {
    t: 'hello', v,
    node: { id: identity.nodeId, pub: identity.nodePub },
    user: { id: identity.userId, pub: identity.userPub },
    cert: { at: identity.cert.at, sig: identity.cert.sig },
    nonce: 'SyYupbJfYTtXLNfMNapxlA', caps: ['route'], app: 'meshdeck/0.1.0',
  };
}

export async function seedMessages(): Promise<SeedMessages> {
  const vectors = readVectors() as { hello?: Record<string, unknown>; route?: { message?: Record<string, unknown> }; record?: { record?: NodeRecord } } | null;
  if (vectors?.hello && vectors.route?.message && vectors.record?.record) {
    return { source: 'vectors', hello: vectors.hello, route: vectors.route.message, record: vectors.record.record };
  }
  const [{ identity }, { identity: other }] = await Promise.all([makeIdentity(), makeIdentity()]);
  return {
    source: 'generated',
    hello: helloOf(identity),
    route: await signedRoute(identity, other.nodeId, { k: 'ping', ts: 1764547200000 }),
    record: await signRecord(identity, { signal: ['http://127.0.0.1:9000/peerjs'], routing: true, neighbors: [other.nodeId] }, 1764547200000),
  };
}
