/**
 * GUN fallback signaling over an in-memory rendezvous and stand-in connections: when it makes an
 * RTCPeerConnection (Chromium counts each against the renderer's 500 until collected, issue 22). The
 * whole path over real WebRTC and a real relay: tests/integration/fallback-signaling.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GunSignaling } from '../../../../core/signaling/gun-signaling';
import { ANNOUNCE_INTERVAL_MS } from '../../../../core/discovery/rendezvous-record';
import { importPublicKey } from '../../../../core/identity/identity';
import { fromBase64Url } from '../../../../core/lib/encoding';
import type { Link } from '../../../../core/session/link';
import { FakeClock, eventually } from '../../../support/fake-clock';
import { MemoryNetwork } from '../../../../server/sim/memory-network';
import { makeIdentity } from '../../../support/identities';
import { FakePeerConnection, installFakePeerConnections } from '../../../support/fake-peer-connection';

let restore: () => void;
beforeEach(() => (restore = installFakePeerConnections()));
afterEach(() => restore());

/** Two nodes on one in-memory relay, each knowing the other's node key as a fresh record would give it. */
async function twoNodes() {
  const clock = new FakeClock();
  const network = new MemoryNetwork();
  const { store } = network;
  const keys = new Map<string, CryptoKey>();
  const node = async (made?: Awaited<ReturnType<typeof makeIdentity>>) => {
    const { identity } = made ?? (await makeIdentity());
    keys.set(identity.nodeId, await importPublicKey(fromBase64Url(identity.nodePub)));
    const board = network.createRendezvous({ relayUrls: ['relay'], room: 'room', clock });
    const gun = new GunSignaling({ identity, iceServers: [], clock, board, nodeKeyOf: (id) => keys.get(id) ?? null });
    board.start();
    gun.start();
    return { id: identity.nodeId, gun, board, identity };
  };
  const a = await node();
  const b = await node();
  await eventually(() => a.gun.state === 'open' && b.gun.state === 'open', 'both open');
  // Each has read the other's box key once it is written.
  await eventually(() => store.slots.get('boxes')?.size === 2, 'box keys written');
  const stop = () => {
    for (const { gun, board } of [a, b]) {
      gun.stop();
      board.stop();
    }
  };
  return { a, b, stop, clock, store, node };
}

function failure(link: Link): Promise<string> {
  return new Promise((resolve) => link.events.on('error', (error) => resolve(error.message)));
}

describe('GunSignaling box keys (issue 23, item 7)', () => {
  it('writes the newest box key signed, when an earlier signing finishes last', async () => {
    const clock = new FakeClock();
    const network = new MemoryNetwork();
    const { store } = network;
    const { identity } = await makeIdentity();
    let signings = 0;
    // The first box key's signature takes longer than the next one's.
    const slowFirst = Object.create(identity, {
      sign: { value: async (text: string) => ((++signings === 1 ? await new Promise((r) => setTimeout(r, 100)) : undefined), identity.sign(text)) },
    }) as typeof identity;
    const board = network.createRendezvous({ relayUrls: ['relay'], room: 'room', clock });
    const gun = new GunSignaling({ identity: slowFirst, iceServers: [], clock, board, nodeKeyOf: () => null });
    board.start();
    gun.start();
    await eventually(() => signings >= 1, 'the first signing started');
    await clock.advance(ANNOUNCE_INTERVAL_MS);
    await eventually(() => signings >= 2, 'a later signing started');
    await new Promise((r) => setTimeout(r, 200));
    expect((store.slots.get('boxes')!.get(identity.nodeId) as { ts: number }).ts).toBe(clock.now());
    gun.stop();
    board.stop();
  });

  it('refuses a box key from an earlier run of the target: too old, or older than one taken since', async () => {
    const { a, b, stop, clock, store, node } = await twoNodes();
    const boxOfB = () => store.slots.get('boxes')!.get(b.id) as { ts: number };
    const offers: Link[] = [];
    const earlierRun = boxOfB();
    // B runs again (a restart: same node key, a new box key), and A dials it once.
    b.gun.stop();
    b.board.stop();
    await clock.advance(20_000);
    const again = await node({ identity: b.identity } as Awaited<ReturnType<typeof makeIdentity>>);
    again.gun.events.on('link:inbound', (link) => offers.push(link));
    await eventually(() => boxOfB().ts > earlierRun.ts, 'B wrote its new box key');
    a.gun.dial(b.id);
    await eventually(() => offers.length === 1, 'the offer reached B');

    // A relay hands A the earlier run's box key again: signed by B, but nobody holds its private key.
    store.slots.get('boxes')!.set(b.id, earlierRun);
    expect(await failure(a.gun.dial(b.id))).toMatch(/older than one of that node taken before/);
    // A node that never took B's box key refuses it too, once it is older than B rewrites it within.
    await clock.advance(45_000);
    store.slots.get('boxes')!.set(b.id, earlierRun);
    const c = await node();
    await eventually(() => c.gun.state === 'open', 'C open');
    store.slots.get('boxes')!.set(b.id, earlierRun);
    expect(await failure(c.gun.dial(b.id))).toMatch(/stale/);
    for (const { gun, board } of [again, c]) {
      gun.stop();
      board.stop();
    }
    stop();
  });
});

describe('GunSignaling and Chromium\'s RTCPeerConnection budget', () => {
  it('a dial that fails before it needs a connection (no valid record of the target) makes none', async () => {
    const { a, stop } = await twoNodes();
    const link = a.gun.dial(`n${'z'.repeat(26)}`);
    expect(await failure(link)).toMatch(/no valid record/);
    expect(FakePeerConnection.made).toHaveLength(0);
    stop();
  });

  it('makes the dialling connection once the box key is read, and none for an offer the node turns away', async () => {
    const { a, b, stop } = await twoNodes();
    const inbound: Link[] = [];
    // The node drops it, as it does over its caps (core/node/inbound-gate.ts).
    b.gun.events.on('link:inbound', (link) => {
      inbound.push(link);
      link.close();
    });
    a.gun.dial(b.id);
    await eventually(() => inbound.length === 1, 'the offer reached B');
    expect(inbound[0]!.remoteId).toBe(a.id);
    // A's dialling connection only: B answered nothing, and made nothing to answer with.
    expect(FakePeerConnection.made).toHaveLength(1);
    expect(FakePeerConnection.made[0]!.localDescription?.type).toBe('offer');
    stop();
  });

  it('an offer the node keeps is answered on a connection made for it', async () => {
    const { a, b, stop } = await twoNodes();
    const inbound: Link[] = [];
    b.gun.events.on('link:inbound', (link) => inbound.push(link));
    a.gun.dial(b.id);
    await eventually(() => FakePeerConnection.made.length === 2 && FakePeerConnection.made[1]!.localDescription !== null, 'B answered');
    expect(inbound).toHaveLength(1);
    expect(FakePeerConnection.made[1]!.localDescription?.type).toBe('answer');
    stop();
    expect(FakePeerConnection.made.every((pc) => pc.isClosed)).toBe(true);
  });

  it('refuses a replayed signal: one not newer than the last taken from its sender (a relay that checks nothing delivers it)', async () => {
    const { a, b, stop, store } = await twoNodes();
    const inbound: Link[] = [];
    b.gun.events.on('link:inbound', (link) => inbound.push(link));
    const inbox = () => [...store.slots.entries()].find(([path]) => path.includes(b.id))!;
    a.gun.dial(b.id);
    await eventually(() => inbound.length === 1, 'the first offer reached B');
    const [path, signals] = inbox();
    const first = signals.get(a.id);
    a.gun.dial(b.id);
    await eventually(() => inbound.length === 2, 'a newer offer reached B');
    store.putSlot(path, a.id, first);
    await eventually(() => b.gun.snapshot().refused === 1, 'the replay refused');
    expect(b.gun.snapshot().lastError).toMatch(/replayed/);
    expect(inbound).toHaveLength(2);
    stop();
  });

  it("gives the reader its verdict on each signal: false for a forged or replayed one, so that the read waits on for the genuine one", async () => {
    const { a, b, stop, store } = await twoNodes();
    const inbound: Link[] = [];
    b.gun.events.on('link:inbound', (link) => inbound.push(link));
    a.gun.dial(b.id);
    await eventually(() => inbound.length === 1, 'the first offer reached B');
    const [path, signals] = [...store.slots.entries()].find(([slot]) => slot.includes(b.id))!;
    const first = signals.get(a.id) as { ts: number };
    const verdictOn = (value: unknown) => new Promise<boolean>((resolve) => b.board.events.emit('slot:update', { path, key: a.id, value, verdict: resolve }));
    // Taken already: delivered again, it is no news, and a read does not end on it.
    expect(await verdictOn(first)).toBe(false);
    // Well formed, newer, from a node B knows, but not signed so: forged.
    const tampered = { ...first, ts: first.ts + 1 };
    expect(await verdictOn(tampered)).toBe(false);
    a.gun.dial(b.id);
    await eventually(() => inbound.length === 2, 'a newer offer reached B');
    // The earlier signal replayed in front of the newer one: no news.
    expect(await verdictOn(first)).toBe(false);
    stop();
  });
});
