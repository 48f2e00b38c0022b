/**
 * The auto-dialler alone, on the fake clock: the newly found first, the latest signed first, then the
 * rest in the order its random source gives, as the dial policy and the budget allow.
 */
import { describe, expect, it } from 'vitest';
import { AutoDialler, STALLED_DIAL_MS } from '../../../../core/node/auto-dialler';
import { DialBudget } from '../../../../core/node/dial-budget';
import { RedialPolicy } from '../../../../core/node/redial-policy';
import { SessionTable } from '../../../../core/node/session-table';
import { RecordTable } from '../../../../core/discovery/record-table';
import { signRecord } from '../../../../core/discovery/rendezvous-record';
import { IdentityVerifier } from '../../../../core/identity/identity';
import { TimerGroup } from '../../../../core/lib/clock';
import { defaultSettings } from '../../../../core/settings/settings';
import type { PeerSession } from '../../../../core/session/peer-session';
import { NEWLY_FOUND_KEPT } from '../../../../core/node/newly-found';
import { FakeClock } from '../../../support/fake-clock';
import { makeIdentity } from '../../../support/identities';
import { fakeId } from '../../../support/ids';

async function setUp(nodes: number, { maxPeers = 8, random = Math.random } = {}) {
  const clock = new FakeClock();
  const settings = { ...defaultSettings(), maxPeers };
  const records = new RecordTable(fakeId(0), new IdentityVerifier(), clock);
  const ids: string[] = [];
  for (let i = 0; i < nodes; i++) {
    const { identity } = await makeIdentity();
    await records.ingest(await signRecord(identity, { signal: [settings.signalingUrl], routing: true, neighbors: [] }, clock.now() - nodes + i));
    ids.push(identity.nodeId);
  }
  const dialled: string[] = [];
  const sessions = new SessionTable();
  const redial = new RedialPolicy(clock);
  const dialler = new AutoDialler({
    timers: new TimerGroup(clock),
    monotonic: () => clock.monotonic(),
    records,
    sessions,
    budget: new DialBudget(clock),
    context: () => ({
      settings,
      signalingState: 'open',
      selfId: fakeId(0),
      now: clock.now(),
      sessionCount: dialled.length,
      hasSession: (id) => dialled.includes(id),
      isBlocked: () => false,
      isStranger: () => false,
      redial,
    }),
    dial: (nodeId) => {
      dialled.push(nodeId);
      sessions.add({ remoteId: nodeId, isReady: false } as unknown as PeerSession);
    },
    random,
  });
  return { clock, dialler, dialled, ids };
}

describe('AutoDialler', () => {
  it('dials every node the policy allows, in the order its random source gives', async () => {
    const inOrder = await setUp(4, { random: () => 0.999 });
    inOrder.dialler.sweep();
    // Fisher–Yates with a source near 1 swaps nothing: the table's order.
    expect(inOrder.dialled).toEqual(inOrder.ids);
    const reversed = await setUp(4, { random: () => 0 });
    reversed.dialler.sweep();
    expect(reversed.dialled).not.toEqual(reversed.ids);
    expect([...reversed.dialled].sort()).toEqual([...reversed.ids].sort());
  });

  it('dials no more than maxPeers: each dial of a sweep counts for the next candidate, and later sweeps add none', async () => {
    const { dialler, dialled } = await setUp(5, { maxPeers: 2 });
    dialler.sweep();
    expect(dialled).toHaveLength(2);
    dialler.sweep();
    dialler.sweep();
    expect(dialled).toHaveLength(2);
  });

  it('dials a newly found node at once, before any sweep', async () => {
    const { clock, dialler, dialled, ids } = await setUp(3);
    dialler.found(ids[1]!, clock.now());
    expect(dialled).toEqual([ids[1]]);
  });

  it('forgets the newly found on stop: none is dialled by a later sweep first', async () => {
    const { clock, dialler, dialled, ids } = await setUp(3, { maxPeers: 0 });
    dialler.found(ids[2]!, clock.now());
    dialler.stop();
    expect(dialled).toEqual([]);
  });

  describe('a newly found node while dials nobody answers hold every slot (a Sybil storm)', () => {
    /** A node with `maxPeers` slots, each taken by a dial of a Sybil's record that nobody answers (or by a ready connection). */
    async function slotsTaken(maxPeers: number, { ready = false } = {}) {
      const clock = new FakeClock();
      const settings = { ...defaultSettings(), maxPeers };
      const records = new RecordTable(fakeId(0), new IdentityVerifier(), clock);
      const sessions = new SessionTable();
      const redial = new RedialPolicy(clock, () => 0.5);
      const dialled: string[] = [];
      const closed: [string, string][] = [];
      const dialler = new AutoDialler({
        timers: new TimerGroup(clock),
        monotonic: () => clock.monotonic(),
        records,
        sessions,
        budget: new DialBudget(clock),
        context: () => ({
          settings,
          signalingState: 'open',
          selfId: fakeId(0),
          now: clock.now(),
          sessionCount: sessions.size,
          hasSession: (id) => sessions.has(id),
          isBlocked: () => false,
          isStranger: () => false,
          redial,
        }),
        dial: (nodeId) => {
          dialled.push(nodeId);
          const session = {
            remoteId: nodeId,
            link: { direction: 'outbound' },
            isReady: ready,
            openedAt: clock.now(),
            close: (reason: string) => {
              closed.push([nodeId, reason]);
              sessions.remove(session);
            },
          } as unknown as PeerSession;
          sessions.add(session);
        },
        random: () => 0.999,
      });
      /** A node whose record, signed at `signedAt`, was just found. */
      const found = async (signedAt = clock.now()) => {
        const { identity } = await makeIdentity();
        await records.ingest(await signRecord(identity, { signal: [settings.signalingUrl], routing: true, neighbors: [] }, signedAt));
        dialler.found(identity.nodeId, Math.min(signedAt, clock.now()));
        return identity.nodeId;
      };
      const sybils: string[] = [];
      for (let i = 0; i < maxPeers; i++) sybils.push(await found());
      expect(sessions.size).toBe(maxPeers);
      return { clock, sessions, dialled, closed, sybils, found };
    }

    it(`takes the slot of the oldest dial unanswered for STALLED_DIAL_MS`, async () => {
      const { clock, sessions, dialled, closed, sybils, found } = await slotsTaken(2);
      await clock.advance(STALLED_DIAL_MS);
      const newcomer = await found();
      expect(closed).toEqual([[sybils[0], 'superseded']]);
      expect(dialled.at(-1)).toBe(newcomer);
      expect(sessions.size).toBe(2);
    });

    it('found while the dials are young, is dialled as soon as one stalls, not at the next sweep', async () => {
      const { clock, dialled, closed, found } = await slotsTaken(2);
      const newcomer = await found();
      expect(dialled).not.toContain(newcomer);
      await clock.advance(STALLED_DIAL_MS - 1);
      expect(dialled).not.toContain(newcomer);
      await clock.advance(1);
      expect(dialled.at(-1)).toBe(newcomer);
      expect(closed).toHaveLength(1);
    });

    it(`keeps a newcomer first while more than ${NEWLY_FOUND_KEPT} records signed before it keep arriving (a relay delivers a storm in its own order)`, async () => {
      const { clock, dialled, found } = await slotsTaken(2);
      const newcomer = await found();
      for (let i = 0; i < NEWLY_FOUND_KEPT + 4; i++) await found(clock.now() - 30_000);
      const before = dialled.length;
      await clock.advance(STALLED_DIAL_MS);
      expect(dialled[before]).toBe(newcomer);
    });

    it('never gives up a ready connection for a newcomer', async () => {
      const { clock, dialled, closed, found } = await slotsTaken(1, { ready: true });
      await clock.advance(STALLED_DIAL_MS);
      const newcomer = await found();
      await clock.advance(STALLED_DIAL_MS);
      expect(closed).toEqual([]);
      expect(dialled).not.toContain(newcomer);
    });
  });
});
