/**
 * The GUN rendezvous against the real relay: records flow between nodes, a relay that goes away and
 * comes back is re-attached (GUN alone does not reliably reconnect), and malformed records are refused
 * by Meshdeck's relay and, past a stock relay, by the reader itself.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../core/lib/clock';
import { createGunRendezvous } from '../../core/discovery/gun-rendezvous';
import type { Rendezvous } from '../../core/discovery/rendezvous';
import { startLocalServer, type LocalServer } from '../../server/local-server';
import { installNodeWebRTC } from '../../server/node-webrtc';
import { until } from '../support/until';
import { signRecord } from '../../core/discovery/rendezvous-record';
import { makeIdentity } from '../support/identities';
import { junkFileLists, junkRecords, openRoomWriter } from '../support/hostile-records';
import { madeUpNodeId } from '../support/ids';
import { startStockGunRelay } from '../support/stock-gun-relay';

const signed = async () => signRecord((await makeIdentity()).identity, { signal: ['http://127.0.0.1:9/peerjs'], routing: true, neighbors: [] }, Date.now());

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
      r.events.on('record:update', ({ value }) => state.records.push(value));
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

    const record = await signed();
    a.r.announce(record);
    await until(() => b.state.records.some((r) => (r as { id?: string }).id === record.id), 5000, 'record through the new relay');
    expect(b.state.records.length).toBeGreaterThan(0);
  }, 60_000);

  for (const screenRecords of [true, false]) {
    it(`keeps junk out of the reader's GUN graph behind ${screenRecords ? "Meshdeck's relay (which refuses it)" : 'a stock GUN relay'}`, async () => {
      const relay = await startLocalServer({ port: 0, screenRecords });
      const room = `junk-${screenRecords}`;
      const reader = createGunRendezvous({ relayUrls: [relay.relayUrl], room, clock: systemClock });
      opened.push(reader);
      const seen: unknown[] = [];
      let refused = 0;
      reader.events.on('record:update', ({ value }) => seen.push(value));
      reader.events.on('records:refused', (records) => (refused += records.length));
      reader.start();
      const writer = openRoomWriter(relay.relayUrl, room);
      try {
        const record = await signed();
        reader.announce(record);
        await until(() => seen.some((r) => (r as { id?: string }).id === record.id), 5000, 'the genuine record');
        const junk = junkRecords(200, [record], relay.signalingUrl);
        const { puts, acked } = await writer.put(junk, { batch: 50, ackTimeoutMs: 5000 });
        // Meshdeck's relay answers a write it refused whole with an error: no put is acknowledged.
        if (screenRecords) expect(acked).toBe(0);
        else expect(acked).toBe(puts);
        if (!screenRecords) await until(() => refused > 0, 5000, 'the reader refused junk');
        await new Promise((r) => setTimeout(r, 500));
        // Junk that passes the shape checks (keys that do not derive the IDs) reaches the record table only
        // past a stock relay, to be refused there at the signature check.
        const delivered = [...new Set(seen.map((r) => (r as { id?: string }).id))].filter((id) => id !== record.id);
        if (screenRecords) expect(delivered).toEqual([]);
        else expect(delivered.length).toBeLessThanOrEqual(junk.length / 5);
      } finally {
        writer.close();
        reader.stop();
        await relay.close();
      }
    }, 60_000);
  }
  it("keeps a node's newest genuine record on Meshdeck's relay: a forged copy or an older genuine one written after it is refused (issue 23)", async () => {
    installNodeWebRTC();
    const relay = await startLocalServer({ port: 0 });
    const room = 'forged-copies';
    const start = () => {
      const r = createGunRendezvous({ relayUrls: [relay.relayUrl], room, clock: systemClock });
      opened.push(r);
      const seen: Record<string, unknown>[] = [];
      r.events.on('record:update', ({ value }) => seen.push(value as Record<string, unknown>));
      r.start();
      return { r, seen };
    };
    const victim = start();
    const writer = openRoomWriter(relay.relayUrl, room);
    try {
      const { identity } = await makeIdentity();
      const content = { signal: ['http://127.0.0.1:9/peerjs'], routing: true, neighbors: [] };
      const older = await signRecord(identity, content, Date.now() - 5000);
      const genuine = await signRecord(identity, content, Date.now());
      victim.r.announce(genuine);
      await until(() => victim.seen.some((r) => r.sig === genuine.sig), 5000, 'the genuine record on the relay');
      // Well-shaped, IDs derived from the keys, the signature no longer holds; and the node's own older record.
      const forged = { ...genuine, signal: JSON.stringify(['http://127.0.0.1:9/evil']), ts: genuine.ts + 1 };
      expect((await writer.put([[genuine.id, forged]], { ackTimeoutMs: 5000 })).acked).toBe(0);
      expect((await writer.put([[genuine.id, older]], { ackTimeoutMs: 5000 })).acked).toBe(0);
      // A reader that comes later reads what the relay kept.
      const later = start();
      await until(() => later.seen.some((r) => r.id === genuine.id), 5000, 'the record read by a later reader');
      await new Promise((r) => setTimeout(r, 500));
      expect(later.seen.filter((r) => r.id === genuine.id).map((r) => r.sig)).toEqual([genuine.sig]);
    } finally {
      writer.close();
      await relay.close();
    }
  }, 60_000);

  it('reads a newcomer through a stock GUN relay while links with no child keep coming, 8 a second (issue 23)', async () => {
    // Links alone are the cheapest thing to write: before the reader learnt that the relay holds no
    // child behind them, each held a fetch slot for its whole timeout, and 4 such links a second kept
    // every slot busy.
    installNodeWebRTC();
    const stock = await startStockGunRelay(9012);
    const room = 'links-stream';
    const make = () => {
      const r = createGunRendezvous({ relayUrls: [stock.relayUrl], room, clock: systemClock });
      opened.push(r);
      r.start();
      return r;
    };
    const reader = make();
    const seen: string[] = [];
    reader.events.on('record:update', ({ value }) => seen.push((value as { id: string }).id));
    const first = await signed();
    reader.announce(first);
    const writer = openRoomWriter(stock.relayUrl, room);
    let streaming = true;
    let written = 0;
    const stream = (async () => {
      while (streaming) {
        const links = Array.from({ length: 8 }, (): [string, object] => {
          const key = madeUpNodeId();
          return [key, { '#': `meshdeck/v1/${room}/nodes/${key}` }];
        });
        // A stock relay acknowledges no batch: the stream does not wait for one.
        await writer.put(links, { batch: 8, ackTimeoutMs: 100 });
        written += links.length;
        await new Promise((r) => setTimeout(r, 900));
      }
    })();
    const newcomer = make();
    try {
      await until(() => written >= 40, 15_000, 'a backlog of links');
      const record = await signed();
      const announcedAt = Date.now();
      newcomer.announce(record);
      await until(() => seen.includes(record.id), 8000, 'the newcomer read behind the stream of links');
      console.log(`links with no child: the newcomer read ${Date.now() - announcedAt} ms after it announced; ${written} links written by then`);
    } finally {
      streaming = false;
      await stream;
      writer.close();
      reader.stop();
      newcomer.stop();
      await stock.close();
    }
  }, 60_000);

  it('hands a slot\'s watcher every rewrite through a stock GUN relay, which passes a write on in chunks (issue 23)', async () => {
    installNodeWebRTC();
    const stock = await startStockGunRelay(9032);
    const room = 'rewrites';
    const make = () => {
      const r = createGunRendezvous({ relayUrls: [stock.relayUrl], room, clock: systemClock });
      opened.push(r);
      r.start();
      return r;
    };
    const [to, from] = [madeUpNodeId(), madeUpNodeId()];
    const writer = make();
    const reader = make();
    try {
      const heard = new Set<number>();
      reader.events.on('slot:update', ({ value }) => heard.add((value as { ts: number }).ts));
      reader.watchSlots(['signals', to]);
      await new Promise((r) => setTimeout(r, 1000));
      // A signal's shape (the reader checks no signature); a rewrite every 1.5 s, as a node's dials may.
      // Before: the stock relay passed each write on in two chunks, the screen refused the first with
      // its link, and 2 to 5 of 12 rewrites never reached the reader.
      const sent: number[] = [];
      for (let i = 0; i < 12; i++) {
        const ts = Date.now();
        sent.push(ts);
        writer.putSlot(['signals', to], from, { from, to, ts, epk: `epk${i}`, iv: `iv${i}`, ct: `ct${i}`, sig: `sig${i}` });
        await new Promise((r) => setTimeout(r, 1500));
      }
      await until(() => sent.every((ts) => heard.has(ts)), 5000, 'every rewrite heard').catch(() => undefined);
      expect(sent.filter((ts) => !heard.has(ts))).toEqual([]);
    } finally {
      await stock.close();
    }
  }, 60_000);

  for (const screenRecords of [true, false]) {
    it(`hands the files slot's readers only well-formed lists behind ${screenRecords ? "Meshdeck's relay" : 'a stock GUN relay'} (issue 23)`, async () => {
      const relay = await startLocalServer({ port: 0, screenRecords });
      const room = `files-${screenRecords}`;
      const make = () => {
        const r = createGunRendezvous({ relayUrls: [relay.relayUrl], room, clock: systemClock });
        opened.push(r);
        r.start();
        return r;
      };
      const reader = make();
      const lister = make();
      const heard: { key: string; value: unknown }[] = [];
      reader.events.on('slot:update', ({ path, key, value }) => {
        if (path === 'files') heard.push({ key, value });
      });
      reader.watchSlots(['files']);
      const writer = openRoomWriter(relay.relayUrl, room, 'files');
      try {
        const { identity } = await makeIdentity();
        const list = { id: identity.nodeId, list: '[]', ts: Date.now(), sig: 's'.repeat(86) };
        lister.putSlot(['files'], identity.nodeId, list);
        await until(() => heard.some((h) => h.key === identity.nodeId), 10_000, 'the lister\'s list');
        const junk = junkFileLists(200);
        await writer.put(junk, { batch: 50, ackTimeoutMs: 5000 });
        await new Promise((r) => setTimeout(r, 3000));
        // Only the well-shaped quarter (unsigned: the file sharing's signature check refuses them) may
        // reach a reader, and only past a stock relay; nothing malformed ever does.
        const keys = new Map(junk);
        for (const { key, value } of heard) {
          if (key === identity.nodeId) continue;
          expect(keys.has(key)).toBe(true);
          expect(value).toMatchObject({ id: key, list: (keys.get(key) as { list: string }).list });
        }
        expect(heard.filter((h) => h.key !== identity.nodeId).length).toBeLessThanOrEqual(junk.length / 4);
      } finally {
        writer.close();
        reader.stop();
        lister.stop();
        await relay.close();
      }
    }, 60_000);
  }
});
