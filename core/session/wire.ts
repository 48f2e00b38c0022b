/** Data-connection messages of docs/protocol.md, and their parsing at the boundary. */
import { isRecord } from '../lib/is-record';
import { utf8Length } from '../lib/encoding';

export const WIRE_VERSION = 2;
/** A message over 256 KiB closes the connection with bye `limit`. */
export const MAX_MESSAGE_BYTES = 256 * 1024;

/** A hello's `caps` list and `app` text are bounded too: they are kept and shown. */
const MAX_CAPS = 32;
const MAX_APP_LENGTH = 128;

/** How deeply a message's values may nest (a route body is the application's; 32 levels are plenty). */
const MAX_NESTING = 32;

export type ByeReason = 'user-disconnect' | 'blocked' | 'shutdown' | 'paused' | 'limit';
export const BYE_REASONS: readonly ByeReason[] = ['user-disconnect', 'blocked', 'shutdown', 'paused', 'limit'];

export interface Hello {
  t: 'hello';
  v: number;
  node: { id: string; pub: string };
  user: { id: string; pub: string };
  cert: { at: number; sig: string };
  nonce: string;
  caps: string[];
  app: string;
}
export interface Auth {
  t: 'auth';
  sig: string;
}
export interface Ping {
  t: 'ping';
  seq: number;
  ts: number;
}
export interface Pong {
  t: 'pong';
  seq: number;
  ts: number;
}
export interface Bye {
  t: 'bye';
  reason: ByeReason;
}
export interface RoutedMessage {
  t: 'route';
  id: string;
  src: string;
  dst: string;
  ttl: number;
  path: string[];
  body: Record<string, unknown>;
  sig: string;
}

/** Pairing (docs/protocol.md, Pairing): `join` from the joiner, then `offer` or `refused` from the offerer. */
export type PairStep = 'join' | 'offer' | 'refused';
const PAIR_STEPS: readonly PairStep[] = ['join', 'offer', 'refused'];
export interface Pair {
  t: 'pair';
  step: PairStep;
  /** join, offer: HMAC proof of the code's secret over the connection's binding. */
  proof?: string;
  /** join, offer: AES-GCM nonce and box of the sealed payload. */
  iv?: string;
  box?: string;
}

export type WireMessage = Hello | Auth | Ping | Pong | Bye | RoutedMessage | Pair;

export class WireError extends Error {
  override name = 'WireError';
}

/**
 * What `auth` signs (docs/protocol.md §2): the verifier's nonce, both node IDs, and both DTLS
 * fingerprints as the signer sees them (its local description's, then its remote one's). A party in
 * the middle terminates DTLS on each side with its own certificate, so the two ends see different
 * fingerprint pairs and neither end's signature verifies at the other.
 */
export const authText = (verifierNonce: string, signerId: string, verifierId: string, signerLocalFingerprint: string, signerRemoteFingerprint: string): string =>
  `meshdeck/auth/v2\n${verifierNonce}\n${signerId}\n${verifierId}\n${signerLocalFingerprint}\n${signerRemoteFingerprint}`;

/** Whether `value` nests objects or arrays more than `limit` levels deep (iterative: no stack to overflow). */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth >= limit) return true;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return false;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Parses one received frame. Returns null for a well-formed message of a type this version does
 * not know (ignored after the handshake, fatal before it); throws WireError for a malformed one.
 */
export function parseWireMessage(frame: unknown): WireMessage | null {
  if (typeof frame !== 'string') throw new WireError('frame is not text');
  if (frame.length > MAX_MESSAGE_BYTES || utf8Length(frame) > MAX_MESSAGE_BYTES) throw new WireError('message over 256 KiB');
  let m: unknown;
  try {
    m = JSON.parse(frame);
  } catch {
    throw new WireError('frame is not JSON');
  }
  if (!isRecord(m) || !isString(m.t)) throw new WireError('message has no type');
  // Signing and checking a message walks it recursively (canonical JSON): bound how deep it may be.
  if (nestedDeeperThan(m, MAX_NESTING)) throw new WireError(`message nested deeper than ${MAX_NESTING} levels`);
  switch (m.t) {
    case 'hello': {
      const { node, user, cert } = m;
      if (
        !isNumber(m.v) || !isRecord(node) || !isString(node.id) || !isString(node.pub) ||
        !isRecord(user) || !isString(user.id) || !isString(user.pub) ||
        !isRecord(cert) || !isNumber(cert.at) || !isString(cert.sig) || !isString(m.nonce) ||
        !Array.isArray(m.caps) || m.caps.length > MAX_CAPS || !m.caps.every(isString) || !isString(m.app) || m.app.length > MAX_APP_LENGTH
      ) {
        throw new WireError('malformed hello');
      }
      return m as unknown as Hello;
    }
    case 'auth':
      if (!isString(m.sig)) throw new WireError('malformed auth');
      return m as unknown as Auth;
    case 'ping':
    case 'pong':
      if (!isNumber(m.seq) || !isNumber(m.ts)) throw new WireError(`malformed ${m.t}`);
      return m as unknown as Ping | Pong;
    case 'bye':
      if (!BYE_REASONS.includes(m.reason as ByeReason)) throw new WireError('malformed bye');
      return m as unknown as Bye;
    case 'route':
      if (
        !isString(m.id) || !isString(m.src) || !isString(m.dst) || !isNumber(m.ttl) ||
        !Array.isArray(m.path) || !m.path.every(isString) || !isRecord(m.body) || !isString(m.sig)
      ) {
        throw new WireError('malformed route');
      }
      return m as unknown as RoutedMessage;
    case 'pair':
      if (!PAIR_STEPS.includes(m.step as PairStep) || !(['proof', 'iv', 'box'] as const).every((k) => m[k] === undefined || isString(m[k]))) {
        throw new WireError('malformed pair');
      }
      return m as unknown as Pair;
    default:
      return null;
  }
}
