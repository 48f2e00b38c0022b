/**
 * The GUN rendezvous against the real relay: records flow between nodes, and a relay that goes away
 * and comes back is re-attached (GUN alone does not reliably reconnect).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../core/lib/clock';
import { createGunRendezvous } from '../../core/discovery/gun-rendezvous';
import type { Rendezvous } from '../../core/node/transport';
import { startLocalServer, type LocalServer } from '../../server/local-server';
import { installNodeWebRTC } from '../../server/node-webrtc';
import { until } from '../support/until';

describe('GUN rendezvous', () => {
  const opened: Rendezvous[] = [];
  let server: LocalServer | null = null;
  afterAll(async () => {
    for (const r of opened) r.stop();
    await server?.close();
  });

  it('re-attaches to a relay that went away and came back, and records flow again', async () => {
    installNodeWebRTC();
    server = await startLocalServer({ port: 0 });
    const port = server.port;
    const relayUrl = server.relayUrl;
    const make = () => {
      const r = createGunRendezvous({ relayUrls: [relayUrl], room: 'reattach', clock: systemClock });
      const state = { relay: 'connecting', records: [] as unknown[] };
      r.events.on('relay:state', ({ state: s }) => (state.relay = s));
      r.events.on('record:update', (data) => state.records.push(data));
      r.start();
      opened.push(r);
      return { r, state };
    };
    const a = make();
    const b = make();
    await until(() => a.state.relay === 'open' && b.state.relay === 'open', 5000, 'both attached');

    await server.close();
    await until(() => a.state.relay === 'closed' && b.state.relay === 'closed', 5000, 'both see the relay gone');
    await new Promise((r) => setTimeout(r, 3000));
    server = await startLocalServer({ port });
    await until(() => a.state.relay === 'open' && b.state.relay === 'open', 20_000, 'both re-attached');

    const record = { id: 'nrecord', ts: Date.now() };
    a.r.announce(record as never);
    await until(() => b.state.records.some((r) => (r as { id?: string }).id === 'nrecord'), 5000, 'record through the new relay');
    expect(b.state.records.length).toBeGreaterThan(0);
  }, 60_000);
});
