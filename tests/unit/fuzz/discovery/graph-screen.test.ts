/**
 * Fuzzing the screen in front of GUN (core/discovery/graph-screen.ts): it reads every message a relay
 * sends, so any graph must be screened without an exception, and what it lets through under any soul a
 * node reads (records, file lists, box keys, signal slots, shared channels: graph-families.ts) is only
 * whole, well-formed children filed under their writers' IDs, linked from the parent by node ID.
 */
import { describe, expect } from 'vitest';
import { fc, it } from '@fast-check/vitest';
import { GraphScreen } from '../../../../core/discovery/graph-screen';
import { allFamilies } from '../../../../core/discovery/graph-families';
import { NODE_ID_PATTERN } from '../../../../core/identity/identity';
import { decode, fuzzTally } from '../../../support/fuzz-tally';
import { hostileString, hostileValue, idLike } from '../../../support/fuzz-arbitraries';

const tally = fuzzTally(__filename);
const NOW = Date.UTC(2026, 0, 1);
const TO = 'n' + 'q'.repeat(26);
const PARENTS = ['meshdeck/v1/default/nodes', 'meshdeck/v1/default/files', 'meshdeck/v1/default/boxes', `meshdeck/v1/default/signals/${TO}`, `meshdeck/v1/shared/${'c'.repeat(26)}`];
const FAMILIES = allFamilies();
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const key = fc.oneof(idLike, hostileString);
const parent = fc.constantFrom(...PARENTS);
const soul = fc.oneof(parent, fc.tuple(parent, key).map(([p, k]) => `${p}/${k}`), hostileString, fc.constant('meshdeck/v1/other/nodes'));
const link = soul.map((s) => ({ '#': s }));
const ts = fc.integer({ min: NOW - 1e6, max: NOW + 1e6 });
const text = fc.oneof(hostileString, fc.string({ maxLength: 40 }));
const recordLike = fc.record(
  {
    id: idLike, pub: hostileString, user: idLike.map((id) => 'u' + id.slice(1)), userPub: hostileString, cert: hostileString,
    certAt: fc.integer(), signal: fc.constantFrom('[]', '["http://127.0.0.1:9/peerjs"]', '["javascript:x"]', 'nope'), routing: fc.boolean(),
    neighbors: fc.oneof(fc.constant('[]'), fc.array(idLike, { maxLength: 3 }).map((a) => JSON.stringify(a))), ts, sig: hostileString,
  },
  { requiredKeys: [] },
);
const fileListLike = fc.record({ id: idLike, list: text, ts, sig: text }, { requiredKeys: [] });
const boxLike = fc.record({ id: idLike, box: text, ts, sig: text }, { requiredKeys: [] });
const signalLike = fc.record({ from: idLike, to: fc.oneof(fc.constant(TO), idLike), ts, epk: text, iv: text, ct: text, sig: text }, { requiredKeys: [] });
const sharedLike = fc.record({ from: idLike, at: ts, iv: text, box: text, sig: text }, { requiredKeys: [] });
const node = fc.oneof(recordLike, fileListLike, boxLike, signalLike, sharedLike, fc.dictionary(key, fc.oneof(link, hostileValue), { maxKeys: 6 }), hostileValue);
const graph = fc.dictionary(soul, node, { maxKeys: 8 });

describe('GraphScreen under fuzzing', () => {
  it.prop([fc.array(graph, { minLength: 1, maxLength: 3 })], { seed: 0x5eed + 90, numRuns: 6_000 })(
    'any graph is screened without an exception, and only well-formed children and node-ID links pass under every family',
    tally.property((messages: Record<string, unknown>[]) => {
      const screen = new GraphScreen(FAMILIES);
      for (const message of messages) {
        const outcome = decode('GraphScreen.screen', [], () => screen.screen(message, NOW));
        if ('error' in outcome) return;
        for (const [s, value] of Object.entries(message)) {
          const cut = s.lastIndexOf('/');
          const family = FAMILIES.find((f) => f.isParent(s.slice(0, cut)));
          if (family) {
            expect(isObject(value), `a non-object passed at ${s}`).toBe(true);
            expect(family.accepts(value as Record<string, unknown>, s.slice(cut + 1), s.slice(0, cut), NOW), `a malformed ${family.name} child passed at ${s}`).toBe(true);
          }
          if (FAMILIES.some((f) => f.isParent(s)) && isObject(value)) {
            for (const k of Object.keys(value)) if (k !== '_') expect(NODE_ID_PATTERN.test(k), `a link under ${JSON.stringify(k)} passed`).toBe(true);
          }
        }
      }
    }),
    60_000,
  );
});
