import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../../server/sim/virtual-clock';
import { SimNetwork, type NetworkConditions } from '../../../../server/sim/sim-network';
import type { Link } from '../../../../core/session/link';
import { fakeId } from '../../../support/ids';

const lossy: NetworkConditions = { linkLatencyMs: [20, 20], lossMax: 1, retransmitMs: 200, serverLatencyMs: [5, 5] };

function twoNodes(conditions?: NetworkConditions, seed = 1) {
  const clock = new VirtualClock();
  const network = new SimNetwork(clock, seed, conditions);
  const [a, b] = [fakeId(1), fakeId(2)];
  const sa = network.add(a, 0).createSignaling({ url: 'http://signaling.sim.test/peerjs', nodeId: a, iceServers: [], clock });
  const sb = network.add(b, 1).createSignaling({ url: 'http://signaling.sim.test/peerjs', nodeId: b, iceServers: [], clock });
  let inbound: Link | null = null;
  sb.events.on('link:inbound', (link) => (inbound = link));
  sa.start();
  sb.start();
  return { clock, network, a, b, sa, sb, inbound: () => inbound };
}

describe('SimNetwork', () => {
  it('introduces registered nodes, opens both ends and carries frames in order despite retransmissions', async () => {
    const { clock, b, sa, inbound } = twoNodes(lossy);
    await clock.advance(100);
    const ours = sa.dial(b);
    const opened: string[] = [];
    ours.events.on('open', () => opened.push('ours'));
    await clock.advance(1000);
    expect(opened).toEqual(['ours']);
    const received: string[] = [];
    inbound()!.events.on('frame', (frame) => received.push(frame));
    for (let i = 0; i < 20; i++) ours.send(`frame ${i}`);
    await clock.advance(5000);
    expect(received).toEqual(Array.from({ length: 20 }, (_, i) => `frame ${i}`));
  });

  it('fails a dial to a node nobody registered as peer-unavailable', async () => {
    const { clock, sa } = twoNodes();
    await clock.advance(100);
    const link = sa.dial(fakeId(9));
    const errors: string[] = [];
    let closed = false;
    link.events.on('error', (error) => errors.push(error.message));
    link.events.on('close', () => (closed = true));
    await clock.advance(1000);
    expect(errors[0]).toMatch(/peer-unavailable/);
    expect(closed).toBe(true);
  });

  it('silences a killed node: its frames stop, its links stay open on the far side, dials to it fail', async () => {
    const { clock, network, a, b, sa, inbound } = twoNodes();
    await clock.advance(100);
    const ours = sa.dial(b);
    await clock.advance(1000);
    const theirs = inbound()!;
    const heard: string[] = [];
    ours.events.on('frame', (frame) => heard.push(frame));
    network.kill(b);
    theirs.send('after death');
    theirs.close();
    await clock.advance(5000);
    expect(heard).toEqual([]);
    expect(network.linksOf(a)[0]?.isClosed).toBe(false);
    expect(network.linksOf(a)).toHaveLength(1);
    const again = sa.dial(b);
    let failed = false;
    again.events.on('error', () => (failed = true));
    await clock.advance(1000);
    expect(failed).toBe(true);
  });

  it('draws the same link conditions from the same seed', async () => {
    const latencyOf = async (seed: number) => {
      const { clock, b, sa, inbound } = twoNodes({ linkLatencyMs: [5, 500], lossMax: 0, retransmitMs: 0, serverLatencyMs: [5, 5] }, seed);
      await clock.advance(100);
      const ours = sa.dial(b);
      await clock.advance(3000);
      let at = -1;
      inbound()!.events.on('frame', () => (at = clock.monotonic()));
      const sent = clock.monotonic();
      ours.send('x');
      await clock.advance(1000);
      return at - sent;
    };
    expect(await latencyOf(7)).toBe(await latencyOf(7));
    const latencies = new Set(await Promise.all([1, 2, 3, 4, 5].map(latencyOf)));
    expect(latencies.size).toBeGreaterThan(1);
  });
});
