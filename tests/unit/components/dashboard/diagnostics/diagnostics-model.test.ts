import { describe, expect, it, vi } from 'vitest';
import { signal } from '@preact/signals';
import { createDiagnosticsModel, diagnosticsFilename, refusalsWithin } from '../../../../../components/dashboard/diagnostics/diagnostics-model';
import { createNodeModel } from '../../../../../components/client/node-model';
import { withSnapshotParts } from '../../../../../components/dashboard/snapshot-parts';
import { fakeViewClient, flush } from '../../../../support/fake-view-client';
import { fakeSnapshot } from '../../../../support/view-fixtures';

function setup() {
  const fake = fakeViewClient();
  let now = 1_000_000;
  const readNow = () => now;
  const node = withSnapshotParts(createNodeModel(fake.client, { tickMs: 0, now: readNow }));
  fake.calls.length = 0;
  const lastTickAt = signal<number | null>(null);
  const saved: [string, string][] = [];
  const model = createDiagnosticsModel(node, lastTickAt, fake.client, { now: readNow, save: (name, text) => saved.push([name, text]) });
  return { fake, node, model, lastTickAt, saved, setNow: (t: number) => (now = t) };
}

const byKey = (list: readonly { key: string; ok: boolean | null; text: string }[]) => Object.fromEntries(list.map((h) => [h.key, h]));

describe('createDiagnosticsModel', () => {
  it('reports invalid stored settings with the background\'s reason', () => {
    const { fake, model } = setup();
    expect(byKey(model.health.value).settings).toMatchObject({ ok: null });
    fake.problems([]);
    expect(byKey(model.health.value).settings).toMatchObject({ ok: true, text: 'Valid.' });
    fake.problems(['stored settings are invalid (room: must be 1–64 letters): the last settings that validated are used']);
    expect(byKey(model.health.value).settings).toMatchObject({
      ok: false,
      text: 'Stored settings are invalid (room: must be 1–64 letters): the last settings that validated are used.',
    });
  });

  it('says in words what is healthy and what is not', () => {
    const { fake, model } = setup();
    expect(byKey(model.health.value).host).toMatchObject({ ok: false, text: 'Not reachable yet: starting it…' });
    fake.push(
      fakeSnapshot({
        signaling: { ...fakeSnapshot().signaling, url: 'http://x', state: 'disconnected', attempts: 3, lastError: 'server unreachable' },
        rendezvous: { ...fakeSnapshot().rendezvous, relays: [{ url: 'http://r', state: 'open' }, { url: 'http://s', state: 'closed' }] },
      }),
    );
    const health = byKey(model.health.value);
    expect(health.signaling).toMatchObject({ ok: false, text: 'Disconnected after 3 attempts. Last error: server unreachable' });
    expect(health.relays).toMatchObject({ ok: true, text: '1 of 2 relays open.' });
    expect(health.peers).toMatchObject({ ok: false, text: 'No peer ready: is the signaling server reachable?' });
    expect(health.host).toMatchObject({ ok: true });
    expect(health.handshakes).toMatchObject({ ok: true, text: 'None refused in the last minute (0 since the node started).' });
  });

  it('notices refused handshakes rising, and forgets them after a minute', () => {
    const { fake, node, model, setNow } = setup();
    const totals = fakeSnapshot().totals;
    fake.push(fakeSnapshot({ totals: { ...totals, handshakesRefused: 2 } }));
    setNow(1_010_000);
    fake.push(fakeSnapshot({ totals: { ...totals, handshakesRefused: 5 } }));
    expect(byKey(model.health.value).handshakes).toMatchObject({ ok: false, text: '3 handshakes refused in the last minute (5 since the node started).' });
    void node;
  });

  it('counts refusals within the window, across a host restart', () => {
    expect(refusalsWithin([[0, 2], [50, 5], [70, 1]], 100, 60)).toBe(4);
    expect(refusalsWithin([[0, 2], [10, 5]], 100, 60)).toBe(0);
    expect(refusalsWithin([], 100, 60)).toBe(0);
  });

  it('reports a silent host', async () => {
    vi.useFakeTimers();
    try {
      const fake = fakeViewClient();
      const node = withSnapshotParts(createNodeModel(fake.client, { tickMs: 1000 }));
      const lastTickAt = signal<number | null>(null);
      const model = createDiagnosticsModel(node, lastTickAt, fake.client);
      fake.push(fakeSnapshot());
      lastTickAt.value = Date.now();
      expect(byKey(model.health.value).host).toMatchObject({ ok: true });
      await vi.advanceTimersByTimeAsync(12_000);
      expect(byKey(model.health.value).host).toMatchObject({ ok: false, text: 'Silent for 12 s.' });
      model.dispose();
      node.dispose();
    } finally {
      vi.useRealTimers();
    }
  });

  it('downloads the report as a JSON file', async () => {
    const { fake, model, saved } = setup();
    const done = model.download();
    const call = fake.next();
    expect(call.request).toEqual({ type: 'diagnostics:export' });
    call.resolve({ app: 'meshdeck', exportedAt: 1 });
    await done;
    expect(saved).toHaveLength(1);
    expect(saved[0]![0]).toBe(diagnosticsFilename(1_000_000));
    expect(JSON.parse(saved[0]![1])).toEqual({ app: 'meshdeck', exportedAt: 1 });
    expect(model.exportStatus.value).toEqual({ kind: 'ok', text: `Saved ${diagnosticsFilename(1_000_000)}.` });
    await flush();
  });

  it('disposed while the report is on its way: aborts the request and writes nothing afterwards', async () => {
    const { fake, model, saved } = setup();
    const request = vi.spyOn(fake.client, 'request');
    const done = model.download();
    const pending = model.exportStatus.value;
    model.dispose();
    expect(request.mock.calls[0]![1]?.signal?.aborted).toBe(true);
    fake.take('diagnostics:export').reject(new Error('late'));
    await done;
    expect(saved).toHaveLength(0);
    expect(model.exportStatus.value).toBe(pending);
  });
});

describe('diagnosticsFilename', () => {
  it('is meshdeck-diagnostics-<date>.json with no colons', () => {
    expect(diagnosticsFilename(Date.UTC(2026, 4, 1, 12, 30, 5))).toBe('meshdeck-diagnostics-2026-05-01T12-30-05.json');
  });
});
