/**
 * The relay's signature check over a fake GUN mesh: records, and box keys, file lists and signals of
 * nodes whose record it verified, go on to GUN only with a signature that holds, no older than the
 * newest verified at their soul, and within the budgets of checks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CHECKS_PER_CONNECTION, checkSignaturesBeforeGun } from '../../../server/relay-signature-check';
import type { GunMeshLike } from '../../../core/discovery/gun-input-screen';
import { signRecord, type NodeRecord } from '../../../core/discovery/rendezvous-record';
import { makeIdentity } from '../../support/identities';
import { newBoxKeys, signBox } from '../../../core/signaling/sealed-signal';
import type { Identity } from '../../../core/identity/identity';

const PARENT = 'meshdeck/v1/default/nodes';
const BOXES = 'meshdeck/v1/default/boxes';
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
  checkSignaturesBeforeGun(mesh, { monotonic: () => now, now: Date.now, onRefused: (count, why) => refused.push(`${count} ${why}`) });
  /** A put as a node writes its record: the link in the parent and the child, in one message. */
  const send = (record: NodeRecord, peer: object = relayClient) => {
    const soul = `${PARENT}/${record.id}`;
    mesh.hear.one({ '#': `m${Math.random()}`, put: { [PARENT]: { _: { '#': PARENT, '>': { [record.id]: 1 } }, [record.id]: { '#': soul } }, [soul]: { _: { '#': soul, '>': Object.fromEntries(Object.keys(record).map((field) => [field, 1])) }, ...record } } }, peer);
  };
  /** A link alone, as a stranger may write one, dated `state`. */
  const sendLink = (id: string, state: number) => mesh.hear.one({ '#': `m${Math.random()}`, put: { [PARENT]: { _: { '#': PARENT, '>': { [id]: state } }, [id]: { '#': `${PARENT}/${id}` } } } }, relayClient);
  const put = async (record: NodeRecord, peer?: object) => {
    send(record, peer);
    await new Promise((r) => setTimeout(r, 20));
  };
  const relayClient = {};
  const putChild = async (parent: string, key: string, child: object) => {
    const soul = `${parent}/${key}`;
    mesh.hear.one({ '#': `m${Math.random()}`, put: { [soul]: { _: { '#': soul, '>': {} }, ...child } } }, relayClient);
    await new Promise((r) => setTimeout(r, 20));
  };
  return { heard, said, refused, put, send, sendLink, putChild, advance: (ms: number) => (now += ms) };
}

describe('checkSignaturesBeforeGun', () => {
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
    const evil = JSON.stringify(['http://127.0.0.1:9/evil']);
    await put({ ...genuine, signal: evil });
    await put({ ...genuine, signal: evil, ts: genuine.ts + 1 });
    await put(await signRecord(identity, content, genuine.ts - 1000));
    expect(heard).toHaveLength(1);
    expect(said.map((m) => m.err)).toEqual(Array(3).fill(expect.stringContaining('refused')));
    expect(refused).toEqual(['1 another child for the same date', '1 signature', '1 older than the newest verified']);
    // The same record again, or a newer one: taken.
    await put(genuine);
    await put(await signRecord(identity, content, genuine.ts + 1000));
    expect(heard).toHaveLength(3);
  });

  it(`checks at most ${CHECKS_PER_CONNECTION.burst} children of one connection at once, then ${CHECKS_PER_CONNECTION.perSecond} a second; over that it passes them unchecked, as a stock relay would`, async () => {
    const { heard, refused, put, send, advance } = setup();
    const records = await Promise.all(Array.from({ length: CHECKS_PER_CONNECTION.burst }, (_, i) => signRecord(identity, content, genuine.ts + i)));
    for (const record of records) send(record);
    await new Promise((r) => setTimeout(r, 500));
    expect(heard).toHaveLength(CHECKS_PER_CONNECTION.burst);
    // Over budget: a forgery is not refused (flooding the relay brings it down to a stock relay, never
    // below), and keeps the states its writer gave it.
    const forged = { ...genuine, signal: JSON.stringify(['http://127.0.0.1:9/evil']), ts: genuine.ts + 1000 };
    await put(forged);
    expect(refused).toEqual([]);
    expect(heard).toHaveLength(CHECKS_PER_CONNECTION.burst + 1);
    const states = Object.values((heard.at(-1)!.put as Record<string, { _: { '>': Record<string, number> } }>)[`${PARENT}/${genuine.id}`]!._['>']);
    expect(new Set(states)).toEqual(new Set([1]));
    // The budget refills with time: checked, and refused, again.
    advance(1000 / CHECKS_PER_CONNECTION.perSecond);
    await put({ ...forged, ts: genuine.ts + 2000 });
    expect(refused).toEqual(['1 signature']);
  });

  it('dates a link written without its child by the newest child verified behind it', async () => {
    const { heard, put, sendLink } = setup();
    await put(genuine);
    sendLink(genuine.id, genuine.ts + 60_000);
    expect((heard.at(-1)!.put as Record<string, { _: { '>': Record<string, number> } }>)[PARENT]!._['>'][genuine.id]).toBe(genuine.ts);
  });

  it('dates what it takes by its signature: field states and the link in the same message become the signed date (now at most)', async () => {
    const { heard, put } = setup();
    await put(genuine);
    const message = heard[0]!.put as Record<string, { _: { '>': Record<string, number> } }>;
    const states = Object.values(message[`${PARENT}/${genuine.id}`]!._['>']);
    expect(states.length).toBeGreaterThan(0);
    expect(new Set(states)).toEqual(new Set([genuine.ts]));
    expect(message[PARENT]!._['>'][genuine.id]).toBe(genuine.ts);
  });

  it('passes a message holding no checked child at once, untouched', () => {
    const { heard } = setup();
    const mesh = { say: () => undefined, hear: Object.assign(() => undefined, { one: (msg: object) => heard.push(msg as Record<string, unknown>) }) } as unknown as GunMeshLike;
    checkSignaturesBeforeGun(mesh, { monotonic: () => 0, now: Date.now, onRefused: () => undefined });
    const msg = { '#': 'x', put: { [PARENT]: { _: { '#': PARENT, '>': { nabc: 1 } }, nabc: { '#': `${PARENT}/nabc` } } } };
    mesh.hear.one(msg, {});
    expect(heard).toEqual([msg]);
  });

  it("checks a box key against the key of its node's verified record; a node it has no record of passes on the screen's checks", async () => {
    const { heard, refused, put, putChild } = setup();
    const { identity: eve } = await makeIdentity();
    const { identity: stranger } = await makeIdentity();
    await put(genuine);
    await putChild(BOXES, identity.nodeId, await signBox(identity, await newBoxKeys(), Date.now()));
    // Eve's box key filed under the node's ID: her signature, not the node's.
    await putChild(BOXES, identity.nodeId, { ...(await signBox(eve, await newBoxKeys(), Date.now() + 1)), id: identity.nodeId });
    await putChild(BOXES, stranger.nodeId, await signBox(stranger, await newBoxKeys(), Date.now()));
    expect(heard).toHaveLength(3);
    expect(refused).toEqual(['1 box key signature does not verify']);
  });
});
