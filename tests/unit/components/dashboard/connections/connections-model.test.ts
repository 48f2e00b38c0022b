import { effect } from '@preact/signals';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createConfirmModel } from '../../../../../components/ui/confirm-model';
import { createConnectionsModel, rowTexts } from '../../../../../components/dashboard/connections/connections-model';
import { createNodeModel } from '../../../../../components/client/node-model';
import { fakeViewClient, flush } from '../../../../support/fake-view-client';
import { fakePeer, fakeSnapshot } from '../../../../support/view-fixtures';

function setup() {
  const fake = fakeViewClient();
  let now = 10_000;
  const node = createNodeModel(fake.client, { tickMs: 0, now: () => now });
  fake.calls.length = 0; // settings:get, unanswered
  const confirm = createConfirmModel();
  const model = createConnectionsModel(node, fake.client, confirm);
  return { fake, node, model, confirm, setNow: (t: number) => (now = t) };
}

describe('createConnectionsModel', () => {
  const disposers: (() => void)[] = [];
  afterEach(() => disposers.splice(0).forEach((d) => d()));

  it('keeps one row model per peer: a tick updates its texts, not the row list', () => {
    const { fake, model } = setup();
    expect(model.loaded.value).toBe(false);
    fake.push(fakeSnapshot({ peers: [fakePeer(1, { rttMs: 20 }), fakePeer(2)] }));
    expect(model.loaded.value).toBe(true);
    const rows = model.rows.value;
    expect(rows.map((r) => r.nodeId)).toEqual([fakePeer(1).nodeId, fakePeer(2).nodeId]);
    const row = rows[0]!;
    expect(row.texts.value).toMatchObject({ latency: '20 ms', strength: '3 — good', error: '—', trafficIn: '1.0 kB' });

    let listRuns = 0;
    let textRuns = 0;
    disposers.push(effect(() => void (model.rows.value, listRuns++)));
    disposers.push(effect(() => void (row.texts.value, textRuns++)));

    fake.push(fakeSnapshot({ peers: [fakePeer(1, { rttMs: 31, lastError: 'ice failed' }), fakePeer(2)] }));
    expect(model.rows.value).toBe(rows);
    expect(row.texts.value).toMatchObject({ latency: '31 ms', error: 'ice failed' });
    expect(listRuns).toBe(1);
    expect(textRuns).toBe(2);
    // A new snapshot with the same figures: nothing downstream runs.
    fake.push(fakeSnapshot({ peers: [fakePeer(1, { rttMs: 31, lastError: 'ice failed' }), fakePeer(2)] }));
    expect(textRuns).toBe(2);

    // A peer leaves and another comes: a new list, the remaining row is the same object.
    fake.push(fakeSnapshot({ peers: [fakePeer(3), fakePeer(1)] }));
    expect(model.rows.value.map((r) => r.nodeId)).toEqual([fakePeer(3).nodeId, fakePeer(1).nodeId]);
    expect(model.rows.value[1]).toBe(row);
  });

  it('sorts by a column and re-sorts when the figures change, one new list per new order', () => {
    const { fake, model } = setup();
    fake.push(fakeSnapshot({ peers: [fakePeer(1, { rttMs: 30 }), fakePeer(2, { rttMs: 10 }), fakePeer(3, { rttMs: null })] }));
    model.sortBy('latency');
    expect(model.sort.value).toEqual({ key: 'latency', direction: 'ascending' });
    const order = () => model.rows.value.map((r) => r.texts.value.latency);
    expect(order()).toEqual(['10 ms', '30 ms', '—']);
    const sorted = model.rows.value;
    fake.push(fakeSnapshot({ peers: [fakePeer(1, { rttMs: 31 }), fakePeer(2, { rttMs: 11 }), fakePeer(3, { rttMs: null })] }));
    expect(model.rows.value).toBe(sorted);
    fake.push(fakeSnapshot({ peers: [fakePeer(1, { rttMs: 5 }), fakePeer(2, { rttMs: 11 }), fakePeer(3, { rttMs: null })] }));
    expect(order()).toEqual(['5 ms', '11 ms', '—']);
    model.sortBy('latency');
    expect(order()).toEqual(['11 ms', '5 ms', '—']);
  });

  it('says "12 s ago" from the node clock', () => {
    const { fake, node, model } = setup();
    fake.push(fakeSnapshot({ peers: [fakePeer(1, { lastHandshakeAt: node.now.value - 12_000 })] }));
    expect(model.rows.value[0]!.texts.value.handshake).toBe('12 s ago');
  });

  it('rowTexts reuses the texts of unchanged fields and the object when nothing changed', () => {
    const peer = fakePeer(1, { rttMs: 12.5, loss: 0.1, userId: null });
    const first = rowTexts(peer, 5000);
    expect(first).toMatchObject({ user: 'unverified', userTitle: '', latency: '13 ms', loss: '10%', handshake: '5 s ago' });
    expect(rowTexts({ ...peer }, 5000, peer, first)).toBe(first);
    expect(rowTexts({ ...peer }, 6000, peer, first).handshake).toBe('6 s ago');
  });

  it('marks a trusted peer in words (issue 13), not by colour alone', () => {
    expect(rowTexts(fakePeer(1, { trusted: true }), 0).trust).toBe('trusted');
    expect(rowTexts(fakePeer(1, { trusted: false }), 0).trust).toBe('');
    const before = fakePeer(2);
    const first = rowTexts(before, 0);
    expect(rowTexts({ ...before, trusted: true }, 0, before, first)).not.toBe(first);
  });

  it('asks before disconnecting, then says what happened; blocks with the user as label; reconnects', async () => {
    const { fake, model, confirm } = setup();
    const peer = fakePeer(1);
    const id = peer.nodeId;
    fake.push(fakeSnapshot({ peers: [peer] }));

    const cancelled = model.disconnect(id);
    expect(confirm.current.value).toMatchObject({
      title: `Disconnect ${id.slice(0, 8)}…?`,
      message: expect.stringContaining('does not dial it again for 10 minutes'),
      destructive: true,
    });
    confirm.answer(false);
    await cancelled;
    expect(fake.calls).toHaveLength(0);
    expect(model.status.value).toBeNull();

    const done = model.disconnect(id);
    confirm.answer(true);
    await flush();
    expect(model.status.value).toEqual({ kind: 'pending', text: `Disconnecting ${id.slice(0, 8)}…` });
    const call = fake.next();
    expect(call.request).toEqual({ type: 'node:disconnect', nodeId: id });
    call.resolve(null);
    await done;
    expect(model.status.value).toEqual({ kind: 'ok', text: `Disconnected ${id.slice(0, 8)}…: Reconnect is under Recently closed.` });

    const blocked = model.block(id);
    const blockCall = fake.next();
    expect(blockCall.request).toEqual({ type: 'block:add', id, label: `user ${peer.userId}` });
    blockCall.reject(Object.assign(new Error('storage.sync is full'), { name: 'QuotaError' }));
    await blocked;
    expect(model.status.value).toEqual({ kind: 'error', text: `Could not block ${id.slice(0, 8)}…: storage.sync is full.` });

    const redial = model.reconnect(id);
    const dial = fake.next();
    expect(dial.request).toEqual({ type: 'node:dial', nodeId: id });
    dial.resolve(null);
    await redial;
    expect(model.status.value).toEqual({ kind: 'ok', text: `Dialling ${id.slice(0, 8)}… again.` });
  });

  it('disposed while a row action is on its way: aborts it and writes nothing afterwards', async () => {
    const { fake, model } = setup();
    const request = vi.spyOn(fake.client, 'request');
    const done = model.reconnect(fakePeer(1).nodeId);
    const pending = model.status.value;
    model.dispose();
    expect(request.mock.calls[0]![1]?.signal?.aborted).toBe(true);
    fake.take('node:dial').resolve(null);
    await done;
    expect(model.status.value).toBe(pending);
  });
});

describe('the Score column', () => {
  it('shows a clean peer as 0, and a penalized one with its score and the reason', () => {
    expect(rowTexts(fakePeer(1), 0).score).toBe('0');
    expect(rowTexts(fakePeer(1, { score: -20, lastPenalty: 'bad route signature from n…' }), 0).score).toBe('\u221220 — bad route signature from n…');
    // Recovered to 0: the old reason is no longer shown.
    expect(rowTexts(fakePeer(1, { score: 0, lastPenalty: 'bad route signature' }), 0).score).toBe('0');
  });
});
