/**
 * The room's services alone (core/node/room-services.ts), on the fake clock, over the in-memory
 * rendezvous: what a run starts (the shared channel watched and written, file sharing on the run's
 * rendezvous), what it hands on (values of the shared channel with their verdict, the node's identity,
 * settings and node keys to file sharing, its changes), and that stopping leaves no timer, no listener
 * and no engine behind. The rendezvous events are wired to `heard` as core/node/online-run.ts does.
 */
import { describe, expect, it, vi } from 'vitest';
import { RoomServices, type SharedChannel } from '../../../../core/node/room-services';
import { openFileList, signFileList } from '../../../../core/files/file-list';
import type { TorrentEngine, TorrentEngineOptions, Transfer } from '../../../../core/files/torrent-engine';
import { importPublicKey, type Identity } from '../../../../core/identity/identity';
import type { Verdict } from '../../../../core/discovery/rendezvous';
import { fromBase64Url } from '../../../../core/lib/encoding';
import { defaultSettings, type Settings } from '../../../../core/settings/settings';
import { MemoryNetwork } from '../../../../server/sim/memory-network';
import { MemoryRendezvous } from '../../../../server/sim/memory-rendezvous';
import { FakeClock } from '../../../support/fake-clock';
import { makeIdentity } from '../../../support/identities';

const SEEDED = 'c'.repeat(40);
const FETCHED = 'd'.repeat(40);
const settings: Settings = {
  ...defaultSettings(),
  trackerUrls: ['ws://127.0.0.1:9000/tracker'],
  iceServers: [{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'p' }],
};
const list = (channel: string, value: Record<string, string | number> = { blocked: 'sealed' }): SharedChannel => ({ channel, value });

/** A transfer that never finds a peer: enough for file sharing to arm its timers. */
function idleTransfer(infoHash: string, name: string | null, length: number | null): Transfer & { destroyed: boolean } {
  return {
    infoHash, name, length, progress: 0, downloadSpeed: 0, uploadSpeed: 0, peers: 0, done: name !== null, destroyed: false,
    onMetadata: () => undefined,
    onDone: () => undefined,
    onError: () => undefined,
    blob: async () => new Blob(['x']),
    destroy() {
      this.destroyed = true;
    },
  };
}

class FakeEngine implements TorrentEngine {
  destroyed = false;
  async seed(file: Blob, name: string): Promise<Transfer> {
    return idleTransfer(SEEDED, name, file.size);
  }
  fetch(infoHash: string): Transfer {
    return idleTransfer(infoHash, null, null);
  }
  destroy(): void {
    this.destroyed = true;
  }
}

async function setUp({ withEngine = true } = {}) {
  const clock = new FakeClock();
  const { identity } = await makeIdentity();
  // With a clock, the network delivers on the fake clock's timers: nothing moves until the test advances.
  const network = new MemoryNetwork(clock);
  const { store } = network;
  const engine = new FakeEngine();
  const loads: TorrentEngineOptions[] = [];
  const keys = new Map<string, CryptoKey>();
  const heard: [unknown, Verdict][] = [];
  let changes = 0;
  const room = new RoomServices({
    identity,
    clock,
    loadTorrentEngine: withEngine ? async (options) => (loads.push(options), engine) : undefined,
    nodeKeyOf: (nodeId) => keys.get(nodeId) ?? null,
    isPeer: () => false,
    heard: (value, verdict) => void heard.push([value, verdict]),
    changed: () => void changes++,
  });
  /** A started rendezvous of this node, its shared values wired to the room as the online run does. */
  const rendezvous = () => {
    const board = network.createRendezvous({ relayUrls: [], room: 'test', clock });
    board.events.on('shared:update', ({ channel, value, verdict }) => room.heard(channel, value, verdict));
    board.start();
    return board as MemoryRendezvous;
  };
  /** Another member of the relay (a paired browser), writing under its own key. */
  const member = () => {
    const board = new MemoryRendezvous(store);
    board.start();
    return board;
  };
  /** Lets the network deliver what is due now. */
  const deliver = () => clock.advance(0);
  const sharedBy = (channel: string) => Object.fromEntries(store.shared.get(channel) ?? []);
  const heardValues = () => heard.map(([value]) => value);
  return { clock, identity, store, engine, loads, keys, heard, heardValues, room, rendezvous, member, deliver, sharedBy, changes: () => changes };
}

const nodeKey = (identity: Identity) => importPublicKey(fromBase64Url(identity.nodePub));

describe('RoomServices: the shared channel', () => {
  it('writes and watches the channel set offline only once a run starts', async () => {
    const { identity, room, rendezvous, member, deliver, sharedBy, heardValues } = await setUp();
    room.setShared(list('pair-1'));
    await deliver();
    expect(sharedBy('pair-1')).toEqual({});
    room.start(rendezvous(), settings);
    await deliver();
    expect(sharedBy('pair-1')).toEqual({ [identity.nodeId]: { blocked: 'sealed' } });
    member().share('pair-1', 'browser-2', { blocked: 'theirs' });
    await deliver();
    // Its own write comes back too: the merger, not the room, tells the two apart.
    expect(heardValues()).toEqual([{ blocked: 'sealed' }, { blocked: 'theirs' }]);
  });

  it('hands a value of the watched channel on with its verdict unanswered, and answers true itself for any other', async () => {
    const { room, heard } = await setUp();
    const unwatched = vi.fn<Verdict>();
    room.heard('pair-1', { blocked: 'x' }, unwatched);
    // A channel no longer watched: nothing better comes by waiting, so the read must end.
    expect(unwatched).toHaveBeenCalledWith(true);
    room.setShared(list('pair-1'));
    const watched = vi.fn<Verdict>();
    room.heard('pair-1', { blocked: 'y' }, watched);
    expect(heard).toEqual([[{ blocked: 'y' }, watched]]);
    expect(watched).not.toHaveBeenCalled();
    const other = vi.fn<Verdict>();
    room.heard('pair-2', { blocked: 'z' }, other);
    expect(other).toHaveBeenCalledWith(true);
    expect(heard).toHaveLength(1);
  });

  it('moves the watch and the write to a channel set while online, and null stops the watch', async () => {
    const { identity, room, rendezvous, member, deliver, sharedBy, heardValues } = await setUp();
    room.setShared(list('pair-1'));
    const board = rendezvous();
    const delivered: unknown[] = [];
    board.events.on('shared:update', ({ value }) => void delivered.push(value));
    room.start(board, settings);
    await deliver();
    room.setShared(list('pair-2', { blocked: 'moved' }));
    await deliver();
    expect(sharedBy('pair-2')).toEqual({ [identity.nodeId]: { blocked: 'moved' } });
    const browser = member();
    browser.share('pair-1', 'browser-2', { blocked: 'old channel' });
    browser.share('pair-2', 'browser-2', { blocked: 'new channel' });
    await deliver();
    expect(heardValues()).toEqual([{ blocked: 'sealed' }, { blocked: 'moved' }, { blocked: 'new channel' }]);
    room.setShared(null);
    browser.share('pair-2', 'browser-2', { blocked: 'after null' });
    await deliver();
    // Not merely ignored here: the rendezvous no longer reads the channel at all.
    expect(delivered).not.toContainEqual({ blocked: 'after null' });
    expect(heardValues()).not.toContainEqual({ blocked: 'after null' });
  });

  it('writes nothing while stopped, and the next run writes the channel last set on its new rendezvous', async () => {
    const { identity, room, rendezvous, deliver, sharedBy } = await setUp();
    room.setShared(list('pair-1'));
    room.start(rendezvous(), settings);
    await deliver();
    room.stop();
    room.setShared(list('pair-2'));
    await deliver();
    expect(sharedBy('pair-2')).toEqual({});
    room.start(rendezvous(), settings);
    await deliver();
    expect(sharedBy('pair-2')).toEqual({ [identity.nodeId]: { blocked: 'sealed' } });
  });
});

describe('RoomServices: file sharing', () => {
  it('starts none without a torrent engine: no files, no listener on the rendezvous, no timer', async () => {
    const { clock, room, rendezvous, deliver } = await setUp({ withEngine: false });
    const board = rendezvous();
    const listeners = board.events.listenerCount;
    room.start(board, settings);
    await deliver();
    expect(room.files).toBeNull();
    expect(board.events.listenerCount).toBe(listeners);
    expect(clock.pending).toBe(0);
  });

  it('is null offline, and starts with a run on its rendezvous, signing with the node identity and loading the engine with the settings’ trackers and ICE servers', async () => {
    const { clock, identity, store, loads, room, rendezvous, deliver, changes } = await setUp();
    expect(room.files).toBeNull();
    room.start(rendezvous(), settings);
    expect(room.files).not.toBeNull();
    const files = room.files!;
    // The engine loads only on first use.
    expect(loads).toEqual([]);
    expect(await files.share(new Blob(['hello']), 'notes.txt')).toBe(SEEDED);
    await deliver();
    expect(loads).toEqual([{ trackerUrls: settings.trackerUrls, iceServers: settings.iceServers }]);
    const written = store.slots.get('files')?.get(identity.nodeId);
    expect(await openFileList(written, identity.nodeId, await nodeKey(identity), clock.now())).toMatchObject({ files: [{ ih: SEEDED, name: 'notes.txt', size: 5 }] });
    expect(changes()).toBeGreaterThan(0);
  });

  it('takes another node’s file list only with the node key nodeKeyOf gives, and says the files changed', async () => {
    const { clock, keys, room, rendezvous, member, deliver, changes } = await setUp();
    const [{ identity: known }, { identity: keyless }] = await Promise.all([makeIdentity(), makeIdentity()]);
    keys.set(known.nodeId, await nodeKey(known));
    room.start(rendezvous(), settings);
    const before = changes();
    const other = member();
    for (const [identity, ih] of [[known, 'a'], [keyless, 'b']] as const) {
      const record = await signFileList(identity, [{ ih: ih.repeat(40), name: `${ih}.txt`, size: 3 }], clock.now());
      other.putSlot(['files'], identity.nodeId, { ...record });
    }
    await deliver();
    expect(room.files!.snapshot().room).toEqual([{ ih: 'a'.repeat(40), name: 'a.txt', size: 3, sharedBy: [known.nodeId] }]);
    expect(changes()).toBeGreaterThan(before);
  });

  it('stop ends file sharing and holds nothing: no timer, no listener on the rendezvous, the engine destroyed', async () => {
    const { clock, engine, room, rendezvous, deliver, changes } = await setUp();
    const board = rendezvous();
    const listeners = board.events.listenerCount;
    room.start(board, settings);
    const files = room.files!;
    await files.download(FETCHED);
    await deliver();
    expect(clock.pending).toBeGreaterThan(0);
    expect(board.events.listenerCount).toBeGreaterThan(listeners);
    room.stop();
    await deliver();
    expect(room.files).toBeNull();
    expect(clock.pending).toBe(0);
    expect(board.events.listenerCount).toBe(listeners);
    expect(engine.destroyed).toBe(true);
    // The old file sharing tells nobody anything any more.
    const after = changes();
    await clock.advance(60_000);
    expect(changes()).toBe(after);
    room.start(rendezvous(), settings);
    expect(room.files).not.toBeNull();
    expect(room.files).not.toBe(files);
  });
});
