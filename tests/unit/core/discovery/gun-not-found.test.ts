/**
 * watchNotFound over a fake GUN mesh: reads of tracked souls are matched with their answers per relay,
 * and a soul is reported only when every relay the read went to answered with nothing.
 */
import { describe, expect, it } from 'vitest';
import { READS_TRACKED, watchNotFound } from '../../../../core/discovery/gun-not-found';
import type { GunMeshLike } from '../../../../core/discovery/gun-input-screen';

const SOUL = 'meshdeck/v1/default/nodes/nabc';

function setup(tracked = (soul: string) => soul.startsWith('meshdeck/v1/default/nodes/')) {
  const heard: object[] = [];
  const said: unknown[] = [];
  const mesh = {
    say: (msg: object, peer: unknown) => said.push([msg, peer]),
    hear: Object.assign(() => undefined, { one: (msg: object) => heard.push(msg) }),
  } as unknown as GunMeshLike;
  const notFound: string[] = [];
  watchNotFound(mesh, tracked, (soul) => notFound.push(soul));
  const relayA = { id: 'a' };
  const relayB = { id: 'b' };
  /** GUN's read of a whole soul, sent to each relay in turn (its say loops over the peers). */
  const read = (id: string, soul = SOUL, peers = [relayA, relayB]) => {
    mesh.say({ '#': id, get: { '#': soul } }, undefined);
    for (const peer of peers) mesh.say({ '#': id, get: { '#': soul } }, peer);
  };
  const answer = (id: string, peer: object, put?: object) => mesh.hear.one({ '#': `r${Math.random()}`, '@': id, ...(put ? { put } : {}) }, peer);
  return { mesh, heard, said, notFound, relayA, relayB, read, answer };
}

describe('watchNotFound', () => {
  it('reports a soul once every relay asked answered with nothing, and passes every message on', () => {
    const { notFound, heard, said, relayA, relayB, read, answer } = setup();
    read('g1');
    answer('g1', relayA);
    expect(notFound).toEqual([]);
    answer('g1', relayB);
    expect(notFound).toEqual([SOUL]);
    expect(heard).toHaveLength(2);
    expect(said).toHaveLength(3);
    // A second empty answer under the same read reports nothing more.
    answer('g1', relayB);
    expect(notFound).toEqual([SOUL]);
  });

  it('reports nothing when a relay answered with the soul', () => {
    const { notFound, relayA, relayB, read, answer } = setup();
    read('g1');
    answer('g1', relayA, { [SOUL]: { _: { '#': SOUL, '>': { a: 1 } }, a: 1 } });
    answer('g1', relayB);
    expect(notFound).toEqual([]);
  });

  it('ignores untracked souls, reads of one field, and answers from relays not asked', () => {
    const { notFound, mesh, relayA, relayB, read, answer } = setup((soul) => soul === SOUL);
    read('g1', 'meshdeck/v1/other/nodes/nabc');
    answer('g1', relayA);
    answer('g1', relayB);
    mesh.say({ '#': 'g2', get: { '#': SOUL, '.': 'ts' } }, relayA);
    answer('g2', relayA);
    read('g3', SOUL, [relayA]);
    answer('g3', relayB);
    expect(notFound).toEqual([]);
    answer('g3', relayA);
    expect(notFound).toEqual([SOUL]);
  });

  it(`tracks at most ${READS_TRACKED} reads: the oldest are forgotten`, () => {
    const { notFound, relayA, read, answer } = setup();
    for (let i = 0; i <= READS_TRACKED; i++) read(`g${i}`, SOUL, [relayA]);
    answer('g0', relayA);
    expect(notFound).toEqual([]);
    answer(`g${READS_TRACKED}`, relayA);
    expect(notFound).toEqual([SOUL]);
  });
});
