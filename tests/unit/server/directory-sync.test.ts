import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeDirectory, syncDirectory } from '../../../server/directory-sync';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'directory-sync-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('makeDirectory', () => {
  it('makes a path spelled with ".." over missing folders, and ends (it once climbed to / for ever)', async () => {
    const spelled = path.join(dir, 'p', '..', 'q', 'r');
    await makeDirectory(spelled, 0o700);
    expect((await stat(path.join(dir, 'q', 'r'))).isDirectory()).toBe(true);
  }, 5000);

  it('makes nested folders with the mode asked, and is a no-op when they exist', async () => {
    const nested = path.join(dir, 'a', 'b', 'c');
    await makeDirectory(nested, 0o700);
    await makeDirectory(nested, 0o700);
    expect((await stat(nested)).mode & 0o777).toBe(0o700);
  });
});

describe('syncDirectory', () => {
  it('syncs an existing folder and throws for a missing one', async () => {
    await expect(syncDirectory(dir)).resolves.toBeUndefined();
    await expect(syncDirectory(path.join(dir, 'missing'))).rejects.toThrow(/ENOENT/);
  });
});
