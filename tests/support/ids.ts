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
