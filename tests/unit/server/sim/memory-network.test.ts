import { describe, expect, it } from 'vitest';
import { linkPair, MemoryNetwork, type MemoryLink } from '../../../../server/sim/memory-network';
import { settle, VirtualClock } from '../../../../server/sim/virtual-clock';
import type { Link } from '../../../../core/session/link';
import { fakeId } from '../../../support/ids';

/** Two nodes registered on a network with no clock: what the unit tests run on. */
async function twoNodes() {
  const network = new MemoryNetwork();
  // The signaling's own clock, which the network's signaling has no use for: the network has none.
  const clock = new VirtualClock();
  const [a, b] = [fakeId(1), fakeId(2)];
  const sa = network.createSignaling({ url: 'http://127.0.0.1:9000/peerjs', nodeId: a, iceServers: [], clock });
  const sb = network.createSignaling({ url: 'http://127.0.0.1:9000/peerjs', nodeId: b, iceServers: [], clock });
  const inbound: Link[] = [];
  sb.events.on('link:inbound', (link) => inbound.push(link));
  sa.start();
  sb.start();
  await settle();
  return { network, a, b, sa, sb, inbound };
}

describe('MemoryNetwork with no clock', () => {
  it('registers, introduces and opens both ends with no clock advanced, and carries frames in order', async () => {
    const { network, a, b, sa, inbound } = await twoNodes();
    expect([...network.registered.keys()].sort()).toEqual([a, b].sort());
    const ours = sa.dial(b) as MemoryLink;
    await settle();
    expect(ours.isOpen).toBe(true);
    expect(inbound[0]).toMatchObject({ remoteId: a, direction: 'inbound', isOpen: true });
    const heard: string[] = [];
    inbound[0]!.events.on('frame', (frame) => heard.push(frame));
    for (let i = 0; i < 5; i++) ours.send(`frame ${i}`);
    await settle();
    expect(heard).toEqual(Array.from({ length: 5 }, (_, i) => `frame ${i}`));
    expect(network.linksOf(a)).toEqual([ours]);
  });

  it('keeps what a link sends for the test to read, and closes the far end after the near one', async () => {
    const [la, lb] = linkPair(fakeId(1), fakeId(2));
    la.open();
    lb.open();
    la.send('hello');
    expect(la.sent).toEqual(['hello']);
    expect(la.fingerprints()).toEqual({ local: la.localFingerprint, remote: lb.localFingerprint });
    la.close();
    expect(lb.isClosed).toBe(false);
    await settle();
    expect(lb.isClosed).toBe(true);
  });

  it('leaves a dial to an unanswered node pending, and fails one to a node nobody registered', async () => {
    const { network, sa } = await twoNodes();
    network.unanswered.add(fakeId(8));
    const pending = sa.dial(fakeId(8)) as MemoryLink;
    const missing = sa.dial(fakeId(9)) as MemoryLink;
    const errors: string[] = [];
    missing.events.on('error', (error) => errors.push(error.message));
    await settle();
    expect(pending).toMatchObject({ isOpen: false, isClosed: false });
    expect(errors).toEqual([expect.stringMatching(/^peer-unavailable/)]);
    expect(missing.isClosed).toBe(true);
  });
});
