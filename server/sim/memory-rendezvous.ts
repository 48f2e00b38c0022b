/**
 * The rendezvous relay of the in-memory transport (memory-network.ts): the latest write of every
 * record, shared channel and slot, handed to every member after that member's latency to the relay
 * (none in the unit tests, where the network delivers on microtasks).
 */
import { Emitter } from '../../core/lib/events';
import type { Rendezvous, RendezvousEvents } from '../../core/discovery/rendezvous';
import type { NodeRecord } from '../../core/discovery/rendezvous-record';

/** Deliveries to members are grouped by latency, rounded up to this step: one timer per group, not per member. */
const DELIVERY_STEP_MS = 10;

/** The rendezvous relay: the latest write of every record, and of the shared channels and slots. */
export class MemoryRendezvousStore {
  readonly records = new Map<string, unknown>();
  /** Each record delivered → the verdict a node gave on it (rendezvous.ts, Verdict), when history is kept. */
  readonly verdicts = new Map<unknown, boolean>();
  readonly shared = new Map<string, Map<string, unknown>>();
  readonly slots = new Map<string, Map<string, unknown>>();
  private readonly byDelay = new Map<number, Set<MemoryRendezvous>>();

  /**
   * `schedule` runs a delivery after its delay: the network's `after`. `keepsHistory`: whether the
   * verdicts and each member's announced records are kept for a test to read; not in a simulation of
   * thousands, where they would grow with every announce.
   */
  constructor(
    private readonly schedule: (run: () => void, ms: number) => void,
    readonly keepsHistory: boolean,
  ) {}

  join(member: MemoryRendezvous): void {
    let group = this.byDelay.get(member.delay);
    if (!group) this.byDelay.set(member.delay, (group = new Set()));
    group.add(member);
    this.after(member.delay, () => {
      for (const record of this.records.values()) member.deliver(record);
    });
  }

  leave(member: MemoryRendezvous): void {
    this.byDelay.get(member.delay)?.delete(member);
  }

  /** Writes a record as any client of the relay could, junk and forgeries included. */
  put(id: string, record: unknown): void {
    this.records.set(id, record);
    this.toEveryMember((member) => member.deliver(record));
  }

  share(channel: string, key: string, value: unknown): void {
    let values = this.shared.get(channel);
    if (!values) this.shared.set(channel, (values = new Map()));
    values.set(key, value);
    this.toEveryMember((member) => member.deliverShared(channel, value));
  }

  /** Writes a slot as any client of the relay could, forged and replayed signals included. */
  putSlot(path: string, key: string, value: unknown): void {
    let values = this.slots.get(path);
    if (!values) this.slots.set(path, (values = new Map()));
    values.set(key, value);
    this.toEveryMember((member) => member.deliverSlot(path, key, value));
  }

  after(ms: number, deliver: () => void): void {
    this.schedule(deliver, ms);
  }

  private toEveryMember(deliver: (member: MemoryRendezvous) => void): void {
    for (const [delay, group] of this.byDelay) {
      if (!group.size) continue;
      this.schedule(() => group.forEach(deliver), delay);
    }
  }
}

export class MemoryRendezvous implements Rendezvous {
  readonly events = new Emitter<RendezvousEvents>();
  /** Its latency to the relay, rounded up to the delivery step. */
  readonly delay: number;
  /** Every record it announced, in order, when the store keeps history. */
  readonly announced: NodeRecord[] = [];
  private watchingShared: string | null = null;
  private readonly watchingSlots = new Set<string>();
  private started = false;

  constructor(
    private readonly store: MemoryRendezvousStore,
    private readonly relayUrls: readonly string[] = [],
    latencyMs = 0,
  ) {
    this.delay = Math.ceil(latencyMs / DELIVERY_STEP_MS) * DELIVERY_STEP_MS;
  }

  start(): void {
    this.started = true;
    this.store.join(this);
    this.store.after(this.delay, () => {
      for (const url of this.relayUrls) if (this.started) this.events.emit('relay:state', { url, state: 'open' });
    });
  }

  stop(): void {
    this.started = false;
    this.store.leave(this);
    this.events.clear();
  }

  announce(record: NodeRecord): void {
    if (this.store.keepsHistory) this.announced.push(record);
    this.store.after(this.delay, () => this.started && this.store.put(record.id, record));
  }

  reread(): void {
    this.store.after(this.delay, () => {
      for (const record of this.store.records.values()) this.deliver(record);
    });
  }

  share(channel: string, key: string, value: Record<string, string | number>): void {
    this.store.after(this.delay, () => this.store.share(channel, key, value));
  }

  watchShared(channel: string | null): void {
    this.watchingShared = channel;
    if (!channel) return;
    this.store.after(this.delay, () => {
      for (const value of this.store.shared.get(channel)?.values() ?? []) this.deliverShared(channel, value);
    });
  }

  putSlot(path: readonly string[], key: string, value: Record<string, string | number>): void {
    this.store.after(this.delay, () => this.store.putSlot(path.join('/'), key, value));
  }

  watchSlots(path: readonly string[]): void {
    const joined = path.join('/');
    this.watchingSlots.add(joined);
    this.store.after(this.delay, () => {
      for (const [key, value] of this.store.slots.get(joined) ?? []) this.deliverSlot(joined, key, value);
    });
  }

  unwatchSlots(path: readonly string[]): void {
    this.watchingSlots.delete(path.join('/'));
  }

  async readSlot(path: readonly string[], key: string, ms: number, accept: (value: unknown) => Promise<boolean> = async () => true): Promise<unknown> {
    const value = await new Promise<unknown>((resolve) => this.store.after(Math.min(ms, 2 * this.delay), () => resolve(this.store.slots.get(path.join('/'))?.get(key))));
    return value !== undefined && (await accept(value)) ? value : undefined;
  }

  deliver(record: unknown): void {
    if (this.started) this.events.emit('record:update', { value: record, verdict: (genuine) => void (this.store.keepsHistory && this.store.verdicts.set(record, genuine)) });
  }

  deliverShared(channel: string, value: unknown): void {
    if (this.started && this.watchingShared === channel) this.events.emit('shared:update', { channel, value, verdict: () => undefined });
  }

  deliverSlot(path: string, key: string, value: unknown): void {
    if (this.started && this.watchingSlots.has(path)) this.events.emit('slot:update', { path, key, value, verdict: () => undefined });
  }
}
