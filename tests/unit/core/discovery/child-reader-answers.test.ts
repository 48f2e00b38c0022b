/**
 * ChildReader over fake GUN chains on the fake clock: what it takes from the answers to its reads —
 * whole children as new as their link, a copy handed on, read on past forgeries, freed slots.
 * child-reader.test.ts: which links are read, in what order and at what pace.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CHECKS_PER_FETCH, FETCH_TIMEOUT_MS, FETCHES_IN_FLIGHT, NOT_FOUND_GRACE_MS } from '../../../../core/discovery/child-reading';
import { FILE_LIST_FRESH_MS, FILES_FAMILY } from '../../../../core/discovery/graph-families';
import { RECORD_STALE_MS, signRecord, type NodeRecord } from '../../../../core/discovery/rendezvous-record';
import { gunNode, idOf, PARENT, setupChildReader as setup } from '../../../support/child-reader-bench';
import { makeIdentity } from '../../../support/identities';

describe('ChildReader: what it takes from the answers', () => {
  let record: NodeRecord;
  beforeAll(async () => {
    const { identity } = await makeIdentity();
    record = await signRecord(identity, { signal: ['http://127.0.0.1:9000/peerjs'], routing: true, neighbors: [] }, Date.UTC(2025, 0, 1));
  });

  it('reads a child once per write of its link, and never a link older than a fresh record', async () => {
    const { clock, links, answer, fetched, read } = setup();
    const at = clock.now();
    links({ [record.id]: at, [idOf(1)]: at - RECORD_STALE_MS - 1 });
    expect(fetched).toEqual([`${PARENT}/${record.id}`]);
    answer(record, at);
    expect(read).toHaveLength(1);
    // The parent sent again, same write: nothing read.
    links({ [record.id]: at });
    expect(fetched).toHaveLength(1);
    // The node announced again: its link was rewritten, so the child is read again.
    await clock.advance(15_000);
    links({ [record.id]: clock.now() });
    expect(fetched).toHaveLength(2);
  });

  it('takes only a whole record as new as its link: an older copy or a chunk is waited past', () => {
    const { clock, links, answer, read, children } = setup();
    const at = clock.now();
    links({ [record.id]: at });
    answer(record, at - 15_000);
    const soul = `${PARENT}/${record.id}`;
    children.get(soul)!.emit(gunNode(soul, { id: record.id, ts: record.ts }, () => at));
    expect(read).toEqual([]);
    answer(record, at);
    expect(read).toHaveLength(1);
  });

  it("takes no copy that mixes two writes (a newer write's first chunk beside an older write's other fields), fetched or watched", async () => {
    // GUN merges what it hears field by field, and a relay passes a write on in chunks of 9 fields.
    const mixed = (soul: string, older: number, newer: number) => gunNode(soul, { ...record }, (field) => (field === 'cert' ? newer : older));
    const fetching = setup();
    const at = fetching.clock.now();
    fetching.links({ [record.id]: at });
    const soul = `${PARENT}/${record.id}`;
    fetching.children.get(soul)!.emit(mixed(soul, at - 15_000, at));
    expect(fetching.read).toEqual([]);
    fetching.answer(record, at);
    expect(fetching.read).toHaveLength(1);

    const watching = setup([record.id]);
    watching.links({ [record.id]: at });
    const watch = watching.children.get(soul)!;
    watch.emit(gunNode(soul, { ...record }, () => at - 15_000));
    watch.emit(mixed(soul, at - 15_000, at));
    // Then the rest of that write: taken once whole, though its newest field state was seen before.
    watch.emit(gunNode(soul, { ...record }, () => at));
    expect(watching.read).toHaveLength(2);
  });

  it(`frees a slot when an answer does not come in time, or ${NOT_FOUND_GRACE_MS} ms after the screen refused one, and reads that link once more last`, async () => {
    const { clock, reader, links, fetched, children } = setup();
    const now = clock.now();
    links(Object.fromEntries(Array.from({ length: FETCHES_IN_FLIGHT + 2 }, (_, i) => [idOf(i), now - i])));
    expect(fetched).toHaveLength(FETCHES_IN_FLIGHT);
    const first = fetched[0]!;
    reader.refused(first);
    await clock.advance(NOT_FOUND_GRACE_MS);
    expect(fetched).toHaveLength(FETCHES_IN_FLIGHT + 1);
    expect(children.get(first)!.offs).toBe(1);
    await clock.advance(FETCH_TIMEOUT_MS);
    expect(fetched.slice(FETCHES_IN_FLIGHT + 1)).toEqual([`${PARENT}/${idOf(FETCHES_IN_FLIGHT + 1)}`, first]);
  });

  it('takes the relay\'s answer after junk answered first: another client of a stock relay answers the reads it passes on', async () => {
    const { clock, reader, links, answer, read } = setup();
    const at = clock.now();
    links({ [record.id]: at });
    reader.refused(`${PARENT}/${record.id}`);
    await clock.advance(10);
    answer(record, at);
    expect(read).toHaveLength(1);
  });

  it('reads on past a well-formed answer its consumer found forged, and takes the genuine one that follows', async () => {
    // Through a stock relay another client answers the reads it passes on: a forged child, well formed
    // and as new as its link, once ended the fetch, and the genuine child was not read until its next write.
    const { clock, reader, links, children, read, judge, forgotten } = setup();
    const at = clock.now();
    const soul = `${PARENT}/${record.id}`;
    const forged = { ...record, sig: record.sig.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) };
    judge.genuine = (data) => (data as { sig: string }).sig === record.sig;
    links({ [record.id]: at });
    children.get(soul)!.emit(gunNode(soul, forged, () => at));
    await clock.advance(10);
    expect(reader.fetches(soul)).toBe(true);
    // Dropped from GUN's graph, so that a genuine child with older states than the forgery's can merge.
    expect(forgotten).toEqual([soul]);
    children.get(soul)!.emit(gunNode(soul, { ...record }, () => at));
    await clock.advance(0);
    expect(read.map((data) => (data as { sig: string }).sig)).toEqual([forged.sig, record.sig]);
    expect(reader.fetches(soul)).toBe(false);
  });

  it('hands its consumer a copy: a later chunk GUN merges into the object it handed over changes nothing already handed on', async () => {
    const { clock, links, children, read } = setup();
    const at = clock.now();
    const soul = `${PARENT}/${record.id}`;
    links({ [record.id]: at });
    const live = gunNode(soul, { ...record }, () => at) as Record<string, unknown>;
    children.get(soul)!.emit(live);
    live.signal = JSON.stringify(['http://127.0.0.1:9/evil']);
    expect((read[0] as { signal: string }).signal).toBe(record.signal);
  });

  it('hands the same child on once per fetch, however often GUN delivers it while its verdict is awaited', async () => {
    const { clock, links, children, read } = setup();
    const at = clock.now();
    const soul = `${PARENT}/${record.id}`;
    links({ [record.id]: at });
    for (let i = 0; i < 3; i++) children.get(soul)!.emit(gunNode(soul, { ...record }, () => at));
    await clock.advance(0);
    expect(read).toHaveLength(1);
  });

  it(`hands one fetch's answers on for a verdict ${CHECKS_PER_FETCH} times at most, and ends it ${NOT_FOUND_GRACE_MS} ms after a forged one`, async () => {
    const { clock, reader, links, children, read, judge, fetched } = setup();
    const at = clock.now();
    const soul = `${PARENT}/${record.id}`;
    judge.genuine = () => false;
    links({ [record.id]: at });
    const first = children.get(soul)!;
    for (let i = 0; i < 3 * CHECKS_PER_FETCH; i++) first.emit(gunNode(soul, { ...record, ts: record.ts + i }, () => at));
    await clock.advance(0);
    expect(read).toHaveLength(CHECKS_PER_FETCH);
    expect(reader.fetches(soul)).toBe(true);
    await clock.advance(NOT_FOUND_GRACE_MS);
    // Ended, and its link put back once, as after an answer the screen refused.
    expect(first.offs).toBe(1);
    expect(fetched).toEqual([soul, soul]);
  });

  it(`frees a slot ${NOT_FOUND_GRACE_MS} ms after every relay said it holds no such child, not after ${FETCH_TIMEOUT_MS} ms`, async () => {
    const { clock, reader, links, fetched } = setup();
    const now = clock.now();
    links(Object.fromEntries(Array.from({ length: FETCHES_IN_FLIGHT + 1 }, (_, i) => [idOf(i), now - i])));
    expect(reader.fetches(fetched[0]!)).toBe(true);
    reader.notFound(fetched[0]!);
    // A federated relay's answer may still come: the slot is held a little longer.
    await clock.advance(NOT_FOUND_GRACE_MS - 1);
    expect(fetched).toHaveLength(FETCHES_IN_FLIGHT);
    await clock.advance(1);
    expect(fetched).toHaveLength(FETCHES_IN_FLIGHT + 1);
    expect(reader.fetches(`${PARENT}/${idOf(0)}`)).toBe(false);
    // A soul not being fetched: nothing happens.
    reader.notFound(`${PARENT}/${idOf(0)}`);
    expect(fetched).toHaveLength(FETCHES_IN_FLIGHT + 1);
    // Put back once, behind every link not read yet: read again when the slots have nothing newer.
    for (let i = 1; i <= FETCHES_IN_FLIGHT; i++) reader.refused(`${PARENT}/${idOf(i)}`);
    await clock.advance(NOT_FOUND_GRACE_MS);
    expect(fetched.filter((soul) => soul === `${PARENT}/${idOf(0)}`)).toHaveLength(2);
    reader.notFound(`${PARENT}/${idOf(0)}`);
    await clock.advance(NOT_FOUND_GRACE_MS);
    await clock.advance(FETCH_TIMEOUT_MS);
    expect(fetched.filter((soul) => soul === `${PARENT}/${idOf(0)}`)).toHaveLength(2);
  });

  it('an answer of nothing only ever ends a fetch sooner: sent again, it cannot hold a slot past its timeout', async () => {
    const { clock, reader, links, fetched } = setup();
    links({ [idOf(0)]: clock.now(), [idOf(1)]: clock.now() - 1 });
    expect(fetched).toHaveLength(2);
    for (let t = 0; t < FETCH_TIMEOUT_MS; t += NOT_FOUND_GRACE_MS / 2) {
      reader.notFound(fetched[0]!);
      await clock.advance(NOT_FOUND_GRACE_MS / 2);
    }
    expect(reader.fetches(fetched[0]!)).toBe(false);
  });

  it('reads any family by its rules: a file list whole and filed under its writer, no link older than a list stays fresh', async () => {
    const files = 'meshdeck/v1/default/files';
    const { clock, links, read, children, fetched } = setup([], FILES_FAMILY, files);
    const at = clock.now();
    const writer = idOf(7);
    const old = idOf(8);
    const list = { id: writer, list: '[]', ts: at, sig: 'x'.repeat(86) };
    links({ [writer]: at, [old]: at - FILE_LIST_FRESH_MS - 1 });
    expect(fetched).toEqual([`${files}/${writer}`]);
    const child = children.get(`${files}/${writer}`)!;
    // Filed under another ID, or with a field no list has: waited past.
    child.emit(gunNode(`${files}/${writer}`, { ...list, id: idOf(9) }, () => at));
    child.emit(gunNode(`${files}/${writer}`, { ...list, extra: 1 }, () => at));
    expect(read).toEqual([]);
    child.emit(gunNode(`${files}/${writer}`, list, () => at));
    expect(read).toHaveLength(1);
  });
  it('watches known writers at their own souls, outside the fetch slots: links forged under their IDs hold none', async () => {
    const { identity } = await makeIdentity();
    const friendRecord = await signRecord(identity, { signal: ['http://127.0.0.1:9000/peerjs'], routing: true, neighbors: [] }, Date.UTC(2025, 0, 1));
    const known = [friendRecord.id, ...Array.from({ length: 7 }, (_, i) => idOf(500 + i))];
    const { clock, links, fetched, children, read } = setup(known);
    const now = clock.now();
    const strangers = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [idOf(i), now - i]));
    links({ ...Object.fromEntries(known.map((id) => [id, now])), ...strangers });
    // Every known writer watched, and still FETCHES_IN_FLIGHT strangers being read.
    expect(fetched.filter((soul) => known.some((id) => soul.endsWith(id)))).toHaveLength(known.length);
    expect(fetched.filter((soul) => !known.some((id) => soul.endsWith(id)))).toHaveLength(FETCHES_IN_FLIGHT);
    // Forged rewrites of the known links: no new read, no slot.
    await clock.advance(1000);
    links({ ...Object.fromEntries(known.map((id) => [id, clock.now()])) });
    expect(fetched).toHaveLength(known.length + FETCHES_IN_FLIGHT);
    // The friend's own writes come as they are made, each once.
    const soul = `${PARENT}/${friendRecord.id}`;
    children.get(soul)!.emit(gunNode(soul, { ...friendRecord }, () => now));
    children.get(soul)!.emit(gunNode(soul, { ...friendRecord }, () => now));
    children.get(soul)!.emit(gunNode(soul, { ...friendRecord, ts: friendRecord.ts + 15_000 }, () => now + 15_000));
    expect(read).toHaveLength(2);
  });

  it('a writer watched while its fetch runs: the fetch ends first, and its end never switches the watch off', async () => {
    const known: string[] = [];
    const { clock, links, children, answer } = setup(known);
    const at = clock.now();
    links({ [record.id]: at });
    const fetching = children.get(`${PARENT}/${record.id}`)!;
    known.push(record.id);
    links({ [record.id]: at + 1 });
    const watching = children.get(`${PARENT}/${record.id}`)!;
    expect(watching).not.toBe(fetching);
    expect(fetching.offs).toBe(1);
    await clock.advance(FETCH_TIMEOUT_MS * 2);
    expect(watching.offs).toBe(0);
    expect(watching.listeners).toHaveLength(1);
    answer(record, at + 1);
  });
});
