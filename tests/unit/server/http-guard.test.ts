/**
 * parseTarget (server/http-guard.ts) reads every request target a local client sends, before any
 * handler: it must never throw, and what it returns must be a path a handler can use as it is. The
 * servers under attack are in tests/integration/http-guard.test.ts.
 */
import { describe, expect } from 'vitest';
import { fc, it } from '@fast-check/vitest';
import { parseTarget } from '../../../server/http-guard';

describe('parseTarget', () => {
  it('reads an origin-form target: the path decoded, the query as sent', () => {
    expect(parseTarget('/')).toEqual({ path: '/', query: '' });
    expect(parseTarget('/peerjs/peerjs?key=peerjs&id=n1&token=t%20x')).toEqual({ path: '/peerjs/peerjs', query: 'key=peerjs&id=n1&token=t%20x' });
    expect(parseTarget('/chunks/a%20b.js')).toEqual({ path: '/chunks/a b.js', query: '' });
  });

  it('resolves dot segments after decoding, so an encoded one cannot climb either', () => {
    expect(parseTarget('/chunks/../manifest.json')?.path).toBe('/manifest.json');
    expect(parseTarget('/chunks/..%2fmanifest.json')?.path).toBe('/manifest.json');
    expect(parseTarget('/chunks/%2e%2e/%2E%2E/outside.txt')?.path).toBe('/outside.txt');
    expect(parseTarget('/..')?.path).toBe('/');
  });

  it('refuses what is not origin-form: absolute, asterisk, authority-like, with a fragment, or missing', () => {
    for (const raw of ['http://[', 'http://127.0.0.1:9000/view', '*', '//[', '//evil.example/view', '/\\[', '/a\\b', '/view#x', 'view', '', undefined]) {
      expect(parseTarget(raw), String(raw)).toBeNull();
    }
  });

  it('refuses a path whose percent-encoding does not decode, or decodes to NUL', () => {
    for (const raw of ['/chunks/%E0%A4%A', '/%', '/%zz', '/%C0%AF', '/a%00b']) expect(parseTarget(raw), raw).toBeNull();
  });

  it.prop([fc.string({ unit: 'binary' }).map((s) => `/${s}`)])('never throws, and a path it returns is absolute with no dot segment or NUL', (raw) => {
    const target = parseTarget(raw);
    if (target === null) return;
    expect(target.path.startsWith('/')).toBe(true);
    expect(target.path.split('/')).not.toContain('..');
    expect(target.path).not.toContain('\0');
  });
});
