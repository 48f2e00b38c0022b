import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BlockEntry } from '../../../../../core/blocklist/block-list';
import type { IdListState } from '../../../../../core/blocklist/block-list-store';
import { createTrustModel, EMPTY_TRUST_WARNING } from '../../../../../components/dashboard/trusted-peers/trust-model';
import { createConfirmModel } from '../../../../../components/ui/confirm-model';
import { createControlsModel } from '../../../../../components/dashboard/node-controls/controls-model';
import { createNodeModel } from '../../../../../components/client/node-model';
import { withSnapshotParts } from '../../../../../components/dashboard/snapshot-parts';
import { fakeViewClient, flush } from '../../../../support/fake-view-client';
import { fakeId, fakePeer, fakeSnapshot, SELF_USER } from '../../../../support/view-fixtures';

const entry = (id: string, patch: Partial<BlockEntry> = {}): BlockEntry => ({
  id, kind: id.startsWith('u') ? 'user' : 'node', at: 1, note: '', label: '', v: 1, removed: false, ...patch,
});
const listOf = (...ids: string[]): IdListState => ({ entries: ids.map((id) => entry(id)), overflow: 0, syncBytes: 100, syncQuotaBytes: 8192 });
const withTrusted = (trusted: string[], patch: Parameters<typeof fakeSnapshot>[0] = {}) =>
  fakeSnapshot({ ...patch, controls: { routing: true, pauseIncoming: false, pauseOutgoing: false, blocked: [], trustedOnly: false, trusted } });

function setup() {
  const fake = fakeViewClient();
  const node = withSnapshotParts(createNodeModel(fake.client, { tickMs: 0 }));
  fake.calls.length = 0;
  const confirm = createConfirmModel();
  const controls = createControlsModel(node);
  const model = createTrustModel(node, fake.client, confirm, controls);
  return { fake, node, confirm, controls, model };
}

describe('createTrustModel', () => {
  afterEach(() => vi.useRealTimers());

  it('shows the background’s list until a snapshot carries one, then follows the snapshots', async () => {
    const { fake, model } = setup();
    expect(model.rows.value).toBeNull();
    fake.take('trust:list').resolve(listOf(fakeId('n', 1)));
    await flush();
    expect(model.rows.value).toEqual([{ id: fakeId('n', 1), kind: 'node', connected: false }]);
    // Another browser trusted a user: the snapshot says so.
    fake.push(withTrusted([fakeId('u', 2), fakeId('n', 1)]));
    expect(model.rows.value?.map((r) => [r.id, r.kind])).toEqual([[fakeId('u', 2), 'user'], [fakeId('n', 1), 'node']]);
  });

  it('marks a trusted ID connected while a ready peer has it as node or user ID', () => {
    const { fake, model } = setup();
    const peer = fakePeer(3);
    fake.push(withTrusted([peer.userId!, fakeId('n', 9)], { peers: [peer] }));
    expect(model.rows.value).toEqual([
      { id: peer.userId, kind: 'user', connected: true },
      { id: fakeId('n', 9), kind: 'node', connected: false },
    ]);
    const rows = model.rows.value;
    // A stats tick with nothing new keeps the rows (the table does not re-render).
    fake.push(withTrusted([peer.userId!, fakeId('n', 9)], { peers: [{ ...peer, rttMs: 99 }] }));
    expect(model.rows.value).toBe(rows);
  });

  it('trusts the ID in the box, and shows it before the node applied it', async () => {
    const { fake, model } = setup();
    const peer = fakePeer(4);
    fake.push(withTrusted([], { peers: [peer] }));
    model.box.setDraft(` ${peer.nodeId} `);
    const done = model.box.submit();
    const call = fake.take('trust:add');
    expect(call.request).toEqual({ type: 'trust:add', id: peer.nodeId });
    expect(model.box.status.value).toEqual({ kind: 'pending', text: `Trusting node ${peer.nodeId.slice(0, 8)}……` });
    call.resolve(listOf(peer.nodeId));
    expect(await done).toBe(true);
    expect(model.box.draft.value).toBe('');
    expect(model.box.status.value?.text).toMatch(/^Trusted node .*: it may connect while Trusted peers only is on\.$/);
    expect(model.rows.value?.map((r) => r.id)).toEqual([peer.nodeId]);
    // A snapshot taken before the node applied it (the same list as the last one) changes nothing.
    fake.push(withTrusted([], { peers: [peer] }));
    expect(model.rows.value?.map((r) => r.id)).toEqual([peer.nodeId]);
  });

  it("refuses a bad ID and this user's own ID at the field, and the background's refusal too", async () => {
    const { fake, model } = setup();
    fake.push(withTrusted([]));
    model.box.setDraft('friend');
    expect(await model.box.submit()).toBe(false);
    expect(model.box.fieldError.value).toMatch(/is not a node or user ID/);
    model.box.setDraft(SELF_USER);
    expect(await model.box.submit()).toBe(false);
    expect(model.box.fieldError.value).toBe('That is your own user ID: your own browsers are always trusted.');
    expect(fake.calls.filter((c) => c.request.type === 'trust:add')).toEqual([]);
    model.box.setDraft(fakeId('u', 5));
    const done = model.box.submit();
    fake.take('trust:add').reject(Object.assign(new Error('that is your own user ID: your own browsers are always trusted'), { name: 'BlockInputError' }));
    expect(await done).toBe(false);
    expect(model.box.fieldError.value).toBe('That is your own user ID: your own browsers are always trusted.');
  });

  it('untrusts at once, offers Undo, and Undo trusts the entry again with its note', async () => {
    const { fake, model } = setup();
    const id = fakeId('u', 6);
    fake.push(withTrusted([id]));
    const done = model.untrust(id);
    expect(model.rows.value).toEqual([]);
    const call = fake.take('trust:remove');
    expect(call.request).toEqual({ type: 'trust:remove', id });
    call.resolve({ state: listOf(), removed: entry(id, { note: 'Ana', label: 'seen' }) });
    await done;
    expect(model.undo.offer.value).toEqual({ text: `Untrusted user ${id.slice(0, 8)}….`, undoable: true });
    model.undo.undo();
    expect(fake.take('trust:add').request).toEqual({ type: 'trust:add', id, note: 'Ana', label: 'seen' });
  });

  it('puts the row back and says why when an untrust fails', async () => {
    const { fake, model } = setup();
    const id = fakeId('n', 7);
    fake.push(withTrusted([id]));
    const done = model.untrust(id);
    fake.take('trust:remove').reject(new Error('storage is full'));
    await done;
    expect(model.rows.value?.map((r) => r.id)).toEqual([id]);
    expect(model.status.value).toEqual({ kind: 'error', text: `Could not untrust node ${id.slice(0, 8)}…: storage is full.` });
  });

  it('asks before turning Trusted peers only on with nobody trusted; not with a trust list, nor to turn it off', async () => {
    const { fake, model, confirm, controls } = setup();
    fake.push(withTrusted([]));
    const cancelled = model.setTrustedOnly(true);
    expect(confirm.current.value).toMatchObject({ ...EMPTY_TRUST_WARNING, destructive: true });
    confirm.answer(false);
    await cancelled;
    expect(fake.calls.filter((c) => c.request.type === 'settings:update')).toEqual([]);

    const confirmed = model.setTrustedOnly(true);
    confirm.answer(true);
    await confirmed;
    expect(fake.take('settings:update').request).toEqual({ type: 'settings:update', patch: { trustedOnly: true } });
    expect(controls.trustUndo.offer.value?.text).toBe('Trusted peers only: other peers are disconnected and refused.');

    await model.setTrustedOnly(false);
    expect(confirm.current.value).toBeNull();
    expect(fake.take('settings:update').request).toEqual({ type: 'settings:update', patch: { trustedOnly: false } });

    fake.push(withTrusted([fakeId('n', 8)]));
    await model.setTrustedOnly(true);
    expect(confirm.current.value).toBeNull();
    expect(fake.take('settings:update').request).toEqual({ type: 'settings:update', patch: { trustedOnly: true } });
  });

  it('writes nothing once disposed', async () => {
    const { fake, model } = setup();
    model.dispose();
    fake.take('trust:list').resolve(listOf(fakeId('n', 1)));
    await flush();
    fake.push(withTrusted([fakeId('n', 2)]));
    expect(model.rows.value).toBeNull();
  });
});
