/**
 * Hostile inputs for the fuzz suite (tests/unit/fuzz): the values and JSON texts a peer, a relay, a
 * file or a corrupted storage item can hand a decoder. Alongside plain random data they aim at the
 * usual holes: deep nesting (recursion limits), frames near and over the 256 KiB limit, prototype
 * keys, numbers JSON.parse makes of `1e999` or `-0`, lone surrogates, objects whose `toString` is not
 * a function, and one-field mutations of valid messages.
 */
import { fc } from '@fast-check/vitest';

/** Keys that change what an object is when a decoder merges or indexes carelessly. */
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'toJSON', 'then', 'length'] as const;

const LONE_SURROGATES = ['\uD800', '\uDBFF', '\uDC00', '\uDFFF', 'a\uD83D', '\uDE00b', '\uD83D\uD83D', '\uDFFF\uD800'] as const;

/** The frame limit of docs/protocol.md, in UTF-8 bytes. */
export const FRAME_LIMIT = 256 * 1024;

const specialNumber = fc.constantFrom(
  NaN, Infinity, -Infinity, -0, 0, 1, -1, 0.5, -0.5, 1e308, -1e308, 5e-324, Number.MAX_VALUE, Number.MIN_SAFE_INTEGER,
  2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 8, 9, 64, 65, 4097, 1e21,
);

/** Numbers as they can arrive: any double (NaN and the infinities included), integers, the edge cases. */
const hostileNumber = fc.oneof(specialNumber, fc.integer(), fc.double());

/** Number literals as they can appear in JSON text, including those JSON.parse turns into ±Infinity or -0. */
export const numberToken = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.constantFrom('-0', '0.0', '-0.0', '1e308', '1e309', '1e999', '-1e999', '1e-400', '5e-324', '1E2', '9007199254740993', '123456789012345678901234567890', '0.1e1', '8', '9', '1', '0'),
);

const loneSurrogate = fc.constantFrom(...LONE_SURROGATES);
const char = fc.oneof({ weight: 8, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) }, { weight: 1, arbitrary: loneSurrogate });

/** One UTF-8 unit of each width (and a lone surrogate, which TextEncoder writes as 3 bytes). */
const PAD_UNITS = ['x', 'é', '€', '😀', '\uD800'] as const;

/** A string of about `bytes` UTF-8 bytes made of one unit. */
function padTo(bytes: number, unit: string): string {
  const width = new TextEncoder().encode(unit).length;
  return unit.repeat(Math.max(0, Math.round(bytes / width)));
}

export interface HugeSpec {
  unit: string;
  /** Bytes (or UTF-16 units) from the limit. */
  delta: number;
  byUnits: boolean;
}

/**
 * Strings near the 256 KiB frame limit, counted in UTF-8 bytes or in UTF-16 units, from either side.
 * Generated as a spec (`hugeText` makes the string) so that a counterexample prints in one line.
 */
export const hugeSpec: fc.Arbitrary<HugeSpec> = fc.record({ unit: fc.constantFrom(...PAD_UNITS), delta: fc.integer({ min: -256, max: 256 }), byUnits: fc.boolean() });

export function hugeText({ unit, delta, byUnits }: HugeSpec, limit = FRAME_LIMIT): string {
  return byUnits ? unit.repeat(Math.max(0, Math.round((limit + delta) / unit.length))) : padTo(limit + delta, unit);
}

/** Long strings, short enough to print in a counterexample. */
const longString = fc.tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }), fc.integer({ min: 100, max: 1000 })).map(([s, n]) => s.repeat(n));

/** Well-formed node and user IDs (`^[nu][a-z2-7]{26}$`) and near misses. */
export const idLike = fc.oneof(
  fc.tuple(fc.constantFrom('n', 'u'), fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz234567'), minLength: 26, maxLength: 26 })).map(([p, s]) => p + s),
  fc.tuple(fc.constantFrom('n', 'u', 'N', 'x', ''), fc.string({ unit: fc.constantFrom(...'abcz2701890AZ '), minLength: 24, maxLength: 28 })).map(([p, s]) => p + s),
);

export const hostileString = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: char, maxLength: 40 }) },
  { weight: 2, arbitrary: fc.constantFrom(...PROTO_KEYS, ...LONE_SURROGATES, '', ' ', '\u0000', '\u2028\u2029', '*', 'null', 'NaN', '-0', '1e999', '{}', '[]', 'http://127.0.0.1:9000/peerjs', 'javascript:alert(1)', 'stun:x', 'meshdeck/0.1.0') },
  { weight: 2, arbitrary: idLike },
  { weight: 1, arbitrary: fc.base64String({ maxLength: 100 }).map((s) => s.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')) },
);

/** `depth` arrays inside each other, built without recursion. */
function deepArray(depth: number, leaf: unknown = []): unknown {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** `depth` objects inside each other under `key` (an own property, even for `__proto__`). */
function deepObject(depth: number, key = 'a', leaf: unknown = {}): unknown {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i++) {
    const outer: Record<string, unknown> = {};
    Object.defineProperty(outer, key, { value, enumerable: true, writable: true, configurable: true });
    value = outer;
  }
  return value;
}

const depth = fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1_000, max: 12_000 }), fc.constant(10_000));

/** Names a generated value in a counterexample instead of printing all of it (a symbol key: decoders never see it). */
function labelled<T extends object>(value: T, label: string): T {
  Object.defineProperty(value, fc.toStringMethod, { value: () => label, enumerable: false });
  return value;
}

/** Deeply nested arrays and objects (up to 12,000 levels). */
const deepValue = fc
  .record({ depth, array: fc.boolean(), key: fc.constantFrom('a', '__proto__', 'constructor', 'k') })
  .map(({ depth: d, array, key }) => labelled((array ? deepArray(d) : deepObject(d, key)) as object, array ? `deepArray(${d})` : `deepObject(${d}, ${JSON.stringify(key)})`));

export interface DeepSpec {
  depth: number;
  kind: 'array' | 'object' | 'mixed';
  key: string;
}

/** JSON text of nesting 1–12,000 deep (10,000 levels is 20 KB: far under the frame limit), as a spec for `deepText`. */
export const deepSpec: fc.Arbitrary<DeepSpec> = fc.record({ depth, kind: fc.constantFrom('array', 'object', 'mixed'), key: fc.constantFrom('a', '__proto__', 'body', 't') });

export function deepText({ depth: d, kind, key }: DeepSpec): string {
  const k = JSON.stringify(key);
  if (kind === 'array') return '['.repeat(d) + ']'.repeat(d);
  if (kind === 'object') return `{${k}:`.repeat(d) + '1' + '}'.repeat(d);
  return `{${k}:[`.repeat(d) + ']}'.repeat(d);
}

/** Objects that throw when a decoder turns them into text (`String(x)`, template literals, `+ ''`). */
const poisonValue = fc.constantFrom<() => unknown>(
  () => ({ toString: 0 }),
  () => ({ toString: null, valueOf: null }),
  () => ({ toString: {}, valueOf: 1 }),
  () => JSON.parse('{"toString":"x","valueOf":"y"}'),
  () => Object.create(null),
  () => JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'),
  () => ({ length: 1e9 }),
  () => ({ length: -1, 0: 'a' }),
  () => [, , 1],
  () => new Array(3),
  () => Object.assign([], { toString: 0 }),
).map((make) => make());

/** Leaves: everything a structured clone or JSON can deliver, and the poison objects. */
const hostileLeaf: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileNumber },
  { weight: 5, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined) },
  { weight: 1, arbitrary: fc.bigInt() },
  { weight: 2, arbitrary: poisonValue },
);

const keyArb = fc.oneof({ weight: 3, arbitrary: fc.string({ unit: char, maxLength: 10 }) }, { weight: 2, arbitrary: fc.constantFrom(...PROTO_KEYS) });

/** Any value: nested objects and arrays of hostile leaves, with prototype keys and null prototypes. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: hostileLeaf },
  { weight: 6, arbitrary: fc.anything({ key: keyArb, values: [hostileLeaf], maxDepth: 3, maxKeys: 6, withNullPrototype: true, withBoxedValues: true, withSparseArray: true, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true }) },
  { weight: 1, arbitrary: deepValue },
  { weight: 1, arbitrary: longString },
);

/** A field's value: hostile leaves and small nested values, nothing deep or long (cheap enough for many a case). */
export const hostileField: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: hostileLeaf },
  { weight: 3, arbitrary: fc.anything({ key: keyArb, values: [hostileLeaf], maxDepth: 2, maxKeys: 4, withNullPrototype: true, withBoxedValues: true, withSparseArray: true, withBigInt: true, withDate: true }) },
);

const keyToken = keyArb.map((k) => JSON.stringify(k));
const stringToken = fc.oneof(
  hostileString.map((s) => JSON.stringify(s)),
  fc.constantFrom('"\\ud800"', '"\\udfff\\ud800"', '"\\u0000"', '"\\u2028"', '"\\\\"', '"\\/"'),
);
const leafToken = fc.oneof(numberToken, stringToken, fc.constantFrom('true', 'false', 'null'));

/** JSON text of random values, with number literals JSON.stringify never writes. */
export const jsonToken: fc.Arbitrary<string> = fc.letrec<{ value: string; array: string; object: string }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leafToken, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 5 }).map((items) => `[${items.join(',')}]`),
  object: fc.array(fc.tuple(keyToken, tie('value')), { maxLength: 6 }).map((entries) => `{${entries.map(([k, v]) => `${k}:${v}`).join(',')}}`),
})).value;

export interface TextEdit {
  kind: 'cut' | 'drop' | 'insert' | 'duplicate' | 'wrap';
  at: number;
  insert: string;
}

/** Text edits of a valid JSON text: cut it short, drop or insert a character, duplicate a key. */
export const textEdit: fc.Arbitrary<TextEdit> = fc.record({ kind: fc.constantFrom('cut', 'drop', 'insert', 'duplicate', 'wrap'), at: fc.nat(), insert: fc.oneof(char, fc.constantFrom('"', '{', '}', '[', ']', ',', ':', '\\', '\u0000')) });

export function applyTextEdit(text: string, edit: TextEdit): string {
  const at = text.length ? edit.at % text.length : 0;
  switch (edit.kind) {
    case 'cut':
      return text.slice(0, at);
    case 'drop':
      return text.slice(0, at) + text.slice(at + 1);
    case 'insert':
      return text.slice(0, at) + edit.insert + text.slice(at);
    case 'duplicate':
      // JSON.parse keeps the last of two equal keys: a second "t" after the first.
      return text.startsWith('{') && text.length > 2 ? `{"t":"hello",${text.slice(1)}` : text;
    default:
      return `[${text}]`;
  }
}

type Path = (string | number)[];

/** Every path to a value inside `value` (the root excluded), objects and arrays alike. */
function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      const path = [...prefix, Array.isArray(value) ? Number(key) : key];
      out.push(path);
      pathsOf((value as Record<string, unknown>)[key], path, out);
    }
  }
  return out;
}

export interface Mutation {
  kind: 'drop' | 'retype' | 'flip' | 'add';
  /** Picks the path (modulo the number of paths). */
  pick: number;
  value: unknown;
  key: string;
}

export const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('drop', 'retype', 'retype', 'flip', 'add'),
  pick: fc.nat(),
  value: hostileValue,
  key: fc.oneof(fc.constantFrom(...PROTO_KEYS, '_', '#', 't', 'v'), fc.string({ maxLength: 6 })),
});

/** A small change of a scalar: a bit of a string, a number off by one or negated, a boolean flipped. */
function flip(value: unknown, salt: number): unknown {
  if (typeof value === 'boolean') return !value;
  if (typeof value === 'number') return [value + 1, value - 1, -value, value * 1000, 0, value + 0.5][salt % 6];
  if (typeof value === 'string') {
    if (!value) return 'x';
    const at = salt % value.length;
    const code = value.charCodeAt(at);
    return value.slice(0, at) + String.fromCharCode(code ^ (1 << (salt % 5))) + value.slice(at + 1);
  }
  if (Array.isArray(value)) return value.length ? value.slice(1) : [null];
  return null;
}

/**
 * `seed` (cloned) with one field dropped, retyped, flipped or added. Returns the mutated copy; the
 * seed is untouched.
 */
export function mutate<T>(seed: T, m: Mutation): T {
  const copy = structuredClone(seed);
  const paths = pathsOf(copy);
  if (paths.length === 0 || m.kind === 'add') {
    const target = paths.length && m.kind === 'add' ? containerAt(copy, paths[m.pick % paths.length]!) : copy;
    // An array's length is not a field to add (defining it to a non-number throws, in this harness).
    if (target !== null && typeof target === 'object' && !(Array.isArray(target) && m.key === 'length')) {
      Object.defineProperty(target, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
    }
    return copy;
  }
  const path = paths[m.pick % paths.length]!;
  const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], copy) as Record<string | number, unknown>;
  const key = path.at(-1)!;
  if (m.kind === 'drop') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else if (m.kind === 'retype') parent[key] = m.value;
  else parent[key] = flip(parent[key], m.pick);
  return copy;
}

/** The nearest object or array at or above `path`, to add a key to. */
function containerAt(root: unknown, path: Path): unknown {
  let node = root;
  let container = root;
  for (const key of path) {
    node = (node as Record<string | number, unknown>)[key];
    if (node !== null && typeof node === 'object') container = node;
    else break;
  }
  return container;
}

/** JSON text of a value, or of null where JSON cannot write it (a bigint, a cycle). */
export function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return 'null';
  }
}

/**
 * The text of a JSON object with the given fields: each present 9 times in 10, each of the right
 * shape 4 times in 5 (else any JSON value), in a rotated order, sometimes with an extra prototype key.
 */
export function objectText(fields: Record<string, fc.Arbitrary<string>>, extraKeys: readonly string[] = ['__proto__', 'constructor']): fc.Arbitrary<string> {
  const entries = Object.entries(fields).map(([key, token]) =>
    fc.option(fc.oneof({ weight: 4, arbitrary: token }, { weight: 1, arbitrary: jsonToken }).map((v) => `${JSON.stringify(key)}:${v}`), { freq: 10 }),
  );
  const extra = fc.option(fc.tuple(fc.constantFrom(...extraKeys), jsonToken).map(([k, v]) => `${JSON.stringify(k)}:${v}`), { freq: 4 });
  return fc.tuple(fc.tuple(...entries), extra, fc.nat()).map(([parts, more, turn]) => {
    const present = [...parts, more].filter((p): p is string => p !== null);
    const at = present.length ? turn % present.length : 0;
    return `{${[...present.slice(at), ...present.slice(0, at)].join(',')}}`;
  });
}

/** JSON string tokens of `strings`. */
export const quoted = (strings: fc.Arbitrary<string>): fc.Arbitrary<string> => strings.map((s) => JSON.stringify(s));
