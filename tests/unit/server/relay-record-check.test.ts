/**
 * The relay's record check over a fake GUN mesh: records go on to GUN only with a signature that
 * holds, no older than the newest verified for their node, and within the budgets of checks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CHECKS_PER_CONNECTION, checkRecordsBeforeGun } from '../../../server/relay-record-check';
import type { GunMeshLike } from '../../../core/discovery/gun-input-screen';
import { signRecord, type NodeRecord } from '../../../core/discovery/rendezvous-record';
import { makeIdentity } from '../../support/identities';
import type { Identity } from '../../../core/identity/identity';

const PARENT = 'meshdeck/v1/default/nodes';
const content = { signal: ['http://127.0.0.1:9/peerjs'], routing: true, neighbors: [] };

function setup() {
  const heard: Record<string, unknown>[] = [];
  const said: Record<string, unknown>[] = [];
  const refused: string[] = [];
  let now = 0;
  const mesh = {
    say: (msg: Record<string, unknown>) => said.push(msg),
    hear: Object.assign(() => undefined, { one: (msg: Record<string, unknown>) => heard.push(msg) }),
  } as unknown as GunMeshLike;
  checkRecordsBeforeGun(mesh, { monotonic: () => now, onRefused: (count, why) => refused.push(`${count} ${why}`) });
  /** A put as a node writes its record: the link in the parent and the child, in one message. */
  const send = (record: NodeRecord, peer: object = relayClient) => {
    const soul = `${PARENT}/${record.id}`;
    mesh.hear.one({ '#': `m${Math.random()}`, put: { [PARENT]: { _: { '#': PARENT, '>': { [record.id]: 1 } }, [record.id]: { '#': soul } }, [soul]: { _: { '#': soul, '>': {} }, ...record } } }, peer);
  };
  const put = async (record: NodeRecord, peer?: object) => {
    send(record, peer);
    await new Promise((r) => setTimeout(r, 20));
  };
  const relayClient = {};
  return { heard, said, refused, put, send, advance: (ms: number) => (now += ms) };
}

describe('checkRecordsBeforeGun', () => {
  let identity: Identity;
  let genuine: NodeRecord;
  beforeAll(async () => {
    ({ identity } = await makeIdentity());
    genuine = await signRecord(identity, content, Date.now());
  });

  it('passes a record whose signature holds, with its link', async () => {
    const { heard, put } = setup();
    await put(genuine);
    expect(heard).toHaveLength(1);
    expect(Object.keys(heard[0]!.put as object)).toEqual([PARENT, `${PARENT}/${genuine.id}`]);
  });

  it('refuses a forged copy and the node\'s own older record, answering the writer with an error', async () => {
    const { heard, said, refused, put } = setup();
    await put(genuine);
    await put({ ...genuine, signal: JSON.stringify(['http://127.0.0.1:9/evil']) });
    await put(await signRecord(identity, content, genuine.ts - 1000));
    expect(heard).toHaveLength(1);
    expect(said.map((m) => m.err)).toEqual([expect.stringContaining('refused'), expect.stringContaining('refused')]);
    expect(refused).toEqual(['1 signature', '1 older than the newest verified']);
    // The same record again, or a newer one: taken.
    await put(genuine);
    await put(await signRecord(identity, content, genuine.ts + 1000));
    expect(heard).toHaveLength(3);
  });

  it(`checks at most ${CHECKS_PER_CONNECTION.burst} records of one connection at once, then ${CHECKS_PER_CONNECTION.perSecond} a second`, async () => {
    const { heard, refused, put, send, advance } = setup();
    for (let i = 0; i < CHECKS_PER_CONNECTION.burst; i++) send(genuine);
    await new Promise((r) => setTimeout(r, 500));
    expect(heard).toHaveLength(CHECKS_PER_CONNECTION.burst);
    await put(genuine);
    expect(refused).toEqual(['1 over the budget of checks']);
    // Another connection has a budget of its own; this one's refills with time.
    await put(genuine, {});
    advance(1000 / CHECKS_PER_CONNECTION.perSecond);
    await put(genuine);
    expect(heard).toHaveLength(CHECKS_PER_CONNECTION.burst + 2);
  });

  it('passes messages without records at once, untouched', () => {
    const { heard } = setup();
    const mesh = { say: () => undefined, hear: Object.assign(() => undefined, { one: (msg: object) => heard.push(msg as Record<string, unknown>) }) } as unknown as GunMeshLike;
    checkRecordsBeforeGun(mesh, { monotonic: () => 0, onRefused: () => undefined });
    const msg = { '#': 'x', put: { 'meshdeck/v1/default/files/nabc': { id: 'nabc' } } };
    mesh.hear.one(msg, {});
    expect(heard).toEqual([msg]);
  });
});
