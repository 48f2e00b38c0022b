import { describe, expect, it } from 'vitest';
import { openFileList, signFileList } from '../../../../core/files/file-list';
import { FileSharing, LIST_FRESH_MS, LISTS_KEPT, MAX_FILE_BYTES, NO_PEERS_MS } from '../../../../core/files/file-sharing';
import type { TorrentEngine, Transfer } from '../../../../core/files/torrent-engine';
import { importPublicKey, type Identity } from '../../../../core/identity/identity';
import { fromBase64Url } from '../../../../core/lib/encoding';
import { FakeClock, settle } from '../../../support/fake-clock';
import { MemoryNetwork } from '../../../../server/sim/memory-network';
import { MemoryRendezvous } from '../../../../server/sim/memory-rendezvous';
import { makeIdentity } from '../../../support/identities';

const IH = 'a'.repeat(40);

/** A transfer the test drives: metadata, peers, done, errors. */
class FakeTransfer implements Transfer {
  name: string | null = null;
  length: number | null = null;
  progress = 0;
  downloadSpeed = 0;
  uploadSpeed = 0;
  peers = 0;
  done = false;
  destroyed = false;
  private readonly handlers = { metadata: [] as (() => void)[], done: [] as (() => void)[], error: [] as ((e: Error) => void)[] };
  constructor(readonly infoHash: string) {}
  onMetadata(callback: () => void): void {
    this.handlers.metadata.push(callback);
  }
  onDone(callback: () => void): void {
    this.handlers.done.push(callback);
  }
  onError(callback: (error: Error) => void): void {
    this.handlers.error.push(callback);
  }
  metadata(name: string, length: number): void {
    this.name = name;
    this.length = length;
    for (const h of this.handlers.metadata) h();
  }
  finish(): void {
    this.done = true;
    this.progress = 1;
    for (const h of this.handlers.done) h();
  }
  async blob(): Promise<Blob> {
    return new Blob(['hello']);
  }
  destroy(): void {
    this.destroyed = true;
  }
}

class FakeEngine implements TorrentEngine {
  readonly transfers: FakeTransfer[] = [];
  loads = 0;
  async seed(file: Blob, name: string): Promise<Transfer> {
    const transfer = new FakeTransfer(((file.size % 16).toString(16)).repeat(40));
    transfer.metadata(name, file.size);
    transfer.done = true;
    this.transfers.push(transfer);
    return transfer;
  }
  fetch(infoHash: string): Transfer {
    const transfer = new FakeTransfer(infoHash);
    this.transfers.push(transfer);
    return transfer;
  }
  destroy(): void {}
}

async function setUp() {
  const clock = new FakeClock();
  const { store } = new MemoryNetwork();
  const engine = new FakeEngine();
  const make = async () => {
    const { identity } = await makeIdentity();
    const board = new MemoryRendezvous(store);
    board.start();
    const keys = new Map<string, CryptoKey>();
    const peers = new Set<string>();
    const files = new FileSharing({
      identity,
      clock,
      board,
      nodeKeyOf: (id) => keys.get(id) ?? null,
      isPeer: (id) => peers.has(id),
      loadEngine: async () => {
        engine.loads++;
        return engine;
      },
      engineOptions: { trackerUrls: ['ws://127.0.0.1:9000/tracker'], iceServers: [] },
    });
    return { identity, files, keys, peers, board };
  };
  return { clock, store, engine, a: await make(), b: await make() };
}

const nodeKey = (identity: Identity) => importPublicKey(fromBase64Url(identity.nodePub));

describe('file lists', () => {
  it('verify only with the lister’s node key, and only unchanged', async () => {
    const { identity } = await makeIdentity();
    const { identity: other } = await makeIdentity();
    const record = await signFileList(identity, [{ ih: IH, name: 'notes.txt', size: 12 }], 1000);
    expect(await openFileList(record, identity.nodeId, await nodeKey(identity), 1000)).toEqual({ files: [{ ih: IH, name: 'notes.txt', size: 12 }], ts: 1000 });
    expect(await openFileList(record, identity.nodeId, await nodeKey(other), 1000)).toMatch(/signature/);
    // GUN merges a later chunk into the object it handed over, while the check awaits: what is parsed
    // must be what was verified. Here the object's list changes after it is first read.
    const evil = JSON.stringify([{ ih: 'b'.repeat(40), name: 'evil.exe', size: 12 }]);
    let merged = false;
    const shifting = { ...record, get list() { return merged ? evil : record.list; } };
    const key = await nodeKey(identity);
    // The chunk lands as soon as the check first awaits.
    queueMicrotask(() => (merged = true));
    expect(await openFileList(shifting, identity.nodeId, key, 1000)).toEqual({ files: [{ ih: IH, name: 'notes.txt', size: 12 }], ts: 1000 });
    expect(await openFileList({ ...record, list: record.list.replace('12', '13') }, identity.nodeId, await nodeKey(identity), 1000)).toMatch(/signature/);
    expect(await openFileList(record, other.nodeId, await nodeKey(identity), 1000)).toMatch(/not a file list/);
    expect(await openFileList(record, identity.nodeId, await nodeKey(identity), 1000 - 10 * 60_000)).toMatch(/ahead/);
  });
});

describe('FileSharing', () => {
  it('loads the engine only when first used, lists what it shares, and the room sees it with who shares it', async () => {
    const { engine, a, b } = await setUp();
    expect(engine.loads).toBe(0);
    b.keys.set(a.identity.nodeId, await nodeKey(a.identity));
    const ih = await a.files.share(new Blob(['x'.repeat(100)]), 'report.pdf');
    expect(engine.loads).toBe(1);
    expect(a.files.snapshot().shared).toEqual([expect.objectContaining({ ih, name: 'report.pdf', size: 100 })]);
    await settle();
    await new Promise((r) => setTimeout(r, 50));
    expect(b.files.snapshot().room).toEqual([{ ih, name: 'report.pdf', size: 100, sharedBy: [a.identity.nodeId] }]);
    a.files.stopSharing(ih);
    await new Promise((r) => setTimeout(r, 50));
    expect(b.files.snapshot().room).toEqual([]);
  });

  it('refuses a file over the limit, an empty one and a malformed infohash, with a clear message', async () => {
    const { a } = await setUp();
    const big = { size: MAX_FILE_BYTES + 1 } as Blob;
    await expect(a.files.share(big, 'big.iso')).rejects.toThrow(/at most 52428800 bytes \(50 MiB\)/);
    await expect(a.files.share(new Blob([]), 'empty')).rejects.toThrow(/empty/);
    await expect(a.files.download('not-a-hash')).rejects.toThrow(/40 hexadecimal digits/);
  });

  it('shows a download’s progress, and its end: done, cancelled, or no peer found', async () => {
    const { clock, engine, a } = await setUp();
    await a.files.download(IH.toUpperCase());
    const transfer = engine.transfers.at(-1)!;
    expect(transfer.infoHash).toBe(IH);
    transfer.metadata('film.mkv', 5_000_000);
    transfer.peers = 2;
    transfer.progress = 0.4;
    transfer.downloadSpeed = 1_000_000;
    expect(a.files.snapshot().downloads).toEqual([
      { ih: IH, name: 'film.mkv', size: 5_000_000, state: 'fetching', progress: 0.4, downloadBytesPerSecond: 1_000_000, peers: 2, error: null },
    ]);
    transfer.finish();
    expect(a.files.snapshot().downloads[0]).toMatchObject({ state: 'done', progress: 1 });
    expect(await (await a.files.downloaded(IH)).text()).toBe('hello');

    const other = 'b'.repeat(40);
    await a.files.download(other);
    a.files.cancel(other);
    expect(a.files.snapshot().downloads.find((d) => d.ih === other)).toMatchObject({ state: 'cancelled' });
    expect(engine.transfers.at(-1)!.destroyed).toBe(true);

    const lonely = 'c'.repeat(40);
    await a.files.download(lonely);
    await clock.advance(NO_PEERS_MS + 1);
    expect(a.files.snapshot().downloads.find((d) => d.ih === lonely)).toMatchObject({ state: 'failed', error: expect.stringMatching(/no peer shares this file/) });
  });

  it('fails a download whose size is not the one its sharer listed', async () => {
    const { engine, a, b } = await setUp();
    b.keys.set(a.identity.nodeId, await nodeKey(a.identity));
    const ih = await a.files.share(new Blob(['y'.repeat(30)]), 'small.txt');
    await new Promise((r) => setTimeout(r, 50));
    await b.files.download(ih);
    engine.transfers.at(-1)!.metadata('small.txt', 31);
    expect(b.files.snapshot().downloads[0]).toMatchObject({ state: 'failed', error: 'the file is 31 bytes, not the 30 its sharer listed' });
  });

  it('hears a list from a node whose record comes later, once it does', async () => {
    const { clock, a, b } = await setUp();
    const ih = await a.files.share(new Blob(['z'.repeat(7)]), 'late.txt');
    await new Promise((r) => setTimeout(r, 50));
    expect(b.files.snapshot().room).toEqual([]);
    b.keys.set(a.identity.nodeId, await nodeKey(a.identity));
    await clock.advance(2000);
    await new Promise((r) => setTimeout(r, 50));
    expect(b.files.snapshot().room.map((f) => f.ih)).toEqual([ih]);
  });

  it('gives the reader its verdict on each list: true only for a genuine list newer than the one held', async () => {
    const { clock, a, b } = await setUp();
    const verdictOn = (value: unknown) => new Promise<boolean>((resolve) => b.board.events.emit('slot:update', { path: 'files', key: a.identity.nodeId, value, verdict: resolve }));
    const files = [{ ih: IH, name: 'notes.txt', size: 12 }];
    const list = await signFileList(a.identity, files, clock.now());
    // Its signer's key not known yet: kept to be judged later, and the read waits on.
    expect(await verdictOn(list)).toBe(false);
    b.keys.set(a.identity.nodeId, await nodeKey(a.identity));
    expect(await verdictOn({ ...list, list: list.list.replace('12', '13') })).toBe(false);
    expect(await verdictOn(list)).toBe(true);
    // Held now: the same list again, or an older one, is no news.
    expect(await verdictOn(list)).toBe(false);
    expect(await verdictOn(await signFileList(a.identity, files, clock.now() - 1000))).toBe(false);
  });

  it('keeps the genuine list of a node not known yet when a forged one is heard after it', async () => {
    const { clock, a, b } = await setUp();
    const deliver = (value: unknown) => b.board.events.emit('slot:update', { path: 'files', key: a.identity.nodeId, value, verdict: () => undefined });
    const list = await signFileList(a.identity, [{ ih: IH, name: 'notes.txt', size: 12 }], clock.now());
    // GUN hands on one object per soul, and merges a later write into it in place.
    const live: Record<string, unknown> = { ...list };
    deliver(live);
    live.list = list.list.replace('12', '13');
    deliver(live);
    b.keys.set(a.identity.nodeId, await nodeKey(a.identity));
    await clock.advance(2000);
    await new Promise((r) => setTimeout(r, 50));
    expect(b.files.snapshot().room.map((f) => f.ih)).toEqual([IH]);
  });

  it('wakes for nothing while idle: the progress and recheck timers run only while there is work', async () => {
    const { clock, engine, a, b } = await setUp();
    const idle = clock.pending;
    await a.files.download(IH);
    expect(clock.pending).toBeGreaterThan(idle);
    engine.transfers.at(-1)!.finish();
    expect(clock.pending).toBe(idle);
    // A list from a node whose key is not known yet is rechecked until it is.
    await a.files.share(new Blob(['w'.repeat(5)]), 'early.txt');
    await new Promise((r) => setTimeout(r, 50));
    const waiting = clock.pending;
    expect(waiting).toBeGreaterThan(idle);
    b.keys.set(a.identity.nodeId, await nodeKey(a.identity));
    await clock.advance(2000);
    await new Promise((r) => setTimeout(r, 50));
    expect(clock.pending).toBeLessThan(waiting);
  });

  it('forgets other nodes’ lists once stale, and holds at most LISTS_KEPT, taking a newcomer\'s past that only from a ready peer', async () => {
    const { clock, store, b } = await setUp();
    const lister = new MemoryRendezvous(store);
    const listFrom = async (identity: Identity, name: string, ts: number) => {
      b.keys.set(identity.nodeId, await nodeKey(identity));
      lister.putSlot(['files'], identity.nodeId, { ...(await signFileList(identity, [{ ih: name.padStart(40, '0').replace(/[^0-9a-f]/g, 'a'), name, size: 1 }], ts)) });
    };
    const signers = await Promise.all(Array.from({ length: LISTS_KEPT + 20 }, () => makeIdentity()));
    // The first LISTS_KEPT fill the table; the 20 after them, however newly dated (Sybils re-sign at will), find no room.
    for (const [i, { identity }] of signers.entries()) await listFrom(identity, `f${i}`, clock.now() + (i < LISTS_KEPT ? 0 : 60_000));
    await new Promise((r) => setTimeout(r, 200));
    let room = b.files.snapshot().room;
    expect(room).toHaveLength(LISTS_KEPT);
    expect(room.some((f) => f.name === `f${LISTS_KEPT}`)).toBe(false);
    // A ready peer's list is taken in place of the oldest-dated list of a node that is not one.
    const { identity: peer } = await makeIdentity();
    b.peers.add(peer.nodeId);
    await listFrom(peer, 'peer', clock.now());
    await new Promise((r) => setTimeout(r, 50));
    room = b.files.snapshot().room;
    expect(room).toHaveLength(LISTS_KEPT);
    expect(room.some((f) => f.name === 'peer')).toBe(true);
    await clock.advance(LIST_FRESH_MS + 1000);
    expect(b.files.snapshot().room).toEqual([]);
    // A list already stale when heard is not taken at all.
    const { identity: late } = await makeIdentity();
    await listFrom(late, 'old', clock.now() - LIST_FRESH_MS - 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(b.files.snapshot().room).toEqual([]);
  });
});
