import { describe, expect, it } from 'vitest';
import { canonical, fromBase64Url, toBase32, toBase64Url } from '../../../../core/lib/encoding';

describe('encoding', () => {
  it('round-trips base64url without padding, matching Node', () => {
    for (const length of [0, 1, 2, 3, 4, 5, 64, 65]) {
      const bytes = crypto.getRandomValues(new Uint8Array(length));
      const text = toBase64Url(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64url'));
      expect(fromBase64Url(text)).toEqual(bytes);
    }
  });

  it('refuses malformed base64url', () => {
    expect(() => fromBase64Url('ab+c')).toThrow(/malformed/);
    expect(() => fromBase64Url('a')).toThrow(/malformed/);
  });

  it('encodes RFC 4648 base32 test vectors in lower case', () => {
    const vectors: [string, string][] = [['', ''], ['f', 'my'], ['fo', 'mzxq'], ['foo', 'mzxw6'], ['foobar', 'mzxw6ytboi']];
    for (const [input, output] of vectors) expect(toBase32(new TextEncoder().encode(input))).toBe(output);
  });

  it('writes canonical JSON with sorted keys at every depth and no white space', () => {
    expect(canonical({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  });
});
