/**
 * ChildReader over a real GUN instance (no relay: a relay's answers are fed in as GUN messages). GUN
 * keeps, field by field, the write with the newest states it heard: a forged answer dated a little after
 * the genuine child made it drop the genuine one when that came (attacker read, issue 23).
 */
import '../../../support/load-gun-quietly';
import Gun from 'gun/gun';
import { afterEach, describe, expect, it } from 'vitest';
import { ChildReader, type ReaderChain } from '../../../../core/discovery/child-reader';
import { recordFamily } from '../../../../core/discovery/graph-families';
import { signRecord } from '../../../../core/discovery/rendezvous-record';
import { systemClock, TimerGroup } from '../../../../core/lib/clock';
import { gunClientOptions } from '../../../../core/discovery/gun-rendezvous';
import { makeIdentity } from '../../../support/identities';
import { until } from '../../../support/until';

const PARENT = 'meshdeck/v1/default/nodes';

interface GunLike {
  get(soul: string): ReaderChain;
  _: { graph: Record<string, unknown>; on(event: 'in', message: object): void };
}

describe('ChildReader over GUN', () => {
  const stops: (() => void)[] = [];
  afterEach(() => stops.splice(0).forEach((stop) => stop()));

  it('takes the genuine child after a forged answer with newer states: the forgery is dropped from the graph', async () => {
    const gun = (Gun as unknown as (options: object) => GunLike)({ ...gunClientOptions([]), WebSocket: undefined });
    const { identity } = await makeIdentity();
    const genuine = await signRecord(identity, { signal: ['http://127.0.0.1:9000/peerjs'], routing: true, neighbors: [] }, Date.now());
    const soul = `${PARENT}/${genuine.id}`;
    const taken: string[] = [];
    const reader = new ChildReader({
      family: recordFamily(),
      parentSoul: PARENT,
      parent: gun.get(PARENT),
      chainOf: (s) => gun.get(s),
      timers: new TimerGroup(systemClock),
      now: () => Date.now(),
      monotonic: () => performance.now(),
      knows: () => false,
      onChild: async (_key, data) => {
        // As a signature check would find: the forgery changed a signed field.
        const news = data.signal === genuine.signal;
        if (news) taken.push(String(data.signal));
        return news;
      },
      forgetChild: (s) => delete gun._.graph[s],
      forgetLink: () => undefined,
    });
    stops.push(() => reader.stop());
    reader.start();
    const writtenAt = Date.now();
    const states = (at: number) => Object.fromEntries(Object.keys(genuine).map((field) => [field, at]));
    const put = (id: string, graph: object) => gun._.on('in', { '#': id, put: graph });
    put('link', { [PARENT]: { _: { '#': PARENT, '>': { [genuine.id]: writtenAt } }, [genuine.id]: { '#': soul } } });
    // Another client of the relay answers the read first, its copy dated 5 ms after the genuine write.
    const forged = { ...genuine, signal: JSON.stringify(['http://127.0.0.1:9/evil']) };
    put('forged', { [soul]: { _: { '#': soul, '>': states(writtenAt + 5) }, ...forged } });
    await new Promise((r) => setTimeout(r, 50));
    put('genuine', { [soul]: { _: { '#': soul, '>': states(writtenAt) }, ...genuine } });
    await until(() => taken.length === 1, 2000, 'the genuine child taken');
    expect(taken).toEqual([genuine.signal]);
  });
});
