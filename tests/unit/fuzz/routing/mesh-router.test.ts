/**
 * Fuzzing MeshRouter.receive (core/routing/mesh-router.ts) with route envelopes as a neighbour can send
 * them: frames through parseWireMessage (the path they take in a node), and genuine signed routes
 * with one field changed, replayed, in any order. receive never rejects; it delivers or forwards only
 * a message that passes every check of docs/protocol.md §6 and whose signature verifies, at most once
 * per (src, id); it forwards with ttl-1 and itself appended, never back to the sender or along the
 * path; it answers a ping addressed to it, never one to "*".
 */
import { beforeAll, describe, expect } from 'vitest';
import { fc, it } from '@fast-check/vitest';
import { MeshRouter, MAX_TTL } from '../../../../core/routing/mesh-router';
import { parseWireMessage, WireError, type RoutedMessage } from '../../../../core/session/wire';
import { importPublicKey, verifyText, type Identity } from '../../../../core/identity/identity';
import { canonical, fromBase64Url } from '../../../../core/lib/encoding';
import { FakeClock, settle } from '../../../support/fake-clock';
import { decode, decodeAsync, fuzzTally } from '../../../support/fuzz-tally';
import {
  applyTextEdit, hostileString, idLike, jsonText, jsonToken, mutate, mutation, numberToken, objectText, quoted, textEdit, type Mutation, type TextEdit,
} from '../../../support/fuzz-arbitraries';
import { readVectors, signedRoute } from '../../../support/protocol-vectors';
import { makeIdentity } from '../../../support/identities';
import { pinnedRandom } from '../../../support/pinned-random';

const tally = fuzzTally(__filename);
/** One case that takes longer than this is a hang (fast-check fails it instead of waiting on). */
const ASYNC_CASE_MS = 10_000;
const ROUTE_ID = /^[A-Za-z0-9_-]{16}$/;
const NODE_ID = /^n[a-z2-7]{26}$/;

interface Seed {
  message: RoutedMessage;
  from: string;
}

interface Sent {
  to: string;
  message: RoutedMessage;
}

describe('MeshRouter.receive under fuzzing', () => {
  let self: Identity;
  let a: Identity;
  let c: Identity;
  let n1: Identity;
  let n2: Identity;
  const keys = new Map<string, CryptoKey>();
  let seeds: Seed[];
  let neighbourIds: string[];

  beforeAll(async () => {
    [self, a, c, n1, n2] = (await Promise.all(Array.from({ length: 5 }, () => makeIdentity()))).map((m) => m.identity) as Identity[] as [Identity, Identity, Identity, Identity, Identity];
    for (const identity of [a, c, n1, n2]) keys.set(identity.nodeId, await importPublicKey(fromBase64Url(identity.nodePub)));
    const via = (route: Record<string, unknown>, hop: Identity): RoutedMessage => ({ ...route, ttl: 7, path: [...(route.path as string[]), hop.nodeId] }) as RoutedMessage;
    seeds = [
      { message: (await signedRoute(a, self.nodeId, { k: 'ping', ts: 1 }, 'AAAAAAAAAAAAAAAA')) as unknown as RoutedMessage, from: a.nodeId },
      { message: via(await signedRoute(a, '*', { k: 'ping', ts: 2 }, 'AAAAAAAAAAAAAAAB'), n1), from: n1.nodeId },
      { message: (await signedRoute(a, '*', { k: 'data', n: 1 }, 'AAAAAAAAAAAAAAAC')) as unknown as RoutedMessage, from: a.nodeId },
      { message: via(await signedRoute(a, n2.nodeId, { k: 'data', deep: { x: [1, 2, { y: 'z' }] } }, 'AAAAAAAAAAAAAAAD'), n1), from: n1.nodeId },
      { message: via(await signedRoute(c, self.nodeId, { k: 'pong', ts: 3, path: [] }, 'AAAAAAAAAAAAAAAE'), n1), from: n1.nodeId },
    ];
    neighbourIds = [a.nodeId, n1.nodeId, n2.nodeId];
    // The independent implementation's route, signed by its node key.
    const vectors = readVectors() as { node: { pub: string; id: string }; route: { message: RoutedMessage } };
    keys.set(vectors.node.id, await importPublicKey(fromBase64Url(vectors.node.pub)));
    seeds.push({ message: vectors.route.message, from: vectors.node.id });
    neighbourIds.push(vectors.node.id, vectors.route.message.dst);
  });

  function router(options: { routing?: boolean; blocked?: string[] } = {}) {
    const sent: Sent[] = [];
    const clock = new FakeClock();
    const r = new MeshRouter({
      identity: self,
      clock,
      readyNeighbours: () => neighbourIds,
      sendTo: (to, message) => sent.push({ to, message: structuredClone(message) }),
      keyOf: (nodeId) => keys.get(nodeId) ?? null,
      isBlocked: (nodeId) => options.blocked?.includes(nodeId) ?? false,
      routingEnabled: () => options.routing ?? true,
      log: () => undefined,
      random: pinnedRandom(),
    });
    return { router: r, sent };
  }

  /** Whether `m` passes every check of §6 as received from `from`, its signature included. */
  async function acceptable(m: RoutedMessage, from: string): Promise<boolean> {
    const path = m.path;
    const shapeOk =
      ROUTE_ID.test(m.id) && NODE_ID.test(m.src) && (m.dst === '*' || NODE_ID.test(m.dst)) && Number.isInteger(m.ttl) && m.ttl >= 1 && m.ttl <= MAX_TTL &&
      path.length >= 1 && path.length <= MAX_TTL && path.every((hop) => NODE_ID.test(hop)) && path[0] === m.src && path.at(-1) === from && !path.includes(self.nodeId);
    if (!shapeOk) return false;
    const key = keys.get(m.src);
    return !!key && (await verifyText(key, canonical({ id: m.id, src: m.src, dst: m.dst, body: m.body }), m.sig));
  }

  /**
   * Receives `m` from `from` on `r` and checks everything it did. Returns whether it was taken
   * (delivered or forwarded).
   */
  async function receiveAndCheck(ctx: ReturnType<typeof router>, m: RoutedMessage, from: string, routing = true): Promise<boolean> {
    const before = { ...ctx.router.counters, sent: ctx.sent.length };
    const outcome = await decodeAsync('MeshRouter.receive', [], () => ctx.router.receive(m, from));
    if ('error' in outcome) expect.fail('receive rejected');
    await settle(2); // a pong is signed, then sent
    const sends = ctx.sent.slice(before.sent);
    const delivered = ctx.router.counters.delivered - before.delivered;
    const forwards = sends.filter((s) => s.message.src !== self.nodeId);
    const pongs = sends.filter((s) => s.message.src === self.nodeId);
    const taken = delivered > 0 || forwards.length > 0;
    if (taken && !(await acceptable(m, from))) expect.fail(`took a route message that fails a check: ${jsonText(m).slice(0, 300)} from ${from}`);
    if (delivered > 1) expect.fail('delivered one message twice');
    if (delivered && !(m.dst === self.nodeId || m.dst === '*')) expect.fail('delivered a message addressed to another node');
    if (forwards.length && (!routing || m.dst === self.nodeId)) expect.fail('forwarded a message it must not forward');
    for (const { to, message } of forwards) {
      if (to === from || m.path.includes(to)) expect.fail(`forwarded back along the path, to ${to}`);
      if (message.id !== m.id || message.src !== m.src || message.dst !== m.dst || message.sig !== m.sig || canonical(message.body) !== canonical(m.body)) expect.fail('forwarded a changed message');
      if (message.ttl !== m.ttl - 1 || message.ttl < 1 || canonical(message.path) !== canonical([...m.path, self.nodeId])) expect.fail('forwarded without ttl-1 and itself appended');
    }
    if (pongs.length) {
      if (!(delivered && m.dst === self.nodeId && m.body.k === 'ping')) expect.fail(`answered what is not a ping to this node (dst ${m.dst})`);
      for (const { to, message } of pongs) expect(message.dst === m.src && message.body.k === 'pong' && (to === m.src || neighbourIds.includes(to))).toBe(true);
    }
    return taken;
  }

  /** A frame through the wire decoder: the route it yields, or null. */
  function routeOf(frame: string): RoutedMessage | null {
    const outcome = decode('parseWireMessage', [WireError], () => parseWireMessage(frame));
    return 'value' in outcome && outcome.value?.t === 'route' ? outcome.value : null;
  }

  it('delivers, forwards and answers the genuine seeds (positive control)', async () => {
    for (const seed of seeds) {
      const ctx = router();
      expect(await receiveAndCheck(ctx, structuredClone(seed.message), seed.from), seed.message.id).toBe(true);
      // The same message again, however it comes: nothing more.
      expect(await receiveAndCheck(ctx, structuredClone(seed.message), seed.from)).toBe(false);
    }
    const ctx = router();
    await ctx.router.receive(structuredClone(seeds[0]!.message), seeds[0]!.from);
    await settle(2);
    expect(ctx.sent.map((s) => s.message.body.k)).toEqual(['pong']);
  });

  const id = quoted(idLike);
  const num = fc.oneof(numberToken, fc.integer({ min: -1, max: 10 }).map(String));
  const routeFrame = objectText({
    t: fc.constant('"route"'), id: fc.oneof(quoted(fc.base64String({ minLength: 16, maxLength: 16 })), quoted(hostileString)), src: id, dst: fc.oneof(id, fc.constant('"*"')),
    ttl: num, path: fc.array(id, { maxLength: 10 }).map((p) => `[${p.join(',')}]`), body: fc.oneof(objectText({ k: quoted(fc.constantFrom('ping', 'pong', 'data')), ts: num }), jsonToken), sig: quoted(hostileString),
  });

  it.prop([routeFrame, fc.nat(3)], { seed: 0x5eed + 80, numRuns: 4_000 , timeout: ASYNC_CASE_MS })(
    'route frames through the wire decoder, from any neighbour: never a rejection, nothing taken that fails a check',
    tally.property(async (frame: string, who: number) => {
      const route = routeOf(frame);
      if (route) await receiveAndCheck(router(), route, [...neighbourIds, 'n'.padEnd(27, 'z')][who]!);
    }),
    60_000,
  );

  it.prop([fc.nat(), mutation, fc.option(textEdit, { freq: 4 }), fc.nat(7), fc.boolean()], { seed: 0x5eed + 81, numRuns: 3_000 , timeout: ASYNC_CASE_MS })(
    'genuine routes with one field dropped, retyped, flipped or added: taken only if the change leaves every check passing',
    tally.property(async (pick: number, m: Mutation, edit: TextEdit | null, who: number, routing: boolean) => {
      const seed = seeds[pick % seeds.length]!;
      const text = jsonText(mutate(seed.message, m));
      const route = routeOf(edit ? applyTextEdit(text, edit) : text);
      // Mostly from the neighbour the path names, sometimes from another.
      const from = who < 6 ? seed.from : neighbourIds[who % neighbourIds.length]!;
      if (route) await receiveAndCheck(router({ routing }), route, from, routing);
    }),
    60_000,
  );

  it.prop([fc.array(fc.record({ pick: fc.nat(), m: fc.option(mutation, { freq: 3 }) }), { minLength: 1, maxLength: 12 }), fc.boolean()], { seed: 0x5eed + 82, numRuns: 400 , timeout: ASYNC_CASE_MS })(
    'sequences of genuine, replayed and forged routes: each (src, id) taken at most once; a blocked source never',
    tally.property(async (steps: { pick: number; m: Mutation | null }[], blockA: boolean) => {
      const ctx = router({ blocked: blockA ? [a.nodeId] : [] });
      const taken = new Set<string>();
      for (const { pick, m } of steps) {
        const seed = seeds[pick % seeds.length]!;
        const route = routeOf(jsonText(m ? mutate(seed.message, m) : seed.message));
        if (!route) continue;
        if (await receiveAndCheck(ctx, route, seed.from)) {
          const key = `${route.src}|${route.id}`;
          if (taken.has(key)) expect.fail(`${key} taken twice`);
          if (blockA && route.src === a.nodeId) expect.fail('took a message from a blocked source');
          taken.add(key);
        }
      }
    }),
    60_000,
  );
});
