import { beforeAll, describe, expect, it } from 'vitest';
import { Announcer, NEIGHBOUR_ANNOUNCE_MIN_MS, type AnnouncerDeps } from '../../../../core/node/announcer';
import { ANNOUNCE_INTERVAL_MS, type NodeRecord, type RecordContent } from '../../../../core/discovery/rendezvous-record';
import { TimerGroup } from '../../../../core/lib/clock';
import type { Identity } from '../../../../core/identity/identity';
import type { Rendezvous } from '../../../../core/discovery/rendezvous';
import { MemoryNetwork } from '../../../../server/sim/memory-network';
import { MemoryRendezvous } from '../../../../server/sim/memory-rendezvous';
import { FakeClock, settle } from '../../../support/fake-clock';
import { makeIdentity } from '../../../support/identities';

describe('Announcer', () => {
  let identity: Identity;
  beforeAll(async () => {
    identity = (await makeIdentity()).identity;
  });

  function setup(overrides: Partial<AnnouncerDeps> = {}) {
    const clock = new FakeClock();
    const timers = new TimerGroup(clock);
    const rendezvous = new MemoryRendezvous(new MemoryNetwork().store);
    const state = { content: { signal: ['http://127.0.0.1:9000/peerjs'], routing: true, neighbors: [] } as RecordContent | null, online: rendezvous as Rendezvous | null };
    const announcedAt: number[] = [];
    const errors: unknown[] = [];
    const announcer = new Announcer({
      identity,
      clock,
      timers,
      content: () => state.content,
      rendezvous: () => state.online,
      onAnnounced: (at) => announcedAt.push(at),
      onError: (error) => errors.push(error),
      ...overrides,
    });
    /** When each record written was signed. */
    const writes = () => rendezvous.announced.map((r: NodeRecord) => r.ts);
    return { clock, timers, rendezvous, state, announcer, announcedAt, errors, writes };
  }

  it('announces at start and every ANNOUNCE_INTERVAL_MS after', async () => {
    const { clock, announcer, writes, announcedAt } = setup();
    const t0 = clock.now();
    announcer.start();
    await settle();
    expect(writes()).toEqual([t0]);
    await clock.advance(ANNOUNCE_INTERVAL_MS - 1);
    expect(writes()).toEqual([t0]);
    await clock.advance(1 + ANNOUNCE_INTERVAL_MS);
    expect(writes()).toEqual([t0, t0 + ANNOUNCE_INTERVAL_MS, t0 + 2 * ANNOUNCE_INTERVAL_MS]);
    expect(announcedAt).toEqual(writes());
  });

  it('writes a signed record of what the node says at the time', async () => {
    const { announcer, state, rendezvous } = setup();
    state.content = { signal: [], routing: false, neighbors: ['nxyz'] };
    announcer.now();
    await settle();
    expect(rendezvous.announced[0]).toMatchObject({ id: identity.nodeId, signal: '[]', routing: false, neighbors: '["nxyz"]' });
  });

  it('announces a neighbour change at once when the last announce is old enough', async () => {
    const { clock, announcer, writes } = setup();
    announcer.start();
    await clock.advance(NEIGHBOUR_ANNOUNCE_MIN_MS);
    announcer.neighboursChanged();
    await settle();
    expect(writes()).toHaveLength(2);
    expect(writes()[1]).toBe(writes()[0]! + NEIGHBOUR_ANNOUNCE_MIN_MS);
  });

  it('keeps at most one announce pending for a burst of neighbour changes, sent once the spacing allows', async () => {
    const { clock, timers, announcer, state, writes } = setup();
    const t0 = clock.now();
    announcer.start();
    await settle();
    const interval = timers.size;
    for (let i = 0; i < 10; i++) {
      state.content = { ...state.content!, neighbors: [`n${i}`] };
      announcer.neighboursChanged();
      await clock.advance(50);
    }
    // One timer for the pending announce, however many changes came.
    expect(timers.size).toBe(interval + 1);
    expect(writes()).toEqual([t0]);
    await clock.advance(t0 + NEIGHBOUR_ANNOUNCE_MIN_MS - 1 - clock.now());
    expect(writes()).toEqual([t0]);
    await clock.advance(1);
    expect(writes()).toEqual([t0, t0 + NEIGHBOUR_ANNOUNCE_MIN_MS]);
    expect(timers.size).toBe(interval);
  });

  it('sends the pending announce with the neighbours as they are when it goes, not as they were', async () => {
    const { clock, announcer, state, rendezvous } = setup();
    announcer.start();
    await settle();
    state.content = { ...state.content!, neighbors: ['n1'] };
    announcer.neighboursChanged();
    state.content = { ...state.content, neighbors: ['n1', 'n2'] };
    announcer.neighboursChanged();
    await clock.advance(NEIGHBOUR_ANNOUNCE_MIN_MS);
    expect(rendezvous.announced.map((r) => r.neighbors)).toEqual(['[]', '["n1","n2"]']);
  });

  it('after the pending announce went, the next change waits for the spacing again', async () => {
    const { clock, announcer, writes } = setup();
    const t0 = clock.now();
    announcer.start();
    await settle();
    announcer.neighboursChanged();
    await clock.advance(NEIGHBOUR_ANNOUNCE_MIN_MS);
    announcer.neighboursChanged();
    await clock.advance(NEIGHBOUR_ANNOUNCE_MIN_MS - 1);
    expect(writes()).toEqual([t0, t0 + NEIGHBOUR_ANNOUNCE_MIN_MS]);
    await clock.advance(1);
    expect(writes()).toEqual([t0, t0 + NEIGHBOUR_ANNOUNCE_MIN_MS, t0 + 2 * NEIGHBOUR_ANNOUNCE_MIN_MS]);
  });

  it('schedules nothing while offline', async () => {
    const { clock, timers, announcer, state, writes } = setup();
    state.online = null;
    announcer.neighboursChanged();
    announcer.now();
    await clock.advance(ANNOUNCE_INTERVAL_MS);
    expect(timers.size).toBe(0);
    expect(writes()).toEqual([]);
  });

  it('drops a record signed while the node went offline', async () => {
    const { announcer, state, writes, announcedAt } = setup();
    announcer.now();
    // Offline before the signature is done.
    state.online = null;
    await settle();
    expect(writes()).toEqual([]);
    expect(announcedAt).toEqual([]);
  });

  it('announces neighbour changes again after going offline with one pending and back online', async () => {
    const { clock, timers, announcer, writes } = setup();
    announcer.start();
    await settle();
    announcer.neighboursChanged();
    // Offline as the node goes: its timers cleared, then the announcer told.
    timers.clear();
    announcer.stop();
    await clock.advance(NEIGHBOUR_ANNOUNCE_MIN_MS);
    expect(writes()).toHaveLength(1);
    announcer.start();
    await settle();
    announcer.neighboursChanged();
    await clock.advance(NEIGHBOUR_ANNOUNCE_MIN_MS);
    expect(writes()).toHaveLength(3);
  });

  it('reports a failed signature instead of swallowing it', async () => {
    const failing = Object.create(identity) as Identity;
    failing.sign = () => Promise.reject(new Error('key gone'));
    const { announcer, errors, writes } = setup({ identity: failing });
    announcer.now();
    await settle();
    expect(writes()).toEqual([]);
    expect(errors).toEqual([new Error('key gone')]);
  });
});
