import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES, parseWireMessage } from '../../../../core/session/wire';

const hello = {
  t: 'hello',
  v: 2,
  node: { id: 'n' + 'a'.repeat(26), pub: 'AAAA' },
  user: { id: 'u' + 'a'.repeat(26), pub: 'BBBB' },
  cert: { at: 1, sig: 'CCCC' },
  nonce: 'DDDD',
  caps: [],
  app: 'test/1',
};

describe('parseWireMessage', () => {
  it('passes each well-formed message and returns null for an unknown type', () => {
    expect(parseWireMessage(JSON.stringify(hello))).toMatchObject({ t: 'hello' });
    expect(parseWireMessage('{"t":"auth","sig":"x"}')).toMatchObject({ t: 'auth' });
    expect(parseWireMessage('{"t":"ping","seq":1,"ts":2}')).toMatchObject({ t: 'ping' });
    expect(parseWireMessage('{"t":"bye","reason":"shutdown"}')).toMatchObject({ t: 'bye' });
    expect(parseWireMessage('{"t":"route","id":"i","src":"s","dst":"*","ttl":3,"path":["s"],"body":{},"sig":"x"}')).toMatchObject({ t: 'route' });
    expect(parseWireMessage('{"t":"future-thing"}')).toBeNull();
  });

  it.each([
    ['a binary frame', new Uint8Array([1, 2])],
    ['text that is not JSON', '{nope'],
    ['JSON without a type', '{"x":1}'],
    ['an array', '[1]'],
    ['a hello without keys', JSON.stringify({ ...hello, node: { id: 'n' } })],
    ['a hello with a string version', JSON.stringify({ ...hello, v: '1' })],
    ['an auth without a signature', '{"t":"auth"}'],
    ['a ping without seq', '{"t":"ping","ts":2}'],
    ['a bye with an unknown reason', '{"t":"bye","reason":"because"}'],
    ['a route with a non-string hop', '{"t":"route","id":"i","src":"s","dst":"*","ttl":3,"path":[1],"body":{},"sig":"x"}'],
    ['a frame over 256 KiB', JSON.stringify({ t: 'ping', seq: 1, ts: 1, pad: 'x'.repeat(MAX_MESSAGE_BYTES) })],
  ])('refuses %s with a WireError', (_what, frame) => {
    expect(() => parseWireMessage(frame)).toThrow(expect.objectContaining({ name: 'WireError' }));
  });
});
