/**
 * Fuzzing parseRequest and parseHostCommand (core/control/protocol.ts), the checks at the boundary
 * between the extension's contexts: each returns null (not for this context), a request of a known
 * type with its fields of the declared types, or throws ProtocolError.
 */
import { describe, expect } from 'vitest';
import { fc, it } from '@fast-check/vitest';
import { PROTOCOL_VERSION } from '../../../../core/control/protocol';
import { isRecord } from '../../../../core/lib/is-record';
import { NODE_ACTIONS, parseHostCommand, parseRequest, ProtocolError } from '../../../../core/control/protocol-guard';
import { decode, fuzzTally } from '../../../support/fuzz-tally';
import { hostileString, hostileValue, idLike, mutate, mutation, type Mutation } from '../../../support/fuzz-arbitraries';

const tally = fuzzTally(__filename);

/** The request types of the Request union, with what each requires of its fields. */
const isString = (v: unknown) => typeof v === 'string';
const optionalString = (v: unknown) => v === undefined || typeof v === 'string';
const REQUESTS: Record<string, (r: Record<string, unknown>) => boolean> = {
  'settings:get': () => true,
  'settings:update': (r) => isRecord(r.patch),
  'settings:keep': () => true,
  'settings:revert': () => true,
  'settings:history': () => true,
  'settings:trial-result': (r) => isString(r.trialId) && typeof r.ok === 'boolean',
  'block:add': (r) => isString(r.id) && optionalString(r.note) && optionalString(r.label),
  'block:remove': (r) => isString(r.id),
  'block:restore': (r) => isRecord(r.entry) && isString(r.entry.id) && optionalString(r.entry.note) && optionalString(r.entry.label),
  'block:note': (r) => isString(r.id) && isString(r.note),
  'block:import': (r) => isString(r.text),
  'block:clear': () => true,
  'block:list': () => true,
  'trust:add': (r) => isString(r.id) && optionalString(r.note) && optionalString(r.label),
  'trust:remove': (r) => isString(r.id),
  'trust:list': () => true,
  'host:ensure': () => true,
  'host:boot': () => true,
  'host:alive': (r) => r.failure === null || isString(r.failure),
  'history:append': (r) => isRecord(r.point),
};
const NODE_ACTION_FIELDS: Record<string, (r: Record<string, unknown>) => boolean> = {
  'node:refresh': () => true,
  'node:disconnect': (r) => isString(r.nodeId),
  'node:ping': (r) => isString(r.nodeId),
  'node:dial': (r) => isString(r.nodeId),
  'node:retry-signaling': () => true,
  'diagnostics:export': () => true,
  'files:share': (r) => isString(r.blobKey) && isString(r.name),
  'files:stop': (r) => isString(r.ih),
  'files:download': (r) => isString(r.ih),
  'files:cancel': (r) => isString(r.ih),
  'files:save': (r) => isString(r.ih),
};
const REQUEST_FIELDS = { ...REQUESTS, ...NODE_ACTION_FIELDS };
const HOST_COMMAND_FIELDS: Record<string, (r: Record<string, unknown>) => boolean> = {
  'host:configure': (r) => isRecord(r.config) && Number.isFinite(r.config.revision),
  'host:log': (r) => Array.isArray(r.entries),
  ...NODE_ACTION_FIELDS,
};

const nodeId = 'ngyu5z4dmt7c7girqjdg7eegipu';
const VALID_REQUESTS: Record<string, unknown>[] = [
  { type: 'settings:get' }, { type: 'settings:update', patch: { room: 'lab' } }, { type: 'settings:keep' }, { type: 'settings:revert' },
  { type: 'settings:history' }, { type: 'settings:trial-result', trialId: 't1', ok: true }, { type: 'block:add', id: nodeId, note: 'spam', label: 'user u…' },
  { type: 'block:remove', id: nodeId }, { type: 'block:restore', entry: { id: nodeId, note: 'n' } }, { type: 'block:note', id: nodeId, note: 'n' },
  { type: 'block:import', text: '{}' }, { type: 'block:clear' }, { type: 'block:list' }, { type: 'host:ensure' }, { type: 'host:boot' },
  { type: 'trust:add', id: nodeId, note: 'my laptop', label: 'user u…' }, { type: 'trust:remove', id: nodeId }, { type: 'trust:list' },
  { type: 'host:alive', failure: null }, { type: 'history:append', point: { t: 1 } }, { type: 'node:refresh' }, { type: 'node:disconnect', nodeId },
  { type: 'node:ping', nodeId }, { type: 'node:dial', nodeId }, { type: 'node:retry-signaling' }, { type: 'diagnostics:export' },
  { type: 'files:share', blobKey: 'share:1', name: 'a.txt' }, { type: 'files:stop', ih: 'a'.repeat(40) }, { type: 'files:download', ih: 'a'.repeat(40) },
  { type: 'files:cancel', ih: 'a'.repeat(40) }, { type: 'files:save', ih: 'a'.repeat(40) },
].map((r) => ({ ...r, v: PROTOCOL_VERSION, to: 'background' }));
const VALID_COMMANDS: Record<string, unknown>[] = [
  { type: 'host:configure', config: { revision: 1 } }, { type: 'host:log', entries: [{ level: 'info', type: 'x', message: 'm' }] },
  { type: 'node:refresh' }, { type: 'node:ping', nodeId }, { type: 'files:download', ih: 'a'.repeat(40) },
].map((c) => ({ ...c, v: PROTOCOL_VERSION, to: 'host' }));

type Parser = (raw: unknown) => unknown;

function check(name: string, parse: Parser, to: string, fields: Record<string, (r: Record<string, unknown>) => boolean>, raw: unknown, shape: boolean): void {
  const outcome = decode(name, [ProtocolError], () => parse(raw));
  if ('error' in outcome) return;
  const value = outcome.value;
  if (value === null) {
    expect(isRecord(raw) && raw.to === to).toBe(false);
    return;
  }
  if (!shape) return;
  expect(isRecord(value)).toBe(true);
  const message = value as Record<string, unknown>;
  expect(message.v).toBe(PROTOCOL_VERSION);
  const fieldsOk = fields[String(message.type)];
  if (!fieldsOk) expect.fail(`${name} accepted the unknown type ${String(message.type)}`);
  if (!fieldsOk(message)) expect.fail(`${name} accepted a malformed ${String(message.type)}: ${safeText(message)}`);
}

function safeText(value: unknown): string {
  try {
    return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))?.slice(0, 300) ?? String(value);
  } catch {
    return '(unprintable)';
  }
}

const primitive = fc.oneof(hostileString, fc.integer(), fc.double(), fc.boolean(), fc.constantFrom(null, undefined));
const anyField = fc.oneof({ weight: 3, arbitrary: hostileValue }, { weight: 1, arbitrary: primitive });

/** Requests of every known type with each field of the right type or not, and hostile v/type/to. */
function shaped(types: string[], to: string, strict: boolean) {
  const typed = <T>(good: fc.Arbitrary<T>) => fc.option(fc.oneof({ weight: 3, arbitrary: good }, { weight: 1, arbitrary: strict ? primitive : anyField }), { freq: 8 });
  return fc.record({
    to: fc.oneof({ weight: 6, arbitrary: fc.constant(to) }, { weight: 1, arbitrary: strict ? primitive : anyField }),
    v: fc.oneof({ weight: 6, arbitrary: fc.constant(PROTOCOL_VERSION) }, { weight: 1, arbitrary: strict ? primitive : anyField }),
    type: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...types) }, { weight: 1, arbitrary: strict ? primitive : anyField }),
    id: typed(idLike), note: typed(fc.string({ maxLength: 20 })), label: typed(fc.string({ maxLength: 20 })), nodeId: typed(idLike),
    patch: typed(fc.dictionary(fc.string({ maxLength: 8 }), primitive, { maxKeys: 3 })), text: typed(fc.string({ maxLength: 40 })),
    entry: typed(fc.record({ id: fc.oneof(idLike, primitive), note: anyField, label: anyField }, { requiredKeys: [] })),
    trialId: typed(fc.string({ maxLength: 8 })), ok: typed(fc.boolean()), failure: typed(fc.option(fc.string({ maxLength: 8 }))),
    point: typed(fc.record({ t: fc.integer() })), config: typed(fc.record({ revision: fc.oneof(fc.integer(), primitive) })),
    entries: typed(fc.array(anyField, { maxLength: 3 })),
  }, { requiredKeys: ['to', 'v', 'type'] }).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null)));
}

const REQUEST_TYPES = Object.keys(REQUEST_FIELDS);
const COMMAND_TYPES = Object.keys(HOST_COMMAND_FIELDS);

describe('parseRequest under fuzzing', () => {
  it('accepts every valid request (positive control)', () => {
    // The node actions are the contract's: a new one must be added to the checks above.
    expect([...NODE_ACTIONS].sort()).toEqual(Object.keys(NODE_ACTION_FIELDS).sort());
    for (const request of VALID_REQUESTS) expect(parseRequest(request)).toEqual(request);
    expect(parseRequest({ ...VALID_REQUESTS[0], to: 'host' })).toBeNull();
    expect(() => parseRequest({ ...VALID_REQUESTS[0], v: 0 })).toThrow(ProtocolError);
  });

  it.prop([fc.oneof(hostileValue, shaped(REQUEST_TYPES, 'background', false))], { seed: 0x5eed + 20, numRuns: 6_000 })(
    'any message (a v or type whose String() throws included): null, a request or a ProtocolError',
    tally.property((raw: unknown) => check('parseRequest', parseRequest, 'background', REQUEST_FIELDS, raw, false)),
    60_000,
  );

  it.prop([shaped(REQUEST_TYPES, 'background', true)], { seed: 0x5eed + 21, numRuns: 6_000 })(
    'a request parsed has the fields its type declares (block:add and block:note: note and label are text)',
    tally.property((raw: Record<string, unknown>) => check('parseRequest', parseRequest, 'background', REQUEST_FIELDS, raw, true)),
    60_000,
  );

  it.prop([fc.nat(), mutation], { seed: 0x5eed + 22, numRuns: 3_000 })(
    'valid requests with one field dropped, retyped, flipped or added: null, a request or a ProtocolError',
    tally.property((pick: number, m: Mutation) => check('parseRequest', parseRequest, 'background', REQUEST_FIELDS, mutate(VALID_REQUESTS[pick % VALID_REQUESTS.length]!, m), false)),
    60_000,
  );
});

describe('parseHostCommand under fuzzing', () => {
  it('accepts every valid command (positive control)', () => {
    for (const command of VALID_COMMANDS) expect(parseHostCommand(command)).toEqual(command);
    expect(parseHostCommand({ ...VALID_COMMANDS[0], to: 'background' })).toBeNull();
  });

  it.prop([fc.oneof(hostileValue, shaped(COMMAND_TYPES, 'host', false))], { seed: 0x5eed + 23, numRuns: 5_000 })(
    'any message (a v or type whose String() throws included): null, a command or a ProtocolError',
    tally.property((raw: unknown) => check('parseHostCommand', parseHostCommand, 'host', HOST_COMMAND_FIELDS, raw, false)),
    60_000,
  );

  it.prop([shaped(COMMAND_TYPES, 'host', true)], { seed: 0x5eed + 24, numRuns: 5_000 })(
    'a command parsed has the fields its type declares (node:ping, node:dial and node:disconnect: a nodeId)',
    tally.property((raw: Record<string, unknown>) => check('parseHostCommand', parseHostCommand, 'host', HOST_COMMAND_FIELDS, raw, true)),
    60_000,
  );

  it.prop([fc.nat(), mutation], { seed: 0x5eed + 25, numRuns: 2_500 })(
    'valid commands with one field dropped, retyped, flipped or added: null, a command or a ProtocolError',
    tally.property((pick: number, m: Mutation) => check('parseHostCommand', parseHostCommand, 'host', HOST_COMMAND_FIELDS, mutate(VALID_COMMANDS[pick % VALID_COMMANDS.length]!, m), false)),
    60_000,
  );
});
