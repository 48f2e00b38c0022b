import { afterEach, describe, expect, it, vi } from 'vitest';
import { exportBlockList, type BlockEntry } from '../../../../../core/blocklist/block-list';
import type { BlockListState } from '../../../../../core/blocklist/block-list-store';
import {
  blockListFilename,
  BLOCK_LIST_PAGE,
  createBlockListModel,
  importSummary,
  matchesFilter,
  previewLines,
} from '../../../../../components/dashboard/block-list/block-list-model';
import { createConfirmModel } from '../../../../../components/ui/confirm-model';
import { createNodeModel } from '../../../../../components/client/node-model';
import { withSnapshotParts } from '../../../../../components/dashboard/snapshot-parts';
import { UNDO_MS } from '../../../../../components/ui/undo-model';
import { fakeViewClient, flush } from '../../../../support/fake-view-client';
import { fakeId, fakeSnapshot, SELF_NODE } from '../../../../support/view-fixtures';

const NOW = Date.UTC(2026, 4, 1, 12);

function entry(seed: number, patch: Partial<BlockEntry> = {}): BlockEntry {
  const id = fakeId(seed % 2 ? 'u' : 'n', seed);
  return { id, kind: id.startsWith('n') ? 'node' : 'user', at: NOW - seed * 60_000, note: '', label: '', v: 1, removed: false, ...patch };
}

function listOf(entries: BlockEntry[], patch: Partial<BlockListState> = {}): BlockListState {
  return { entries, overflow: 0, syncBytes: 1000, syncQuotaBytes: 102_400, ...patch };
}

const file = (name: string, text: string) => ({ name, text: async () => text });

function setup() {
  const fake = fakeViewClient();
  const node = withSnapshotParts(createNodeModel(fake.client, { tickMs: 0 }));
  fake.push(fakeSnapshot());
  fake.calls.length = 0;
  const confirm = createConfirmModel();
  const saved: [string, string][] = [];
  const model = createBlockListModel(node, fake.client, confirm, { now: () => NOW, save: (name, text) => saved.push([name, text]) });
  return { fake, node, confirm, model, saved };
}

describe('createBlockListModel', () => {
  afterEach(() => vi.useRealTimers());

  it('shows the list the host relays, and asks the background while none arrived', async () => {
    const { fake, model } = setup();
    expect(model.state.value).toBeNull();
    const list = fake.take('block:list');
    fake.blockList(listOf([entry(1)]));
    list.resolve(listOf([])); // older than the relayed one: ignored
    await flush();
    expect(model.state.value?.entries.map((e) => e.id)).toEqual([entry(1).id]);
    fake.blockList(listOf([entry(2), entry(1)]));
    expect(model.matches.value).toHaveLength(2);
  });

  it('filters by ID, note or label, in any case', () => {
    const { fake, model } = setup();
    const a = entry(2, { note: 'Spammer from the forum' });
    const b = entry(3, { label: 'user uxyz · meshdeck/0.1.0' });
    const c = entry(4);
    fake.blockList(listOf([a, b, c]));
    model.setFilter('FORUM');
    expect(model.matches.value).toEqual([a]);
    model.setFilter('meshdeck/');
    expect(model.matches.value).toEqual([b]);
    model.setFilter(c.id.slice(3, 12));
    expect(model.matches.value).toEqual([c]);
    model.setFilter('  ');
    expect(model.matches.value).toHaveLength(3);
    expect(matchesFilter(a, 'nothing like it')).toBe(false);
  });

  it('draws a page of rows at a time, and starts again when the filter changes', () => {
    const { fake, model } = setup();
    fake.blockList(listOf(Array.from({ length: 250 }, (_, i) => entry(i + 10))));
    expect(model.limit.value).toBe(BLOCK_LIST_PAGE);
    model.showMore();
    expect(model.limit.value).toBe(2 * BLOCK_LIST_PAGE);
    model.setFilter('n');
    expect(model.limit.value).toBe(BLOCK_LIST_PAGE);
  });

  it('unblocks at once, offers Undo for a few seconds, and Undo restores the removed entry', async () => {
    vi.useFakeTimers();
    const { fake, model } = setup();
    const a = entry(2, { note: 'keep me' });
    const b = entry(4);
    fake.blockList(listOf([a, b]));
    const done = model.unblock(a.id);
    expect(model.matches.value).toEqual([b]); // gone before the reply
    const call = fake.take('block:remove');
    expect(call.request).toEqual({ type: 'block:remove', id: a.id });
    call.resolve({ state: listOf([b]), removed: a });
    await done;
    expect(model.undo.offer.value).toEqual({ text: `Unblocked node ${a.id.slice(0, 8)}….`, undoable: true });

    model.undo.undo('Blocked again.');
    const restore = fake.take('block:restore');
    expect(restore.request).toEqual({ type: 'block:restore', entry: a });
    restore.resolve(listOf([a, b]));
    await vi.advanceTimersByTimeAsync(0);
    expect(model.matches.value.map((e) => e.id)).toEqual([a.id, b.id]);
    expect(model.undo.offer.value).toEqual({ text: 'Blocked again.', undoable: false });
    await vi.advanceTimersByTimeAsync(UNDO_MS);
    expect(model.undo.offer.value).toBeNull();
  });

  it('puts an entry back and says why when the unblock fails', async () => {
    const { fake, model } = setup();
    const a = entry(2);
    fake.blockList(listOf([a]));
    const done = model.unblock(a.id);
    expect(model.matches.value).toEqual([]);
    fake.take('block:remove').reject(Object.assign(new Error('no answer'), { name: 'NoReplyError' }));
    await done;
    expect(model.matches.value).toEqual([a]);
    expect(model.status.value?.text).toMatch(/^Could not unblock node .*did not answer/);
    expect(model.undo.offer.value).toBeNull();
  });

  it('saves a changed note (shown at once), and sends nothing for an unchanged one', async () => {
    const { fake, model } = setup();
    const a = entry(2, { note: 'old' });
    fake.blockList(listOf([a]));
    await model.setNote(a.id, ' old ');
    expect(fake.calls.filter((c) => c.request.type === 'block:note')).toHaveLength(0);
    const done = model.setNote(a.id, '  new note ');
    expect(model.matches.value[0]!.note).toBe('new note');
    const call = fake.take('block:note');
    expect(call.request).toEqual({ type: 'block:note', id: a.id, note: 'new note' });
    call.reject(new Error('quota exceeded'));
    await done;
    expect(model.matches.value[0]!.note).toBe('old');
    expect(model.status.value?.text).toMatch(/^Could not save the note of node .*: quota exceeded\.$/);
  });

  it('exports the entries as meshdeck-block-list-<date>.json', () => {
    const { fake, model, saved } = setup();
    const list = [entry(2, { note: 'x' }), entry(3)];
    fake.blockList(listOf(list));
    model.exportFile();
    expect(saved).toEqual([['meshdeck-block-list-2026-05-01.json', exportBlockList(list, NOW)]]);
    expect(blockListFilename(NOW)).toBe('meshdeck-block-list-2026-05-01.json');
    expect(model.status.value).toEqual({ kind: 'ok', text: 'Saved meshdeck-block-list-2026-05-01.json (2 entries).' });
  });

  it('refuses a malformed file with the reason and sends nothing', async () => {
    const { fake, model, confirm } = setup();
    fake.blockList(listOf([]));
    fake.calls.length = 0;
    await model.importFile(file('list.json', '{ nope'));
    expect(model.status.value?.kind).toBe('error');
    expect(model.status.value?.text).toMatch(/^Could not import list\.json: the file is not JSON \(.*\)\. Nothing was imported\.$/);
    await model.importFile(file('list.json', JSON.stringify({ format: 'meshdeck-block-list', version: 1, exportedAt: 1, entries: [{ id: 'bad' }] })));
    expect(model.status.value?.text).toMatch(/^Could not import list\.json: entry 1: "bad" is not a node ID/);
    await model.importFile(file('mine.json', exportBlockList([entry(0, { id: SELF_NODE, kind: 'node' })], NOW)));
    expect(model.status.value?.text).toMatch(/it blocks this node's own ID/);
    expect(confirm.current.value).toBeNull();
    expect(fake.calls).toHaveLength(0);
  });

  it('previews an import, and imports the file text once confirmed', async () => {
    const { fake, model, confirm } = setup();
    const known = entry(2, { note: 'same' });
    const renoted = entry(4, { note: 'old' });
    fake.blockList(listOf([known, renoted]));
    fake.calls.length = 0;
    const added = entry(6, { note: 'from the file' });
    const text = exportBlockList([known, { ...renoted, note: 'new' }, added], NOW);

    const cancelled = model.importFile(file('list.json', text));
    await flush();
    expect(confirm.current.value).toMatchObject({
      title: 'Import list.json?',
      message: 'Adds 1, updates notes of 1, 1 already blocked.',
      details: [`${added.id} (node) — from the file`],
    });
    confirm.answer(false);
    await cancelled;
    expect(fake.calls).toHaveLength(0);
    expect(model.status.value?.text).toBe('Import cancelled: nothing changed.');

    const done = model.importFile(file('list.json', text));
    await flush();
    confirm.answer(true);
    await flush();
    const call = fake.take('block:import');
    expect(call.request).toEqual({ type: 'block:import', text });
    call.resolve({ state: listOf([added, known, { ...renoted, note: 'new' }]), imported: 2 });
    await done;
    expect(model.matches.value).toHaveLength(3);
    expect(model.status.value).toEqual({ kind: 'ok', text: 'Imported 2 from list.json.' });
  });

  it('says when a file changes nothing, and lists at most 50 IDs in the preview', async () => {
    const { fake, model, confirm } = setup();
    const a = entry(2);
    fake.blockList(listOf([a]));
    await model.importFile(file('same.json', exportBlockList([a], NOW)));
    expect(confirm.current.value).toBeNull();
    expect(model.status.value?.text).toMatch(/^Nothing to import/);

    const many = Array.from({ length: 60 }, (_, i) => entry(i + 100));
    const preview = { added: many, changed: [], unchanged: 0 };
    expect(importSummary(preview)).toBe('Adds 60, updates notes of 0, 0 already blocked.');
    const lines = previewLines(preview);
    expect(lines).toHaveLength(51);
    expect(lines.at(-1)).toBe('… and 10 more');
  });

  it('clears the list only when confirmed', async () => {
    const { fake, model, confirm } = setup();
    fake.blockList(listOf([entry(2), entry(3)]));
    fake.calls.length = 0;
    const cancelled = model.clear();
    expect(confirm.current.value).toMatchObject({ title: 'Clear the block list?', destructive: true });
    confirm.answer(false);
    await cancelled;
    expect(fake.calls).toHaveLength(0);

    const done = model.clear();
    confirm.answer(true);
    await flush();
    fake.take('block:clear').resolve(listOf([]));
    await done;
    expect(model.state.value?.entries).toEqual([]);
    expect(model.status.value).toEqual({ kind: 'ok', text: 'Cleared: 2 IDs unblocked.' });
  });

  it('dispose unsubscribes and ignores late replies', async () => {
    const { fake, model } = setup();
    fake.blockList(listOf([entry(2)]));
    const before = fake.listenerCount;
    const done = model.unblock(entry(2).id);
    model.dispose();
    expect(fake.listenerCount).toBe(before - 1);
    fake.take('block:remove').resolve({ state: listOf([]), removed: entry(2) });
    await done;
    expect(model.undo.offer.value).toBeNull();
  });
});
