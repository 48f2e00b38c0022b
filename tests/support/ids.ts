import { randomBytes } from '../../core/lib/encoding';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** A well-formed, deterministic node (or user) ID for tests that need many. */
export function fakeId(n: number, prefix: 'n' | 'u' = 'n'): string {
  let id = '';
  let x = n * 2654435761 + 12345;
  for (let i = 0; i < 26; i++) {
    id += ALPHABET[x % 32];
    x = Math.floor(x / 32) + (i + 1) * 7919 + n;
  }
  return prefix + id;
}

/** A random, well-formed node ID that derives from no key anyone holds. */
export function madeUpNodeId(): string {
  let id = 'n';
  for (const byte of randomBytes(26)) id += ALPHABET[byte & 31];
  return id;
}
