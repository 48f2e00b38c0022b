import { mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BlockListStore } from '../../../core/blocklist/block-list-store';
import { ListsFileError, openListsFile } from '../../../server/headless/lists-file';

const NODE_ID = 'n' + 'a'.repeat(26);
const fileIn = () => path.join(mkdtempSync(path.join(tmpdir(), 'lists-')), 'state', 'lists.json');

describe('the lists file', () => {
  it('keeps the block list across a restart, in a file only its owner reads, and nothing but the lists', async () => {
    const file = fileIn();
    const first = await openListsFile(file, { sync: { 'meshdeck:userKey': { pub: 'p', priv: { d: 'secret' } } } });
    await new BlockListStore(first.sync, first.local).add(NODE_ID, { note: 'spam' });
    await first.flushed();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(NODE_ID);
    expect(text).not.toContain('secret');

    const again = await openListsFile(file);
    const entries = await new BlockListStore(again.sync, again.local).all();
    expect(entries.map((e) => [e.id, e.note])).toEqual([[NODE_ID, 'spam']]);
  });

  it('holds other values in memory only, and hands out copies', async () => {
    const file = fileIn();
    const areas = await openListsFile(file, { local: { seeded: 1 } });
    const value = { room: 'r' };
    await areas.local.set({ 'meshdeck:settings': value });
    value.room = 'changed';
    expect(await areas.local.get(['meshdeck:settings', 'seeded', 'missing'])).toEqual({ 'meshdeck:settings': { room: 'r' }, seeded: 1 });
    await areas.flushed();
    expect(() => statSync(file)).toThrow();
  });

  it('refuses a file that is not a lists file, in one line naming it', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'lists-')), 'lists.json');
    writeFileSync(file, '{"version": 9}', { mode: 0o600 });
    await expect(openListsFile(file)).rejects.toThrow(ListsFileError);
    writeFileSync(file, 'not json', { mode: 0o600 });
    await expect(openListsFile(file)).rejects.toThrow(new RegExp(`${file} is not valid JSON`));
  });

  it('refuses a symbolic link, as the state file does: its writes would replace the link, leaving the file it named behind', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lists-'));
    const target = path.join(dir, 'shared-lists.json');
    writeFileSync(target, JSON.stringify({ version: 1, sync: {}, local: {} }), { mode: 0o600 });
    symlinkSync(target, path.join(dir, 'lists.json'));
    await expect(openListsFile(path.join(dir, 'lists.json'))).rejects.toThrow(`the lists file ${path.join(dir, 'lists.json')} is a symbolic link: give the real file`);
  });
});
