/**
 * ChildReader's test bench: fake GUN chains for the parent and each child, driven on the fake clock,
 * with a consumer whose verdict the test sets.
 */
import { ChildReader, type ReaderChain } from '../../core/discovery/child-reader';
import { recordFamily, type ChildFamily } from '../../core/discovery/graph-families';
import type { NodeRecord } from '../../core/discovery/rendezvous-record';
import { TimerGroup } from '../../core/lib/clock';
import { FakeClock } from './fake-clock';

export const PARENT = 'meshdeck/v1/default/nodes';
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
export const idOf = (i: number) => 'n' + [...i.toString(32).padStart(26, '0')].map((d) => BASE32[parseInt(d, 32)]).join('');

class FakeChain implements ReaderChain {
  listeners: ((data: unknown) => void)[] = [];
  offs = 0;
  on(callback: (data: unknown) => void): void {
    this.listeners.push(callback);
  }
  once(callback: (data: unknown) => void): void {
    this.listeners.push(callback);
  }
  off(): void {
    this.offs++;
    this.listeners = [];
  }
  emit(data: unknown): void {
    for (const listener of [...this.listeners]) listener(data);
  }
}

/** A GUN node as GUN hands it over: fields, and `_` with its soul and each field's state. */
export const gunNode = (soul: string, fields: Record<string, unknown>, writtenAt: (key: string) => number) => ({
  _: { '#': soul, '>': Object.fromEntries(Object.keys(fields).map((key) => [key, writtenAt(key)])) },
  ...fields,
});

export function setupChildReader(known: string[] = [], family: ChildFamily = recordFamily(), parentSoul = PARENT) {
  const clock = new FakeClock();
  const parent = new FakeChain();
  const children = new Map<string, FakeChain>();
  const fetched: string[] = [];
  const read: unknown[] = [];
  const graph: { parent: unknown } = { parent: null };
  /** Child souls dropped from GUN's graph after a verdict of no news. */
  const forgotten: string[] = [];
  /** The consumer's verdict on each child handed on (true: genuine). */
  const judge = { genuine: (_data: unknown): boolean => true };
  const reader = new ChildReader({
    family,
    parentSoul,
    parent,
    chainOf: (soul) => {
      fetched.push(soul);
      const chain = new FakeChain();
      children.set(soul, chain);
      return chain;
    },
    timers: new TimerGroup(clock),
    now: () => clock.now(),
    monotonic: () => clock.monotonic(),
    knows: (nodeId) => known.includes(nodeId),
    onChild: (_key, data) => {
      read.push(data);
      return Promise.resolve(judge.genuine(data));
    },
    forgetChild: (soul) => forgotten.push(soul),
    // GUN's graph node of the parent: here the last one the test handed over.
    forgetLink: (key) => {
      const held = graph.parent as (Record<string, unknown> & { _: { '>': Record<string, unknown> } }) | null;
      if (!held) return;
      delete held[key];
      delete held._['>'][key];
    },
  });
  reader.start();
  /** The parent as GUN holds it: a link per key, each written at its time. */
  const links = (written: Record<string, number>) =>
    parent.emit(gunNode(parentSoul, Object.fromEntries(Object.keys(written).map((key) => [key, { '#': `${parentSoul}/${key}` }])), (key) => written[key]!));
  const answer = (record: NodeRecord, writtenAt: number) => children.get(`${parentSoul}/${record.id}`)!.emit(gunNode(`${parentSoul}/${record.id}`, { ...record }, () => writtenAt));
  return { clock, reader, links, answer, fetched, read, children, graph, judge, forgotten };
}
