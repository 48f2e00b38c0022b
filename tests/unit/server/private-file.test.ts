import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, open, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PrivateFileError, readPrivateFile, replacePrivateFile } from '../../../server/private-file';

/** The calls that make a write durable, in order: a seam over node:fs/promises that still does the real thing. */
const durable = vi.hoisted(() => [] as string[]);
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...real,
    rename: async (from: string, to: string) => {
      durable.push(`rename ${to}`);
      return real.rename(from, to);
    },
    link: async (from: string, to: string) => {
      durable.push(`link ${to}`);
      return real.link(from, to);
    },
    open: async (...args: Parameters<typeof real.open>) => {
      const handle = await real.open(...args);
      const sync = handle.sync.bind(handle);
      handle.sync = async () => {
        durable.push(`sync ${String(args[0])}`);
        return sync();
      };
      return handle;
    },
  };
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'private-file-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const refusal = (file: string, maxBytes = 1024) =>
  readPrivateFile(file, maxBytes).then(
    () => null,
    (e: unknown) => e as Error,
  );

describe('a file meshdeck-node rewrites', () => {
  it('is made 0600 (its folder 0700) whatever the umask, and replaced by a rename: a reader of the old file reads it whole, no temporary file is left', async () => {
    const file = path.join(dir, 'state', 'state.json');
    const umask = process.umask(0);
    try {
      await replacePrivateFile(file, 'first\n');
    } finally {
      process.umask(umask);
    }
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    const before = await stat(file);
    const reader = await open(file, 'r');
    try {
      await replacePrivateFile(file, 'second\n');
      expect(await reader.readFile('utf8')).toBe('first\n');
    } finally {
      await reader.close();
    }
    expect((await stat(file)).ino).not.toBe(before.ino);
    expect(await readFile(file, 'utf8')).toBe('second\n');
    expect(await readdir(path.dirname(file))).toEqual(['state.json']);
  });

  it('replaces a symbolic link at its name rather than writing through it', async () => {
    const target = path.join(dir, 'elsewhere.json');
    const file = path.join(dir, 'state.json');
    await writeFile(target, 'theirs', { mode: 0o600 });
    await symlink(target, file);
    await replacePrivateFile(file, 'ours');
    expect(await readFile(target, 'utf8')).toBe('theirs');
    expect((await stat(file)).isFile()).toBe(true);
    expect(await readFile(file, 'utf8')).toBe('ours');
  });

  it('reads a missing file as null and a small regular file as its text', async () => {
    const file = path.join(dir, 'state.json');
    expect(await readPrivateFile(file, 1024)).toBeNull();
    await writeFile(file, 'x'.repeat(1024), { mode: 0o600 });
    expect(await readPrivateFile(file, 1024)).toBe('x'.repeat(1024));
  });

  it('refuses a symbolic link, a file over the bound, a folder and a FIFO (without hanging), saying which', async () => {
    const target = path.join(dir, 'target.json');
    await writeFile(target, '{}', { mode: 0o600 });
    await symlink(target, path.join(dir, 'link.json'));
    await writeFile(path.join(dir, 'big.json'), 'x'.repeat(1025), { mode: 0o600 });
    await mkdir(path.join(dir, 'folder.json'));
    execFileSync('mkfifo', [path.join(dir, 'fifo.json')]);
    const refused = {
      link: await refusal(path.join(dir, 'link.json')),
      big: await refusal(path.join(dir, 'big.json')),
      folder: await refusal(path.join(dir, 'folder.json')),
      fifo: await refusal(path.join(dir, 'fifo.json')),
    };
    for (const error of Object.values(refused)) expect(error).toBeInstanceOf(PrivateFileError);
    expect(refused.link!.message).toBe('is a symbolic link: give the real file');
    expect(refused.big!.message).toBe('is larger than 1024 bytes');
    expect(refused.folder!.message).toBe('is not a regular file');
    expect(refused.fifo!.message).toBe('is not a regular file');
  });

  it('refuses a file another user could have written or can read (as the identity file does)', async () => {
    const file = path.join(dir, 'open.json');
    await writeFile(file, '{}', { mode: 0o644 });
    await expect(readPrivateFile(file, 1024)).rejects.toThrow(`is readable by others (mode 0644): run chmod 600 ${file}`);
  });

  it('syncs the directory after the rename, and the parent of a folder it made, so the new name outlives a power cut (issue 23, item 11)', async () => {
    const folder = path.join(dir, 'state');
    const file = path.join(folder, 'state.json');
    durable.length = 0;
    await replacePrivateFile(file, 'first\n');
    expect(durable.filter((call) => !call.endsWith('.tmp'))).toEqual([`sync ${dir}`, `rename ${file}`, `sync ${folder}`]);
    durable.length = 0;
    await replacePrivateFile(file, 'second\n');
    expect(durable.filter((call) => !call.endsWith('.tmp'))).toEqual([`rename ${file}`, `sync ${folder}`]);
  });
});
