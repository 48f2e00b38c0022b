/**
 * GUN fallback signaling against the real relay: two nodes whose PeerJS server is down meet through
 * the relay alone (sealed offer and answer, core/signaling/gun-signaling.ts), over @roamhq/wrtc; a
 * forged signal and a replayed one are refused by Meshdeck's relay before any node sees them
 * (server/relay-signature-check.ts; the node's own refusals: tests/unit/core/signaling/). Two nodes
 * also meet through a stock GUN relay. Runs inside a loopback-only network namespace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeshNode } from '../../core/node/node';
import { systemClock } from '../../core/lib/clock';
import { createGunRendezvous } from '../../core/discovery/gun-rendezvous';
import type { Rendezvous } from '../../core/discovery/rendezvous';
import { importBox, sealSignal } from '../../core/signaling/sealed-signal';
import { startLocalServer } from '../../server/local-server';
import { startStockGunRelay } from '../support/stock-gun-relay';
import { startNodePeer } from '../../server/node-peer';
import { makeIdentity } from '../support/identities';
import { until } from '../support/until';

const ROOM = 'fallback';
/** A loopback port nothing listens on: the PeerJS server is down. */
const DEAD_SIGNALING = 'http://127.0.0.1:9/peerjs';

for (const relayKind of ['meshdeck', 'stock'] as const) describe(`fallback signaling through ${relayKind === 'meshdeck' ? "Meshdeck's" : 'a stock'} GUN relay, with the PeerJS server down`, { timeout: 60_000 }, () => {
  let server: { relayUrl: string; close(): Promise<void> };
  let a: MeshNode;
  let b: MeshNode;
  let attacker: Rendezvous;

  beforeAll(async () => {
    server = relayKind === 'meshdeck' ? await startLocalServer({ port: 0 }) : await startStockGunRelay(9014);
    a = (await startNodePeer({ signalingUrl: DEAD_SIGNALING, relayUrls: [server.relayUrl], room: ROOM })).node;
    b = (await startNodePeer({ signalingUrl: DEAD_SIGNALING, relayUrls: [server.relayUrl], room: ROOM })).node;
    attacker = createGunRendezvous({ relayUrls: [server.relayUrl], room: ROOM, clock: systemClock });
    attacker.start();
  });

  afterAll(async () => {
    attacker?.stop();
    a?.stop();
    b?.stop();
    await server?.close();
  });

  const readyWith = (node: MeshNode, other: MeshNode) => node.snapshot().peers.find((p) => p.nodeId === other.nodeId && p.state === 'ready');
  const refused = (node: MeshNode) => node.snapshot().signaling.fallbacks[0]?.refused ?? 0;
  /** The signal written to a's slot was refused by Meshdeck's relay: a never saw it, its count of refused signals stays. */
  const refusedBy = async (before: number) => {
    await new Promise((r) => setTimeout(r, 3000));
    expect(refused(a)).toBe(before);
  };

  it('two fresh nodes become ready peers through the relay, and say so', async () => {
    await until(() => Boolean(readyWith(a, b) && readyWith(b, a)), 45_000);
    for (const [node, other] of [[a, b], [b, a]] as const) {
      const snapshot = node.snapshot();
      expect(snapshot.signaling.state).not.toBe('open');
      expect(snapshot.signaling.fallbacks).toEqual([expect.objectContaining({ path: 'gun', state: 'open' })]);
      expect(readyWith(node, other)?.path).toBe('gun');
      expect(readyWith(node, other)?.userId).toMatch(/^u[a-z2-7]{26}$/);
    }
    // The session on a GUN-made connection is the usual one: heartbeats measure it.
    await until(() => readyWith(a, b)?.rttMs != null, 8000);
  });

  it("has every node's box key on the relay within seconds of the node's start", async () => {
    // A node writes its box key at start-up, at once and again a few ms later; GUN lost such a pair
    // of writes about one node in three, and the key was missing until its rewrite 15 s later (each
    // GUN-signaled dial to that node failed meanwhile): writes are repeated until a relay acknowledges.
    const nodes = await Promise.all(Array.from({ length: 4 }, async () => (await startNodePeer({ signalingUrl: DEAD_SIGNALING, relayUrls: [server.relayUrl], room: ROOM })).node));
    try {
      const boxes = await Promise.all(nodes.map((node) => attacker.readSlot(['boxes'], node.nodeId, 8000)));
      expect(boxes.map((box) => (box as { id?: string } | undefined)?.id)).toEqual(nodes.map((node) => node.nodeId));
    } finally {
      for (const node of nodes) node.stop();
    }
  });

  // Through a stock relay only the meetings run: there the attacker's write of an old signal, through
  // a GUN client that never read that slot, reached the node in 1 of 3 runs (GUN kept the newer copy),
  // so the test could not tell a refusal from a write that never arrived. The node's own refusals are
  // tested in gun-signaling.test.ts.
  if (relayKind === 'meshdeck') it('refuses a replayed signal: one not newer than the last taken from its sender', async () => {
    // Read by a client of its own: the attacker's client must not hold it already, or GUN would not
    // send the same values again.
    const reader = createGunRendezvous({ relayUrls: [server.relayUrl], room: ROOM, clock: systemClock });
    reader.start();
    // Without GUN's metadata, whose old write states would make the relay take it for history.
    const { _: _meta, ...old } = (await reader.readSlot(['signals', a.nodeId], b.nodeId, 5000)) as Record<string, string | number>;
    reader.stop();
    expect(old.from).toBe(b.nodeId);
    // A newer signal from b (a dials again, b answers): the relay refuses the older one, having
    // verified a newer at that soul.
    a.disconnect(b.nodeId);
    await until(() => !readyWith(a, b), 8000);
    a.dial(b.nodeId, { userAsked: true });
    await until(() => Boolean(readyWith(a, b)), 20_000);
    const before = refused(a);
    attacker.putSlot(['signals', a.nodeId], b.nodeId, { ...old });
    await refusedBy(before);
    expect(readyWith(a, b)).toBeTruthy();
  });
  if (relayKind === 'meshdeck') it('refuses a signal that claims a sender whose key did not sign it', async () => {
    const before = refused(a);
    const forger = await makeIdentity();
    const box = (await attacker.readSlot(['boxes'], a.nodeId, 5000)) as { box: string };
    const { signal } = await sealSignal(forger.identity, a.nodeId, await importBox(box.box), { k: 'offer', sid: 'forged', sdp: 'v=0' }, Date.now());
    // Filed as if b sent it: a checks it against b's node key from b's record, and it does not verify.
    attacker.putSlot(['signals', a.nodeId], b.nodeId, { ...signal, from: b.nodeId });
    await refusedBy(before);
    expect(a.snapshot().peers.filter((p) => p.nodeId === b.nodeId)).toHaveLength(1);
  });

});
