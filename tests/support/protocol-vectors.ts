/**
 * Valid messages to start fuzzing from: the protocol vectors of the team's independent implementation
 * (tests/fixtures/protocol-vectors.json: made from the protocol text alone, copied into the repo so
 * that a clone tests the same bytes as CI does), and helpers that sign the same shapes afresh.
 */
import fs from 'node:fs';
import path from 'node:path';
import { canonical } from '../../core/lib/encoding';
import type { NodeRecord } from '../../core/discovery/rendezvous-record';
import type { Identity } from '../../core/identity/identity';

export interface SeedMessages {
  hello: Record<string, unknown>;
  route: Record<string, unknown>;
  record: NodeRecord;
}

/** The vectors file, in the repo. */
const VECTORS_FILE = path.resolve(__dirname, '..', 'fixtures', 'protocol-vectors.json');

/** The vectors file's content. */
export function readVectors(): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(VECTORS_FILE, 'utf8')) as Record<string, unknown>;
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

export function seedMessages(): SeedMessages {
  const vectors = readVectors() as { hello: Record<string, unknown>; route: { message: Record<string, unknown> }; record: { record: NodeRecord } };
  return { hello: vectors.hello, route: vectors.route.message, record: vectors.record.record };
}
