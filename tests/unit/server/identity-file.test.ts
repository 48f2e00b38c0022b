import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Identity, NODE_ID_PATTERN, USER_ID_PATTERN } from '../../../core/identity/identity';
import { IdentityFileError, loadOrCreateIdentityFile, readIdentityFile } from '../../../server/identity-file';

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
  dir = await mkdtemp(path.join(tmpdir(), 'identity-file-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const refusal = (file: string) =>
  loadOrCreateIdentityFile(file).then(
    () => null,
    (e: unknown) => e as Error,
  );

describe('the headless identity file', () => {
  it('is created with mode 0600 (its folder 0700) and holds a certified identity the node can sign with', async () => {
    const file = path.join(dir, 'config', 'meshdeck', 'identity.json');
    const made = await loadOrCreateIdentityFile(file);
    expect(made.created).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    expect(made.nodeId).toMatch(NODE_ID_PATTERN);
    expect(made.userId).toMatch(USER_ID_PATTERN);
    const identity = await Identity.fromStored(made.stored, made.keys);
    expect(identity.nodeId).toBe(made.nodeId);
    expect(identity.userId).toBe(made.userId);
    expect(typeof (await identity.sign('hello'))).toBe('string');
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(saved).toMatchObject({ version: 1, node: { pub: made.stored.node.pub }, user: { pub: made.stored.user.pub }, cert: made.stored.cert });
  });

  it('is reused: the same node ID and user ID across restarts', async () => {
    const file = path.join(dir, 'identity.json');
    const first = await loadOrCreateIdentityFile(file);
    const second = await loadOrCreateIdentityFile(file);
    expect(second.created).toBe(false);
    expect(second.nodeId).toBe(first.nodeId);
    expect(second.userId).toBe(first.userId);
    expect(second.stored).toEqual(first.stored);
    await Identity.fromStored(second.stored, second.keys);
  });

  it('two processes starting at once settle on one identity', async () => {
    const file = path.join(dir, 'identity.json');
    const [a, b] = await Promise.all([loadOrCreateIdentityFile(file), loadOrCreateIdentityFile(file)]);
    expect(a.nodeId).toBe(b.nodeId);
    expect((await readIdentityFile(file))!.nodeId).toBe(a.nodeId);
  });

  it.each([0o644, 0o640, 0o604, 0o660])('is refused when readable by others (mode %o), saying how to fix it', async (mode) => {
    const file = path.join(dir, 'identity.json');
    const { nodeId } = await loadOrCreateIdentityFile(file);
    const before = await readFile(file, 'utf8');
    await chmod(file, mode);
    const error = await refusal(file);
    expect(error).toBeInstanceOf(IdentityFileError);
    expect(error!.message).toBe(`the identity file ${file} is readable by others (mode 0${mode.toString(8)}): run chmod 600 ${file}`);
    // Left as it was: not rewritten, not re-keyed.
    expect(await readFile(file, 'utf8')).toBe(before);
    await chmod(file, 0o600);
    expect((await loadOrCreateIdentityFile(file)).nodeId).toBe(nodeId);
  });

  it('refuses a damaged file rather than minting a new identity over it', async () => {
    const file = path.join(dir, 'identity.json');
    await loadOrCreateIdentityFile(file);
    const saved = JSON.parse(await readFile(file, 'utf8'));
    const other = path.join(dir, 'other.json');
    await loadOrCreateIdentityFile(other);
    const stranger = JSON.parse(await readFile(other, 'utf8'));

    const write = (value: unknown) => writeFile(file, typeof value === 'string' ? value : JSON.stringify(value), { mode: 0o600 });
    await write('{ not json');
    expect((await refusal(file))?.message).toMatch(/is not valid JSON/);
    await write({ ...saved, version: 2 });
    expect((await refusal(file))?.message).toMatch(/has version 2; this build reads version 1/);
    await write({ ...saved, user: undefined });
    expect((await refusal(file))?.message).toMatch(/has no user key pair/);
    // Another identity's certificate: the user key did not sign this node key.
    await write({ ...saved, cert: stranger.cert });
    expect((await refusal(file))?.message).toMatch(/is damaged: certificate does not verify/);
    // A private key that is not the public key's.
    await write({ ...saved, node: { pub: saved.node.pub, priv: stranger.node.priv } });
    expect((await refusal(file))?.message).toMatch(/is damaged: the node private key/);
  });

  it('syncs its directory after linking a new identity into place, so a power cut cannot lose it (issue 23, item 11)', async () => {
    const file = path.join(dir, 'identity.json');
    durable.length = 0;
    await loadOrCreateIdentityFile(file);
    expect(durable.filter((call) => !call.endsWith('.tmp'))).toEqual([`link ${file}`, `sync ${dir}`]);
  });

  it('refuses a FIFO under its name at once, without waiting for a writer (issue 23, item 11)', async () => {
    const file = path.join(dir, 'identity.json');
    execFileSync('mkfifo', [file]);
    const refused = await Promise.race([
      readIdentityFile(file).then(
        () => null,
        (e: unknown) => e as Error,
      ),
      new Promise<string>((resolve) => setTimeout(() => resolve('still waiting after 2 s'), 2000)),
    ]);
    expect(refused).toBeInstanceOf(IdentityFileError);
    expect((refused as Error).message).toBe(`the identity file ${file} is not a regular file`);
  });
});
