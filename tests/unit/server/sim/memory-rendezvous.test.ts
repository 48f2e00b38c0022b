import { describe, expect, it } from 'vitest';
import { MemoryNetwork } from '../../../../server/sim/memory-network';
import { MemoryRendezvous } from '../../../../server/sim/memory-rendezvous';
import { settle } from '../../../../server/sim/virtual-clock';

describe('MemoryRendezvous with no latency', () => {
  it('hands every record to every started member, a late one included, and keeps the verdict each gave', async () => {
    const { store } = new MemoryNetwork();
    const first = new MemoryRendezvous(store, ['http://127.0.0.1:9000/gun']);
    const relays: string[] = [];
    const seen: unknown[] = [];
    first.events.on('relay:state', ({ url, state }) => relays.push(`${url} ${state}`));
    first.events.on('record:update', ({ value, verdict }) => {
      seen.push(value);
      verdict(false);
    });
    first.start();
    await settle();
    const record = { id: 'junk' };
    store.put('junk', record);
    await settle();
    expect(relays).toEqual(['http://127.0.0.1:9000/gun open']);
    expect(seen).toEqual([record]);
    expect(store.verdicts.get(record)).toBe(false);

    const late = new MemoryRendezvous(store);
    const lateSeen: unknown[] = [];
    late.events.on('record:update', ({ value }) => lateSeen.push(value));
    late.start();
    await settle();
    expect(lateSeen).toEqual([record]);
  });

  it('hands a slot only to members watching it, and reads one through `accept`', async () => {
    const { store } = new MemoryNetwork();
    const writer = new MemoryRendezvous(store);
    const watcher = new MemoryRendezvous(store);
    const heard: string[] = [];
    watcher.events.on('slot:update', ({ path, key }) => heard.push(`${path} ${key}`));
    watcher.start();
    writer.putSlot(['files'], 'k1', { v: 1 });
    await settle();
    expect(heard).toEqual([]);
    watcher.watchSlots(['files']);
    await settle();
    expect(heard).toEqual(['files k1']);
    expect(await writer.readSlot(['files'], 'k1', 1000)).toEqual({ v: 1 });
    expect(await writer.readSlot(['files'], 'k1', 1000, async () => false)).toBeUndefined();
  });
});
