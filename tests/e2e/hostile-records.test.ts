/**
 * The extension's node against hostile writers to the rendezvous mesh, in real Chromium (loopback-only
 * namespace): records written to the room directly (tests/support/hostile-records.ts) — a record dated
 * a year ahead, and a storm of junk and Sybil records through a stock GUN relay, the storm's honest
 * newcomer a meshdeck-node process (Node's WebRTC may crash natively, and a crash must be the
 * newcomer's, never this test worker's). Each attack must be refused or survived, and the popup and the
 * dashboard must stay live throughout (tests/support/attacked-extension.ts).
 *
 * Bounds are generous (this machine is loaded) and only keep a broken build from hanging the suite;
 * measured figures are printed, never asserted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'puppeteer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalServer } from '../../server/local-server';
import { spawnMeshdeckNode } from '../../server/node-process';
import { peerOf, startAttackedExtension, type AttackedExtension } from '../support/attacked-extension';
import { request, type ExtensionBrowser } from '../support/extension-browser';
import { junkRecords, makeIdentities, openRoomWriter, sybilRecord, type RoomWriter } from '../support/hostile-records';
import { makeIdentity } from '../support/identities';
import { startStockGunRelay } from '../support/stock-gun-relay';
import { until } from '../support/until';
import { startOwnStallProbe, startStallProbe, startViewProbe } from '../support/view-probes';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the extension under attack through the rendezvous mesh', () => {
  let attacked: AttackedExtension;
  let server: LocalServer;
  let extension: ExtensionBrowser;
  let popup: Page;
  let dashboard: Page;
  const hostiles: { close(): void }[] = [];
  const track = <T extends { close(): void }>(hostile: T): T => {
    hostiles.push(hostile);
    return hostile;
  };
  const assertLive = (after: string) => attacked.assertLive(after);
  let writer: RoomWriter | null = null;

  beforeAll(async () => {
    attacked = await startAttackedExtension();
    ({ server, extension, popup, dashboard } = attacked);
  });

  afterEach(() => {
    for (const hostile of hostiles.splice(0)) hostile.close();
  });

  afterAll(async () => {
    for (const hostile of hostiles.splice(0)) hostile.close();
    writer?.close();
    // Throws if any extension context counted an uncaught error or unhandled rejection.
    await attacked?.close();
  }, 60_000);

  it('a record dated a year ahead, validly signed: counted invalid, never listed', async () => {
    writer ??= openRoomWriter(server.relayUrl, 'default');
    const [ahead, control] = await Promise.all([makeIdentity(), makeIdentity()]);
    const before = await extension.snapshot();
    const yearAhead = await sybilRecord(ahead, { signal: [server.signalingUrl], routing: true, neighbors: [] }, Date.now() + 365 * 24 * 3600_000);
    // Control, beside it: a valid record (on a signaling server nobody can reach here, so never dialled).
    const valid = await sybilRecord(control, { signal: ['http://127.0.0.1:9/peerjs'], routing: true, neighbors: [] });
    await writer.put([
      [ahead.identity.nodeId, yearAhead],
      [control.identity.nodeId, valid],
    ]);
    const seen = await until(
      () => extension.snapshot(),
      20_000,
      'the record counted invalid, the control listed',
      (s) => s.rendezvous.invalid > before.rendezvous.invalid && s.discovered.some((d) => d.nodeId === control.identity.nodeId),
    );
    expect(seen.rendezvous.invalid).toBe(before.rendezvous.invalid + 1);
    for (let i = 0; i < 10; i++) {
      expect((await extension.snapshot()).discovered.map((d) => d.nodeId)).not.toContain(ahead.identity.nodeId);
      await sleep(300);
    }
    await assertLive('the record dated ahead');
  });

  it('a storm of 10,000 junk and 500 Sybil records through a stock GUN relay: the node finds and dials a valid newcomer, the views stay live', async () => {
    // The gun package's own server, in a process of its own: it stores and forwards all of it.
    const stock = await startStockGunRelay(9002);
    const stockWriter = openRoomWriter(stock.relayUrl, 'default');
    await request(popup, { type: 'settings:update', patch: { relayUrls: [stock.relayUrl] } });
    await until(() => extension.snapshot(), 30_000, 'the node on the stock relay', (s) => s.rendezvous.relays.some((r) => r.url === stock.relayUrl && r.state === 'open'));
    try {
      await stormThroughStockRelay(stock.relayUrl, stockWriter);
    } finally {
      stockWriter.close();
      await request(popup, { type: 'settings:update', patch: { relayUrls: [server.relayUrl] } });
      await stock.close();
    }
  }, 240_000);

  async function stormThroughStockRelay(relayUrl: string, stormWriter: RoomWriter): Promise<void> {
    let started = Date.now();
    const sybils = await makeIdentities(500);
    const content = { signal: [server.signalingUrl], routing: true, neighbors: [] };
    const sybilRecords = await Promise.all(sybils.map((identity) => sybilRecord(identity, content)));
    const genuineTs = new Map(sybilRecords.map((r) => [r.id, r.ts]));
    const junk = junkRecords(10_000, sybilRecords, server.signalingUrl);
    const junkKeys = new Set(junk.map(([key]) => key));
    console.log(`hostile storm: 500 Sybil identities and records made in ${Date.now() - started} ms`);
    // Interleaved, as a storm would come.
    const entries: [string, object][] = [...sybilRecords.map((r): [string, object] => [r.id, r]), ...junk];
    for (let i = entries.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [entries[i], entries[j]] = [entries[j]!, entries[i]!];
    }
    const before = await extension.snapshot();
    // How the views and the node host fare, measured inside them, from the first put on.
    const [readPopupProbe, readDashboardProbe, readHostStall] = await Promise.all([startViewProbe(popup), startViewProbe(dashboard), extension.host().then(startStallProbe)]);
    const readOwnStall = startOwnStallProbe();
    // What the node has taken in, every second.
    const intake: string[] = [];
    let sampling = true;
    const sampler = (async () => {
      const t0 = Date.now();
      while (sampling) {
        const s = await extension.snapshot();
        intake.push(`${((Date.now() - t0) / 1000).toFixed(0)}s seen ${s.rendezvous.seen} valid ${s.rendezvous.valid} invalid ${s.rendezvous.invalid}`);
        await sleep(2000);
      }
    })();
    started = Date.now();
    // A stock relay acknowledges no batch: waiting half a second for each is enough.
    const { puts, acked } = await stormWriter.put(entries, { batch: 250, ackTimeoutMs: 500 });
    console.log(`hostile storm: ${entries.length} records put in ${Date.now() - started} ms (${acked} of ${puts} puts acknowledged by the relay)`);

    // A meshdeck-node process: Node's WebRTC may crash natively when a connection closes while the
    // remote closes it too, and a crash must be the newcomer's, never this test worker's. It dials no
    // one (--max-peers 0): the node under test must find its record and dial it.
    const newcomerDir = await mkdtemp(path.join(tmpdir(), 'meshdeck-newcomer-'));
    const newcomerProcess = spawnMeshdeckNode(['--identity', path.join(newcomerDir, 'newcomer.json'), '--no-dashboard', '--max-peers', '0', '--signaling', server.signalingUrl, '--relay', relayUrl]);
    track({ close: () => void newcomerProcess.stop().finally(() => rm(newcomerDir, { recursive: true, force: true })) });
    const newcomer = { node: { nodeId: await newcomerProcess.started() } };
    const announcedAt = Date.now();
    try {
      // Generous: measured 2.7 s here (45 s before the node read the room itself, issue 22).
      let listedAfter: number | null = null;
      const ready = await until(
        async () => {
          const s = await extension.snapshot();
          if (listedAfter === null && s.discovered.some((d) => d.nodeId === newcomer.node.nodeId)) listedAfter = Date.now() - announcedAt;
          return s;
        },
        60_000,
        'the newcomer ready with the extension',
        (s) => peerOf(s, newcomer.node.nodeId)?.state === 'ready',
      );
      expect(peerOf(ready, newcomer.node.nodeId)!.direction).toBe('outbound');
      const sybilIds = new Set(sybilRecords.map((r) => r.id));
      console.log(
        `hostile storm: the newcomer ready with the extension ${Date.now() - announcedAt} ms after it started (storm put ${announcedAt - started} ms before; ` +
          `${peerOf(ready, newcomer.node.nodeId)!.direction} at the extension; its record listed by the extension ${listedAfter === null ? 'not yet' : `after ${listedAfter} ms`}); Sybils dialled in vain meanwhile: ${new Set(ready.closedPeers.filter((c) => sybilIds.has(c.nodeId)).map((c) => c.nodeId)).size}`,
      );
    } finally {
      sampling = false;
      await sampler;
      const [popupProbe, dashboardProbe, hostStall] = await Promise.all([readPopupProbe(), readDashboardProbe(), readHostStall()]);
      console.log(
        `hostile storm: popup requests ${JSON.stringify(popupProbe)}; dashboard requests ${JSON.stringify(dashboardProbe)}; ` +
          `longest stall of the node host ${hostStall} ms, of this test process ${readOwnStall()} ms; intake: ${intake.join('; ')}`,
      );
      // Each view kept answering throughout: no failure, and no request left waiting past a generous bound.
      for (const probe of [popupProbe, dashboardProbe]) {
        expect(probe.failures).toEqual([]);
        expect(probe.rounds).toBeGreaterThan(0);
        expect(probe.pendingMs).toBeLessThan(15_000);
      }
    }
    const after = await until(() => extension.snapshot(), 20_000, 'invalid records counted', (s) => s.rendezvous.invalid > before.rendezvous.invalid);
    console.log(
      `hostile storm: rendezvous seen ${after.rendezvous.seen}, valid ${after.rendezvous.valid}, invalid ${after.rendezvous.invalid} (was ${before.rendezvous.invalid}); ` +
        `discovered ${after.discovered.length}`,
    );
    // No junk key is ever listed, and a forged newer copy never replaced a Sybil's genuine record.
    for (const node of after.discovered) {
      expect(junkKeys.has(node.nodeId) && !genuineTs.has(node.nodeId)).toBe(false);
      if (genuineTs.has(node.nodeId)) expect(node.announcedAt).toBe(genuineTs.get(node.nodeId));
    }
    await assertLive('the record storm');
  }
});
