/**
 * What the GUN fallback signaling (gun-signaling.ts) writes on the public relays, sealed so that a
 * relay reads nothing and can forge nothing (docs/protocol.md "Fallback signaling through GUN"):
 * - a node's **box key**, an ECDH P-256 public key made for this run of the node and signed by its node
 *   key, so that a dialler can encrypt to it;
 * - **signals** (an offer or an answer with its complete SDP), encrypted to the receiver (ECDH with a
 *   fresh key of the sender's, HKDF-SHA-256, AES-256-GCM) and signed by the sender's node key.
 */
import { canonical, fromBase64Url, randomBytes, toBase64Url, utf8 } from '../lib/encoding';
import { NODE_ID_PATTERN, verifyText, type Identity } from '../identity/identity';
import { isRecord } from '../lib/is-record';
import { BOX_FRESH_MS, DATED_AHEAD_MS, MAX_SIGNAL_CHARS, SIGNAL_FRESH_MS } from '../discovery/graph-families';

const ECDH: EcKeyImportParams = { name: 'ECDH', namedCurve: 'P-256' };
const BOX_CONTEXT = 'meshdeck/box/v1';
const SIGNAL_CONTEXT = 'meshdeck/signal/v1';
// Bounds shared with the screen in front of GUN, which checks the same fields before anything is kept.
export { BOX_FRESH_MS, MAX_SIGNAL_CHARS, SIGNAL_FRESH_MS } from '../discovery/graph-families';
export const SIGNAL_AHEAD_MS = DATED_AHEAD_MS;

interface BoxRecord {
  id: string;
  /** base64url of the raw ECDH public key (65 bytes). */
  box: string;
  ts: number;
  sig: string;
}

export interface SealedSignal {
  from: string;
  to: string;
  ts: number;
  /** The sender's one-use ECDH public key (raw, base64url). */
  epk: string;
  iv: string;
  ct: string;
  sig: string;
}

export type SignalKind = 'offer' | 'answer';

/** What a signal carries once opened. */
export interface SignalBody {
  k: SignalKind;
  /** Ties an answer to its offer: 16 random bytes, base64url. */
  sid: string;
  sdp: string;
}

export class SignalError extends Error {
  override name = 'SignalError';
}

export const newBoxKeys = (): Promise<CryptoKeyPair> => crypto.subtle.generateKey(ECDH, false, ['deriveBits']) as Promise<CryptoKeyPair>;

const boxText = (id: string, box: string, ts: number): string => `${BOX_CONTEXT}\n${id}\n${box}\n${ts}`;

export async function signBox(identity: Identity, keys: CryptoKeyPair, ts: number): Promise<BoxRecord> {
  const box = toBase64Url(new Uint8Array(await crypto.subtle.exportKey('raw', keys.publicKey)));
  return { id: identity.nodeId, box, ts, sig: await identity.sign(boxText(identity.nodeId, box, ts)) };
}

/**
 * The box key of `nodeId` out of what the relay returned, checked against the node key its record
 * carries, with its date. Refused, before any signature check: one dated ahead, one older than
 * BOX_FRESH_MS, and one older than `newestTs`, the date of the newest box key of that node taken
 * before (a relay replaying an earlier run's key). The caller remembers `ts` of each one it takes.
 */
export async function openBox(raw: unknown, nodeId: string, nodeKey: CryptoKey, now: number, newestTs?: number): Promise<{ key: CryptoKey; ts: number }> {
  if (!isRecord(raw) || raw.id !== nodeId || typeof raw.box !== 'string' || typeof raw.sig !== 'string' || !Number.isFinite(raw.ts)) {
    throw new SignalError('no box key of that node on the relays');
  }
  // Read once, before the await: the key imported is the key verified, whatever happens to `raw` meanwhile.
  const { box, sig } = raw;
  const ts = raw.ts as number;
  if (ts > now + SIGNAL_AHEAD_MS) throw new SignalError('box key dated ahead');
  if (now - ts > BOX_FRESH_MS) throw new SignalError(`box key stale (written ${Math.round((now - ts) / 1000)} s ago: not by a run of its node that is still on)`);
  if (newestTs !== undefined && ts < newestTs) throw new SignalError('box key older than one of that node taken before (replayed)');
  if (!(await verifyText(nodeKey, boxText(nodeId, box, ts), sig))) throw new SignalError('box key signature does not verify');
  return { key: await importBox(box), ts };
}

/** A box key (or an offer's one-use key) as sent: raw P-256, base64url. */
export function importBox(box: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', fromBase64Url(box) as BufferSource, ECDH, false, []).catch(() => {
    throw new SignalError('box key is not a P-256 point');
  });
}

const signedText = (s: Omit<SealedSignal, 'sig'>): string => `${SIGNAL_CONTEXT}\n${canonical(s)}`;
const associated = (from: string, to: string, ts: number): Uint8Array => utf8(`${from}\n${to}\n${ts}`);

async function sealingKey(privateKey: CryptoKey, publicKey: CryptoKey, from: string, to: string): Promise<CryptoKey> {
  const shared = await crypto.subtle.deriveBits({ name: 'ECDH', public: publicKey }, privateKey, 256);
  const material = await crypto.subtle.importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(32), info: utf8(`${SIGNAL_CONTEXT}\n${from}\n${to}`) as BufferSource },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/**
 * Seals `body` from `identity` to the node `to`, whose box key (or, for an answer, the offer's `epk`)
 * is `toBox`. Returns the one-use private key too: an offer's answer comes back sealed to its epk.
 */
export async function sealSignal(identity: Identity, to: string, toBox: CryptoKey, body: SignalBody, ts: number): Promise<{ signal: SealedSignal; replyKey: CryptoKey }> {
  const from = identity.nodeId;
  const oneUse = await newBoxKeys();
  const key = await sealingKey(oneUse.privateKey, toBox, from, to);
  const iv = randomBytes(12);
  const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv: iv as BufferSource, additionalData: associated(from, to, ts) as BufferSource }, key, utf8(canonical(body)) as BufferSource);
  const unsigned = {
    from,
    to,
    ts,
    epk: toBase64Url(new Uint8Array(await crypto.subtle.exportKey('raw', oneUse.publicKey))),
    iv: toBase64Url(iv),
    ct: toBase64Url(new Uint8Array(ct)),
  };
  return { signal: { ...unsigned, sig: await identity.sign(signedText(unsigned)) }, replyKey: oneUse.privateKey };
}

/**
 * The sealed signal's fields, or why it is not worth any cryptography: shape, size, addressing and
 * date. `slotKey` is the key GUN filed it under, which must be its sender.
 */
export function screenSignal(raw: unknown, ownId: string, slotKey: string, now: number): SealedSignal | string {
  if (!isRecord(raw)) return 'not an object';
  const { from, to, ts, epk, iv, ct, sig } = raw;
  if (![from, to, epk, iv, ct, sig].every((v) => typeof v === 'string') || !Number.isSafeInteger(ts)) return 'fields missing or of the wrong type';
  const s = { from, to, ts, epk, iv, ct, sig } as SealedSignal;
  if (s.ct.length + s.epk.length + s.iv.length + s.sig.length > MAX_SIGNAL_CHARS) return 'too large';
  if (s.to !== ownId || s.from !== slotKey || !NODE_ID_PATTERN.test(s.from)) return 'not addressed to this node by its sender';
  if (s.ts > now + SIGNAL_AHEAD_MS) return 'dated ahead';
  if (now - s.ts > SIGNAL_FRESH_MS) return 'stale';
  return s;
}

/** Whether the sender's signature over `s` holds under its node key (a relay checks this alone: it cannot open the signal). */
export function signalSignatureHolds(s: SealedSignal, senderKey: CryptoKey): Promise<boolean> {
  const { sig, ...unsigned } = s;
  return verifyText(senderKey, signedText(unsigned), sig);
}

/** Verifies the sender's signature with its node key, then decrypts with `ownKey` (box or reply key). */
export async function openSignal(s: SealedSignal, senderKey: CryptoKey, ownKey: CryptoKey): Promise<SignalBody> {
  if (!(await signalSignatureHolds(s, senderKey))) throw new SignalError('signature does not verify');
  let plain: ArrayBuffer;
  try {
    const key = await sealingKey(ownKey, await importBox(s.epk), s.from, s.to);
    plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64Url(s.iv) as BufferSource, additionalData: associated(s.from, s.to, s.ts) as BufferSource }, key, fromBase64Url(s.ct) as BufferSource);
  } catch {
    throw new SignalError('does not decrypt with this node key');
  }
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(plain));
  } catch {
    throw new SignalError('body is not JSON');
  }
  if (!isRecord(body) || (body.k !== 'offer' && body.k !== 'answer') || typeof body.sid !== 'string' || typeof body.sdp !== 'string') {
    throw new SignalError('body is not an offer or an answer');
  }
  return { k: body.k, sid: body.sid, sdp: body.sdp };
}
