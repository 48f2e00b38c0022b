/**
 * The cryptography of pairing (docs/protocol.md, Pairing). Both browsers derive the same keys from the
 * code's secret and the channel binding of the ready connection between them: both node IDs, both
 * handshake nonces and both DTLS fingerprints. A third node that relays or terminates the connection
 * sees another binding, so keys it derives, even knowing the secret, match neither side.
 *
 * The secret has 40 bits. The joiner proves it first; the offer takes PAIRING_ATTEMPTS proofs, one per
 * connection (pairing-exchange.ts), so nodes that dial the offering browser get 3 guesses between
 * them. A node that poses as the offering browser (a ground look-alike of the 40-bit ID prefix)
 * receives the joiner's proof and could test guesses offline; the key
 * derivation is PBKDF2 with PAIRING_KDF_ITERATIONS rounds to make 2^40 of them cost years, not the
 * code's 5 minutes. This is PAKE-style binding, not a PAKE (CPace, SPAKE2): see docs/pairing.md.
 */
import { fromBase64Url, randomBytes, toBase64Url } from '../lib/encoding';

const PAIRING_KDF_ITERATIONS = 200_000;

type PairingRole = 'join' | 'offer';

interface PairingKeys {
  mac: CryptoKey;
  enc: CryptoKey;
}

interface Sealed {
  iv: string;
  box: string;
}

const encoder = new TextEncoder();

export async function pairingKeys(secret: string, binding: string): Promise<PairingKeys> {
  const password = await crypto.subtle.importKey('raw', encoder.encode(secret), 'PBKDF2', false, ['deriveBits']);
  const salt = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(binding)));
  const bits = new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations: PAIRING_KDF_ITERATIONS }, password, 512));
  const [mac, enc] = await Promise.all([
    crypto.subtle.importKey('raw', bits.slice(0, 32), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']),
    crypto.subtle.importKey('raw', bits.slice(32), 'AES-GCM', false, ['encrypt', 'decrypt']),
  ]);
  return { mac, enc };
}

const proofText = (role: PairingRole) => encoder.encode(`meshdeck/pair/v1/${role}`);

/** Proves knowledge of the secret over this binding, for `role`. */
export async function pairingProof(keys: PairingKeys, role: PairingRole): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.sign('HMAC', keys.mac, proofText(role))));
}

export async function checkPairingProof(keys: PairingKeys, role: PairingRole, proof: string): Promise<boolean> {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(proof);
  } catch {
    return false;
  }
  return crypto.subtle.verify('HMAC', keys.mac, bytes as BufferSource, proofText(role));
}

/** Encrypts `value` (JSON) from `role`'s side: the role is authenticated, so a box cannot be sent back. */
export async function seal(keys: PairingKeys, role: PairingRole, value: unknown): Promise<Sealed> {
  const iv = randomBytes(12);
  const box = await crypto.subtle.encrypt({ name: 'AES-GCM', iv: iv as BufferSource, additionalData: proofText(role) }, keys.enc, encoder.encode(JSON.stringify(value)));
  return { iv: toBase64Url(iv), box: toBase64Url(new Uint8Array(box)) };
}

export class PairingOpenError extends Error {
  override name = 'PairingOpenError';
}

/** Decrypts a box sealed by `role`'s side; throws PairingOpenError if it was altered or is not JSON. */
export async function open(keys: PairingKeys, role: PairingRole, sealed: Sealed): Promise<unknown> {
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fromBase64Url(sealed.iv) as BufferSource, additionalData: proofText(role) },
      keys.enc,
      fromBase64Url(sealed.box) as BufferSource,
    );
    return JSON.parse(new TextDecoder().decode(plain));
  } catch {
    throw new PairingOpenError('the pairing data did not decrypt: altered, or sealed with another key');
  }
}
