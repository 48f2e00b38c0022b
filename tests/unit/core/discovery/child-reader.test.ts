/**
 * ChildReader over fake GUN chains on the fake clock: a parent (here the room's records) is watched
 * alone and its children are read newest link first, a few at a time, once per write of their link.
 * This file: which links are read, in what order and at what pace. child-reader-answers.test.ts: what
 * is taken from the answers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { BACKLOG_FETCHES, FETCHES_IN_FLIGHT, FRESH_FETCHES, FRESH_LINK_MS, LINKS_HELD } from '../../../../core/discovery/child-reading';
import { RECORD_STALE_MS, signRecord, type NodeRecord } from '../../../../core/discovery/rendezvous-record';
import { gunNode, idOf, PARENT, setupChildReader as setup } from '../../../support/child-reader-bench';
import type { ChildReader } from '../../../../core/discovery/child-reader';
import type { FakeClock } from '../../../support/fake-clock';
import { makeIdentity } from '../../../support/identities';

describe('ChildReader: which links, in what order, at what pace', () => {
  let record: NodeRecord;
  beforeAll(async () => {
    const { identity } = await makeIdentity();
    record = await signRecord(identity, { signal: ['http://127.0.0.1:9000/peerjs'], routing: true, neighbors: [] }, Date.UTC(2025, 0, 1));
  });

  /** Advances the clock by `ms` in steps of 50, the relay answering every fetch at once with nothing the screen lets through. */
  async function answeringNothing(clock: FakeClock, reader: ChildReader, fetched: string[], ms: number): Promise<void> {
    for (let t = 0; t < ms; t += 50) {
      for (const soul of fetched) reader.refused(soul);
      await clock.advance(50);
    }
  }

  it(`reads the most recently written links first, ${FETCHES_IN_FLIGHT} at a time`, () => {
    const { clock, links, fetched } = setup();
    const now = clock.now();
    const written = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [idOf(i), now - 1000 + i]));
    links(written);
    expect(fetched).toHaveLength(FETCHES_IN_FLIGHT);
    const newest = Object.keys(written).sort((a, b) => written[b]! - written[a]!).slice(0, FETCHES_IN_FLIGHT);
    expect(fetched).toEqual(newest.map((key) => `${PARENT}/${key}`));
  });

  it('reads a known node\'s rewritten link before any stranger\'s, however fresh (a trickle of junk cannot starve known peers)', () => {
    const friend = idOf(999);
    const { clock, links, fetched } = setup([friend]);
    const now = clock.now();
    links({ ...Object.fromEntries(Array.from({ length: 40 }, (_, i) => [idOf(i), now - i])), [friend]: now - 50_000 });
    expect(fetched[0]).toBe(`${PARENT}/${friend}`);
  });

  it('reads no link dated further ahead than a record may be', () => {
    const { clock, links, fetched } = setup();
    links({ [idOf(1)]: clock.now() + 3 * 60_000 });
    expect(fetched).toEqual([]);
  });

  it(`reads a link written now before a burst dated ahead: those wait with the backlog, ranked as if written when heard`, () => {
    const { clock, links, fetched } = setup();
    const now = clock.now();
    const ahead = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [idOf(i + 1), now + 60_000 + i]));
    links({ ...ahead, [record.id]: now });
    // Before: dated ahead, each outranked the newcomer, and stayed "fresh" for up to 2 minutes.
    expect(fetched[0]).toBe(`${PARENT}/${record.id}`);
    expect(fetched).toHaveLength(FETCHES_IN_FLIGHT);
  });

  it('stop() ends every read and holds nothing', () => {
    const { clock, reader, links, children } = setup();
    links({ [record.id]: clock.now() });
    reader.stop();
    expect([...children.values()].every((chain) => chain.offs === 1 && chain.listeners.length === 0)).toBe(true);
  });
  it('reads a child at its own soul only, and prunes stale links from the parent GUN holds', () => {
    const { clock, reader, fetched, graph } = setup();
    const now = clock.now();
    // The parent as GUN holds it in its graph: the reader trims it there.
    const onParent = (node: unknown) => {
      graph.parent = node;
      (reader as unknown as { onParent(node: unknown): void }).onParent(structuredClone(node));
    };
    const parent = gunNode(PARENT, { [idOf(1)]: { '#': 'elsewhere' }, [idOf(2)]: { '#': `${PARENT}/${idOf(2)}` }, [idOf(3)]: { '#': `${PARENT}/${idOf(3)}` } }, (key) => (key === idOf(3) ? now - RECORD_STALE_MS - 1 : now));
    onParent(parent);
    expect(fetched).toEqual([`${PARENT}/${idOf(2)}`]);
    expect(Object.keys(parent)).not.toContain(idOf(3));
    expect(Object.keys(parent._['>'])).not.toContain(idOf(3));
    // GUN's parent is held to LINKS_HELD live links, the most recently written.
    const ids = Array.from({ length: LINKS_HELD + 5 }, (_, i) => idOf(i));
    const many = gunNode(PARENT, Object.fromEntries(ids.map((id) => [id, { '#': `${PARENT}/${id}` }])), (key) => now - ids.indexOf(key));
    onParent(many);
    expect(Object.keys(many).filter((k) => k !== '_').sort()).toEqual(ids.slice(0, LINKS_HELD).sort());
  });
  it(`reads strangers' older links at ${BACKLOG_FETCHES.perSecond} a second once the saved-up ${BACKLOG_FETCHES.burst} are spent, and a link written now at once`, async () => {
    const { clock, links, fetched, reader } = setup();
    const now = clock.now();
    // A storm that ended: 1,000 links, all written more than FRESH_LINK_MS ago.
    const backlog = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [idOf(i), now - FRESH_LINK_MS - 1000 + i]));
    links(backlog);
    await answeringNothing(clock, reader, fetched, 10_000);
    // Every fetch was answered at once, so the slots were free: the budget decided.
    expect(fetched.length).toBeGreaterThanOrEqual(BACKLOG_FETCHES.burst + 9 * BACKLOG_FETCHES.perSecond);
    expect(fetched.length).toBeLessThanOrEqual(BACKLOG_FETCHES.burst + 10 * BACKLOG_FETCHES.perSecond + 1);
    // A node announcing now is read within one fresh fetch's pace, not behind the backlog.
    const newcomer = idOf(5000);
    links({ ...backlog, [newcomer]: clock.now() });
    await answeringNothing(clock, reader, fetched, Math.ceil(1000 / FRESH_FETCHES.perSecond) + 50);
    expect(fetched).toContain(`${PARENT}/${newcomer}`);
    reader.stop();
    const atStop = fetched.length;
    await clock.advance(10_000);
    expect(fetched).toHaveLength(atStop);
  });

  it('keeps its pace when the wall clock steps: the budgets run on the monotonic clock', async () => {
    const { clock, links, fetched, reader } = setup();
    const now = clock.now();
    const backlog = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [idOf(i), now - FRESH_LINK_MS - 1000 + i]));
    links(backlog);
    // The saved-up budget spent.
    await answeringNothing(clock, reader, fetched, 15_000);
    const before = fetched.length;
    // An hour ahead (a clock set right, a laptop waking): on the wall clock, every budget was full again.
    clock.stepWall(3_600_000);
    await answeringNothing(clock, reader, fetched, 1000);
    expect(fetched.length - before).toBeLessThanOrEqual(BACKLOG_FETCHES.perSecond + 1);
  });

  it(`a stream of fresh links below ${FRESH_FETCHES.perSecond} a second is read whole: a newcomer among it is not held back`, async () => {
    const { clock, links, fetched, reader } = setup();
    const written: Record<string, number> = {};
    const newcomer = idOf(9999);
    for (let tick = 0; tick < 200; tick++) {
      // One junk link every 100 ms (10 a second) for 20 s, the newcomer's after 12 s of it.
      written[idOf(tick)] = clock.now();
      if (tick === 120) written[newcomer] = clock.now() - 1;
      links({ ...written });
      await answeringNothing(clock, reader, fetched, 100);
    }
    expect(fetched).toContain(`${PARENT}/${newcomer}`);
    expect(new Set(fetched).size).toBe(201);
  });

  it('forged rewrites of known writers\' links, unanswered, cannot starve a stranger: known links never take the strangers\' last slots', async () => {
    const known = Array.from({ length: 100 }, (_, i) => idOf(i));
    const { clock, links, fetched, reader } = setup(known);
    const newcomer = idOf(5000);
    // The first 64 known writers are watched at their own souls; the rest are read through the slots.
    const written: Record<string, number> = Object.fromEntries(known.slice(0, 64).map((id) => [id, clock.now() - 10_000]));
    links({ ...written });
    for (let tick = 0; tick < 120; tick++) {
      // Eight forged rewrites a second of known, unwatched IDs; nobody answers them.
      written[known[64 + (tick % 36)]!] = clock.now();
      if (tick === 40) written[newcomer] = clock.now() - 1;
      links({ ...written });
      await clock.advance(125);
    }
    expect(fetched).toContain(`${PARENT}/${newcomer}`);
    reader.stop();
  });
});
