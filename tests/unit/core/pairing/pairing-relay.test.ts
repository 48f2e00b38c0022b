/**
 * Pairing across two MeshNodes over in-memory transports: the joiner's host finds and dials the node
 * the code names, the two ends derive the same channel binding from their own views of the
 * connection, and the sealed messages travel both ways.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { defaultSettings, type Settings } from '../../../../core/settings/settings';
import { generateExportableKeyPair } from '../../../../core/identity/identity';
import { MeshNode } from '../../../../core/node/node';
import { answerJoin, joinWithCode, PairingOffers } from '../../../../core/pairing/pairing-exchange';
import { PAIRING_CONNECT_MS, PairingRelay } from '../../../../core/pairing/pairing-relay';
import { FakeClock, eventually } from '../../../support/fake-clock';
import { MemoryNetwork } from '../../../../server/sim/memory-network';
import { makeIdentity } from '../../../support/identities';
import { pinnedRandom } from '../../../support/pinned-random';

// No automatic dialling: the pairing makes the connection.
const settings: Settings = { ...defaultSettings(), maxPeers: 0 };

describe('PairingRelay', () => {
  const nodes: MeshNode[] = [];
  afterEach(() => {
    for (const node of nodes.splice(0)) node.stop();
  });

  it('connects to the node the code names and carries the exchange both ways', async () => {
    const clock = new FakeClock();
    const network = new MemoryNetwork();
    for (let i = 0; i < 2; i++) {
      const { identity } = await makeIdentity();
      const node = new MeshNode({ identity, clock, createSignaling: network.createSignaling, createRendezvous: network.createRendezvous, app: 'test', random: pinnedRandom() });
      node.configure(settings);
      nodes.push(node);
    }
    const [offerer, joiner] = nodes as [MeshNode, MeshNode];
    await eventually(() => joiner.snapshot().discovered.some((d) => d.nodeId === offerer.nodeId), 'the joiner knows the offerer');
    expect(joiner.snapshot().peers).toHaveLength(0);

    // The offering side, as its host and background do it.
    const offers = new PairingOffers(() => clock.now());
    const { code } = offers.create(offerer.nodeId);
    const userKey = await generateExportableKeyPair();
    offerer.events.on('peer:pair', ({ session, message }) => {
      void answerJoin(offers, { nodeId: session.remoteId, binding: session.channelBinding()! }, message, {
        userKey: async () => userKey,
        entries: async () => [],
        merge: async () => 0,
      }).then(({ reply }) => session.send(reply));
    });

    const relay = new PairingRelay(joiner, clock);
    const joining = joinWithCode(code, {
      connect: (prefix) => relay.connect(prefix),
      exchange: (nodeId, message) => relay.exchange(nodeId, message),
      entries: async () => [],
    });
    const result = await joining;
    expect(result.offeringNodeId).toBe(offerer.nodeId);
    expect(result.userKey).toEqual(userKey);
  });

  it('a dial that throws fails the connect at once and leaves no wait behind to reject unheard (issue 23, item 12)', async () => {
    const clock = new FakeClock();
    const network = new MemoryNetwork();
    const made: MeshNode[] = [];
    for (const pauseOutgoing of [false, true]) {
      const { identity } = await makeIdentity();
      const node = new MeshNode({ identity, clock, createSignaling: network.createSignaling, createRendezvous: network.createRendezvous, app: 'test', random: pinnedRandom() });
      node.configure({ ...settings, pauseOutgoing });
      made.push(node);
      nodes.push(node);
    }
    const [offerer, joiner] = made as [MeshNode, MeshNode];
    await eventually(() => joiner.snapshot().discovered.some((d) => d.nodeId === offerer.nodeId), 'the joiner knows the offerer');
    const unheard: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unheard.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const listeners = joiner.events.listenerCount;
      // Outgoing connections are paused on the joiner: its dial throws.
      await expect(new PairingRelay(joiner, clock).connect(offerer.nodeId.slice(1, 9))).rejects.toThrow(/paused/);
      expect(joiner.events.listenerCount).toBe(listeners);
      await clock.advance(PAIRING_CONNECT_MS + 1);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unheard).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('waits for the record of the node the code names, and says so when none comes', async () => {
    const clock = new FakeClock();
    const { identity } = await makeIdentity();
    const network = new MemoryNetwork();
    const node = new MeshNode({ identity, clock, createSignaling: network.createSignaling, createRendezvous: network.createRendezvous, app: 'test', random: pinnedRandom() });
    node.configure(settings);
    nodes.push(node);
    const connecting = new PairingRelay(node, clock).connect('abcdefgh');
    const failed = expect(connecting).rejects.toThrow(/no browser with that code/);
    await clock.advance(PAIRING_CONNECT_MS);
    await failed;
  });
});

describe('MeshNode.setShared', () => {
  it('writes this node’s value to the channel and hears the others’, also after going offline and back', async () => {
    const clock = new FakeClock();
    const network = new MemoryNetwork();
    const made: MeshNode[] = [];
    for (let i = 0; i < 2; i++) {
      const { identity } = await makeIdentity();
      const node = new MeshNode({ identity, clock, createSignaling: network.createSignaling, createRendezvous: network.createRendezvous, app: 'test', random: pinnedRandom() });
      node.configure(settings);
      made.push(node);
    }
    const [a, b] = made as [MeshNode, MeshNode];
    const heardByB: unknown[] = [];
    b.events.on('shared:heard', ({ value }) => heardByB.push(value));
    b.setShared({ channel: 'chan', value: { from: b.nodeId, n: 1 } });
    a.setShared({ channel: 'chan', value: { from: a.nodeId, n: 1 } });
    await eventually(() => heardByB.some((v) => (v as { from: string }).from === a.nodeId), 'b hears a');
    b.configure({ ...settings, enabled: false });
    a.setShared({ channel: 'chan', value: { from: a.nodeId, n: 2 } });
    heardByB.length = 0;
    b.configure(settings);
    await eventually(() => heardByB.some((v) => (v as { n: number }).n === 2), 'b hears a’s newer value on coming back');
    a.setShared(null);
    b.setShared(null);
    for (const node of made) node.stop();
  });
});
