/**
 * Fuzzing the screen in front of GUN (core/discovery/record-screen.ts): it reads every message a relay
 * sends, so any graph must be screened without an exception, and what it lets through under a room
 * is only whole, well-formed records filed under their own IDs, linked from the parent by node ID.
 */
import { describe, expect } from 'vitest';
import { fc, it } from '@fast-check/vitest';
import { RoomGraphScreen } from '../../../../core/discovery/record-screen';
import { readRecordFields, recordBoundsProblem } from '../../../../core/discovery/rendezvous-record';
import { NODE_ID_PATTERN } from '../../../../core/identity/identity';
import { decode, fuzzTally } from '../../../support/fuzz-tally';
import { hostileString, hostileValue, idLike } from '../../../support/fuzz-arbitraries';

const tally = fuzzTally(__filename);
const PARENT = 'meshdeck/v1/default/nodes';
const NOW = Date.UTC(2026, 0, 1);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const key = fc.oneof(idLike, hostileString);
const soul = fc.oneof(fc.constant(PARENT), key.map((k) => `${PARENT}/${k}`), hostileString, fc.constant('meshdeck/v1/other/nodes'));
const link = soul.map((s) => ({ '#': s }));
const recordLike = fc.record(
  {
    id: idLike, pub: hostileString, user: idLike.map((id) => 'u' + id.slice(1)), userPub: hostileString, cert: hostileString,
    certAt: fc.integer(), signal: fc.constantFrom('[]', '["http://127.0.0.1:9/peerjs"]', '["javascript:x"]', 'nope'), routing: fc.boolean(),
    neighbors: fc.oneof(fc.constant('[]'), fc.array(idLike, { maxLength: 3 }).map((a) => JSON.stringify(a))), ts: fc.integer({ min: NOW - 1e6, max: NOW + 1e6 }), sig: hostileString,
  },
  { requiredKeys: [] },
);
const node = fc.oneof(recordLike, fc.dictionary(key, fc.oneof(link, hostileValue), { maxKeys: 6 }), hostileValue);
const graph = fc.dictionary(soul, node, { maxKeys: 8 });

describe('RoomGraphScreen under fuzzing', () => {
  it.prop([fc.array(graph, { minLength: 1, maxLength: 3 })], { seed: 0x5eed + 90, numRuns: 6_000 })(
    'any graph is screened without an exception, and only well-formed records and node-ID links pass',
    tally.property((messages: Record<string, unknown>[]) => {
      const screen = new RoomGraphScreen();
      for (const message of messages) {
        const outcome = decode('RoomGraphScreen.screen', [], () => screen.screen(message, NOW));
        if ('error' in outcome) return;
        for (const [s, value] of Object.entries(message)) {
          const cut = s.lastIndexOf('/');
          if (s.slice(0, cut) === PARENT) {
            const record = readRecordFields(value);
            expect(record, `a malformed record passed at ${s}`).not.toBeNull();
            expect(record!.id).toBe(s.slice(cut + 1));
            expect(recordBoundsProblem(record!, NOW)).toBeNull();
          }
          if (s === PARENT && isObject(value)) {
            for (const k of Object.keys(value)) if (k !== '_') expect(NODE_ID_PATTERN.test(k), `a link under ${JSON.stringify(k)} passed`).toBe(true);
          }
        }
      }
    }),
    60_000,
  );
});
