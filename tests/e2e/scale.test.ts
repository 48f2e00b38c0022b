/**
 * Real processes at small scale (issue 14): 20 `meshdeck-node` processes and 2 Chromium profiles with
 * the extension, on 2 federated servers (each a PeerJS server and a GUN relay). The first server dies,
 * its PeerJS server and its relay with it: every node is ready again on what is left, and a node that
 * starts after the kill meets the mesh through it. The time it takes is a figure of `npm run bench --
 * scale` (real_failover_ready_ms); the bound here only keeps a broken build from hanging.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readyWithout, startFailoverMesh, type FailoverMesh, type NodeState } from '../support/failover-mesh';
import { until } from '../support/until';

const NODES = 20;
const BROWSERS = 2;

describe('20 meshdeck-nodes and 2 browsers on 2 servers and 2 relays', () => {
  let mesh: FailoverMesh;
  let states: NodeState[] = [];
  // Each read asks all 22 nodes: every 250 ms is enough.
  const poll = async (accept: (state: NodeState) => boolean, ms: number, what: string) => {
    states = await until(() => mesh.states(), ms, what, (all) => all.every(accept), { everyMs: 250 });
  };

  beforeAll(async () => {
    mesh = await startFailoverMesh({ nodes: NODES, browsers: BROWSERS });
  }, 180_000);

  afterAll(async () => {
    await mesh?.close();
  }, 60_000);

  it('every node registers on both servers, reads both relays and has peers', async () => {
    const [first, second] = mesh.servers;
    await poll(
      (s) => s.ready >= 2 && s.signalingOpen.length === 2 && s.relaysOpen.length === 2,
      150_000,
      'every node on both servers and both relays, with 2 ready peers',
    );
    expect(states).toHaveLength(NODES + BROWSERS);
    for (const state of states) expect(state.signalingOpen.sort()).toEqual([first!.signalingUrl, second!.signalingUrl].sort());
  }, 180_000);

  it('with the first server and its relay killed, every node is ready again on what is left', async () => {
    const [first] = mesh.servers;
    const dead = { signalingUrl: first!.signalingUrl, relayUrl: first!.relayUrl };
    await first!.close();
    await poll((s) => readyWithout(s, dead), 60_000, 'every node ready without the first server');
    for (const node of mesh.nodes) expect(node.child.exitCode).toBeNull();
  }, 90_000);

  it('a node started after the kill meets the mesh through the server and relay left', async () => {
    const newcomer = mesh.addNode();
    const id = await newcomer.started(60_000);
    await until(() => newcomer.out.some((line) => line.startsWith('peer ready: ')), 60_000, `${id} ready with a peer`);
    // Its record reaches the browsers through the relay left (they may be full and not dial it).
    await until(
      () => Promise.all(mesh.browsers.map(async (browser) => (await browser.snapshot()).discovered.some((d) => d.nodeId === id))),
      30_000,
      'a browser has the newcomer\'s record',
      (heard) => heard.some(Boolean),
    );
  }, 120_000);
});
