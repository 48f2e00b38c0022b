/**
 * A pairing code (docs/protocol.md, Pairing): 16 characters of the node ID alphabet, shown in four
 * groups of four. The first 8 are the offering node's ID after its `n` (40 bits: enough to find it
 * among the room's records, too many to grind a look-alike key within the code's life); the last 8 a
 * secret of 40 bits, which never leaves the offering browser's screen but by the user's hands.
 */
import { randomBytes, toBase32 } from '../lib/encoding';

/** A code is good for one pairing and PAIRING_ATTEMPTS attempts (pairing-exchange.ts) within this long. */
export const PAIRING_TTL_MS = 5 * 60_000;
const PREFIX_LENGTH = 8;
const SECRET_LENGTH = 8;
const CODE_PATTERN = /^[a-z2-7]{16}$/;

export interface PairingCode {
  /** The offering node's ID without its leading `n`, first 8 characters. */
  nodePrefix: string;
  secret: string;
}

export class PairingCodeError extends Error {
  override name = 'PairingCodeError';
}

export function newPairingCode(offeringNodeId: string): PairingCode {
  // 5 random bytes are exactly 8 base32 characters.
  return { nodePrefix: offeringNodeId.slice(1, 1 + PREFIX_LENGTH), secret: toBase32(randomBytes(5)).slice(0, SECRET_LENGTH) };
}

/** `abcd-efgh-ijkl-mnop`. */
export function formatPairingCode(code: PairingCode): string {
  return (code.nodePrefix + code.secret).match(/.{4}/g)!.join('-');
}

/** Reads a code as a person types it: any case, with or without dashes and spaces. */
export function parsePairingCode(text: string): PairingCode {
  const compact = text.replace(/[\s-]/g, '').toLowerCase();
  if (compact.length !== PREFIX_LENGTH + SECRET_LENGTH) {
    throw new PairingCodeError(`a pairing code has 16 letters and digits (4 groups of 4); this one has ${compact.length}`);
  }
  if (!CODE_PATTERN.test(compact)) throw new PairingCodeError('a pairing code has only the letters a–z and the digits 2–7');
  return { nodePrefix: compact.slice(0, PREFIX_LENGTH), secret: compact.slice(PREFIX_LENGTH) };
}

/** Whether `nodeId` is the node a code points at. */
export const isOfferingNode = (code: PairingCode, nodeId: string): boolean => nodeId.startsWith(`n${code.nodePrefix}`);
