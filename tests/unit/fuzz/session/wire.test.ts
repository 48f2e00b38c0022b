/**
 * Fuzzing parseWireMessage (core/session/wire.ts), the first thing a remote peer's frame meets: it
 * returns a well-formed message, null for a well-formed unknown type, or throws WireError; nothing
 * else, however hostile the frame.
 */
import { beforeAll, describe, expect } from 'vitest';
import { fc, it } from '@fast-check/vitest';
import { BYE_REASONS, parseWireMessage, WireError, type WireMessage } from '../../../../core/session/wire';
import { isRecord } from '../../../../core/lib/is-record';
import { decode, fuzzTally } from '../../../support/fuzz-tally';
import {
  applyTextEdit, deepSpec, deepText, FRAME_LIMIT, hostileString, hostileValue, hugeSpec, hugeText, idLike, jsonText, jsonToken, mutate, mutation,
  numberToken, objectText, quoted, textEdit, type DeepSpec, type HugeSpec, type Mutation, type TextEdit,
} from '../../../support/fuzz-arbitraries';
import { seedMessages, type SeedMessages } from '../../../support/protocol-vectors';

const tally = fuzzTally(__filename);
const TYPES = ['hello', 'auth', 'ping', 'pong', 'bye', 'route'];
const parse = (frame: unknown) => decode('parseWireMessage', [WireError], () => parseWireMessage(frame));
const utf8Length = (text: string) => new TextEncoder().encode(text).length;
const show = (v: unknown) => (v === undefined ? '(missing)' : jsonText(v));

const isString = (v: unknown) => typeof v === 'string';
const isFinite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

/** What core reads of each message type is there and of its type. */
function expectWellFormed(m: WireMessage): void {
  expect(isRecord(m)).toBe(true);
  expect(TYPES).toContain(m.t);
  const ok = (() => {
    switch (m.t) {
      case 'hello':
        return isFinite(m.v) && isRecord(m.node) && isString(m.node.id) && isString(m.node.pub) && isRecord(m.user) && isString(m.user.id) &&
          isString(m.user.pub) && isRecord(m.cert) && isFinite(m.cert.at) && isString(m.cert.sig) && isString(m.nonce);
      case 'auth':
        return isString(m.sig);
      case 'ping':
      case 'pong':
        return isFinite(m.seq) && isFinite(m.ts);
      case 'bye':
        return BYE_REASONS.includes(m.reason);
      case 'route':
        return isString(m.id) && isString(m.src) && isString(m.dst) && isFinite(m.ttl) && Array.isArray(m.path) && m.path.every(isString) &&
          isRecord(m.body) && isString(m.sig);
    }
  })();
  if (!ok) expect.fail(`malformed ${m.t} accepted: ${jsonText(m).slice(0, 300)}`);
}

/** The property every frame must satisfy. */
function checkFrame(frame: string): void {
  const outcome = parse(frame);
  if ('error' in outcome) return;
  const message = outcome.value;
  if (message === null) {
    // null only for a well-formed message of a type this version does not know.
    const raw: unknown = JSON.parse(frame);
    expect(isRecord(raw) && typeof raw.t === 'string' && !TYPES.includes(raw.t)).toBe(true);
    return;
  }
  expectWellFormed(message);
  expect(utf8Length(frame)).toBeLessThanOrEqual(FRAME_LIMIT);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

const str = quoted(hostileString);
const num = fc.oneof(numberToken, fc.integer({ min: 0, max: 2 ** 40 }).map(String));
const id = quoted(idLike);
const keyPair = objectText({ id, pub: str });

/** Frames shaped like each message type, with fields of the right type most of the time. */
const shapedFrame = fc.oneof(
  objectText({ t: fc.constant('"hello"'), v: fc.oneof(fc.constantFrom('1', '2', '2.0', '-0'), num), node: keyPair, user: keyPair, cert: objectText({ at: num, sig: str }), nonce: str, caps: fc.array(str, { maxLength: 3 }).map((a) => `[${a.join(',')}]`), app: str }),
  objectText({ t: fc.constant('"auth"'), sig: str }),
  objectText({ t: fc.constantFrom('"ping"', '"pong"'), seq: num, ts: num }),
  objectText({ t: fc.constant('"bye"'), reason: fc.oneof(quoted(fc.constantFrom(...BYE_REASONS)), str) }),
  objectText({
    t: fc.constant('"route"'), id: str, src: id, dst: fc.oneof(id, fc.constant('"*"')), ttl: num,
    path: fc.array(id, { maxLength: 9 }).map((a) => `[${a.join(',')}]`), body: fc.oneof(objectText({ k: quoted(fc.constantFrom('ping', 'pong', 'data')), ts: num }), jsonToken), sig: str,
  }),
  objectText({ t: fc.oneof(str, jsonToken) }),
);

/** Frames of nested JSON 1–12,000 deep, alone or as a message's field. */
const deepFrame = fc.tuple(deepSpec, fc.constantFrom('', '{"t":"route","id":"a","src":"n","dst":"*","ttl":1,"path":["n"],"sig":"s","body":', '{"t":"hello","caps":', '{"t":"x","y":'));
const deepFrameText = ([spec, prefix]: [DeepSpec, string]) => (prefix ? `${prefix}${deepText(spec)}}` : deepText(spec));

/** Frames near the 256 KiB limit: a string field padded with one-, two-, three- and four-byte characters. */
const hugeFrame = fc.tuple(hugeSpec, fc.constantFrom('auth', 'unknown', 'route', 'hello'));
function hugeFrameText([spec, t]: [HugeSpec, string]): string {
  const p = JSON.stringify(hugeText(spec));
  if (t === 'auth') return `{"t":"auth","sig":${p}}`;
  if (t === 'unknown') return `{"t":"data","pad":${p}}`;
  if (t === 'route') return `{"t":"route","id":"a","src":"n","dst":"*","ttl":1,"path":["n"],"sig":"s","body":{"pad":${p}}}`;
  return `{"t":"hello","v":2,"node":{"id":"n","pub":"p"},"user":{"id":"u","pub":"p"},"cert":{"at":1,"sig":"s"},"nonce":${p}}`;
}

describe('parseWireMessage under fuzzing', () => {
  let seeds: SeedMessages;
  let valid: Record<string, unknown>[];
  beforeAll(async () => {
    seeds = seedMessages();
    valid = [
      seeds.hello, seeds.route,
      { t: 'auth', sig: 'tIvWN7_sj6-q0bLojmt88L4T97a9jgAnJ2TJ0wNhtGYGbAQAfjSsX9A8cko0fd04875O0uruQvaEttmhTkwGNA' },
      { t: 'ping', seq: 1, ts: 1764547200000 }, { t: 'pong', seq: 1, ts: 1764547200000 },
      ...BYE_REASONS.map((reason) => ({ t: 'bye', reason })),
    ];
  });

  it('accepts every valid seed (positive control)', () => {
    for (const message of valid) expect(parseWireMessage(JSON.stringify(message))).toEqual(message);
  });

  it.prop([fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), jsonToken)], { seed: 0x5eed + 1, numRuns: 15_000 })(
    'random text: a message, null or a WireError',
    tally.property((frame: string) => checkFrame(frame)),
    60_000,
  );

  it.prop([shapedFrame], { seed: 0x5eed + 2, numRuns: 12_000 })(
    'frames shaped like each message type: a well-formed message, null or a WireError',
    tally.property((frame: string) => checkFrame(frame)),
    60_000,
  );

  it.prop([fc.nat(), mutation, fc.option(textEdit, { freq: 3 })], { seed: 0x5eed + 3, numRuns: 8_000 })(
    'valid messages with one field dropped, retyped, flipped or added (and text edits)',
    tally.property((pick: number, m: Mutation, edit: TextEdit | null) => {
      const frame = jsonText(mutate(valid[pick % valid.length]!, m));
      checkFrame(edit ? applyTextEdit(frame, edit) : frame);
    }),
    60_000,
  );

  it.prop([deepFrame], { seed: 0x5eed + 4, numRuns: 300 })(
    'deeply nested frames (up to 12,000 levels)',
    tally.property((spec: [DeepSpec, string]) => checkFrame(deepFrameText(spec))),
    60_000,
  );

  it.prop([hugeFrame], { seed: 0x5eed + 5, numRuns: 200 })(
    'frames near the 256 KiB limit (counted in UTF-8 bytes, not UTF-16 units): a message of at most 256 KiB, or a WireError',
    tally.property((spec: [HugeSpec, string]) => checkFrame(hugeFrameText(spec))),
    60_000,
  );

  it.prop([hostileValue], { seed: 0x5eed + 6, numRuns: 2_000 })(
    'a frame that is not text is a WireError',
    tally.property((frame: unknown) => {
      const outcome = parse(frame);
      if (typeof frame !== 'string') expect('error' in outcome).toBe(true);
    }),
    60_000,
  );

  it.prop([shapedFrame], { seed: 0x5eed + 7, numRuns: 2_000 })(
    'a hello parsed has the caps (a list of text) and app (text) its type declares',
    tally.property((frame: string) => {
      const outcome = parse(frame);
      if (!('value' in outcome) || outcome.value?.t !== 'hello') return;
      const { caps, app } = outcome.value as { caps: unknown; app: unknown };
      if (!Array.isArray(caps) || !caps.every(isString) || !isString(app)) expect.fail(`a hello with caps ${show(caps)} and app ${show(app)} parsed`);
    }),
    60_000,
  );

  it('a frame of exactly 256 KiB of UTF-8 passes, one byte more is refused (positive control)', () => {
    const head = '{"t":"data","pad":"';
    const fits = `${head}${'x'.repeat(FRAME_LIMIT - head.length - 2)}"}`;
    expect(utf8Length(fits)).toBe(FRAME_LIMIT);
    expect(parseWireMessage(fits)).toBeNull();
    expect(() => parseWireMessage(`${head}${'x'.repeat(FRAME_LIMIT - head.length - 1)}"}`)).toThrow(WireError);
  });
});
