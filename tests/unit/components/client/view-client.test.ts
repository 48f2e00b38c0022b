import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OBSERVE_PORT, PROTOCOL_VERSION, errorReply, okReply } from '../../../../core/control/protocol';
import type { NodeSnapshot } from '../../../../core/node/observed-state';
import {
  ClientClosedError,
  NoReplyError,
  createViewClient,
  firstHeard,
  type ViewPort,
  type ViewRuntime,
} from '../../../../components/client/view-client';
import { fakePoint, fakeSnapshot } from '../../../support/view-fixtures';

// The polyfill throws outside an extension; the client only uses it as the default runtime.
vi.mock('webextension-polyfill', () => ({ default: { runtime: {} } }));

/** A listener list with the add/remove semantics of a WebExtension event. */
class FakeEvent<T extends (...args: never[]) => void> {
  readonly listeners = new Set<T>();
  addListener(listener: T) {
    this.listeners.add(listener);
  }
  removeListener(listener: T) {
    this.listeners.delete(listener);
  }
  emit(...args: Parameters<T>) {
    for (const listener of [...this.listeners]) listener(...args);
  }
}

class FakePort implements ViewPort {
  readonly onMessage = new FakeEvent<(message: unknown) => void>();
  readonly onDisconnect = new FakeEvent<() => void>();
  disconnectedByClient = false;
  constructor(readonly name: string) {}
  disconnect() {
    this.disconnectedByClient = true;
  }
  /** The node host posts on the port. */
  post(message: unknown) {
    this.onMessage.emit(message);
  }
  /** The other end went away (or never existed); like Chrome, not fired for the client's own disconnect(). */
  drop() {
    this.onDisconnect.emit();
  }
  get listenerCount() {
    return this.onMessage.listeners.size + this.onDisconnect.listeners.size;
  }
}

class FakeRuntime implements ViewRuntime {
  readonly ports: FakePort[] = [];
  readonly sent: unknown[] = [];
  /** Answers every message; replace per test. */
  answer: (message: Record<string, unknown>) => Promise<unknown> = async () => okReply(null);
  connect(info: { name: string }) {
    const port = new FakePort(info.name);
    this.ports.push(port);
    return port;
  }
  sendMessage(message: unknown) {
    this.sent.push(message);
    return this.answer(message as Record<string, unknown>);
  }
  get port() {
    return this.ports.at(-1)!;
  }
}

function snapshot(at: number): NodeSnapshot {
  return fakeSnapshot({ at });
}

describe('createViewClient', () => {
  let runtime: FakeRuntime;

  beforeEach(() => {
    vi.useFakeTimers();
    runtime = new FakeRuntime();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('opens the observe port and delivers snapshots', () => {
    const client = createViewClient(runtime);
    expect(runtime.ports).toHaveLength(1);
    expect(runtime.port.name).toBe(OBSERVE_PORT);

    const seen: number[] = [];
    client.onState((s) => seen.push(s.at));
    runtime.port.post({ type: 'state', snapshot: snapshot(1) });
    runtime.port.post({ type: 'something-else' });
    runtime.port.post({ type: 'state', snapshot: 'not an object' });
    runtime.port.post({ type: 'state', snapshot: snapshot(2) });
    expect(seen).toEqual([1, 2]);
    client.close();
  });

  it('hands a late subscriber the latest snapshot at once', () => {
    const client = createViewClient(runtime);
    runtime.port.post({ type: 'state', snapshot: snapshot(7) });
    const listener = vi.fn();
    client.onState(listener);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener.mock.calls[0]![0].at).toBe(7);
    client.close();
  });

  it('reports reachability: false at first, true with a snapshot, false when the port drops', () => {
    const client = createViewClient(runtime);
    const states: boolean[] = [];
    client.onReachable((reachable) => states.push(reachable));
    runtime.port.post({ type: 'state', snapshot: snapshot(1) });
    runtime.port.drop();
    expect(states).toEqual([false, true, false]);
    client.close();
  });

  it('after a disconnect asks the background for the host and reconnects with a doubling backoff', async () => {
    const client = createViewClient(runtime);
    const first = runtime.port;
    first.drop();
    expect(first.listenerCount).toBe(0);
    expect(runtime.sent).toEqual([{ type: 'host:ensure', v: PROTOCOL_VERSION, to: 'background' }]);

    // 100 ms, then 200, 400, 800, 1600, and 2000 from then on.
    const delays = [100, 200, 400, 800, 1600, 2000, 2000];
    for (const delay of delays) {
      const count = runtime.ports.length;
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(runtime.ports).toHaveLength(count);
      await vi.advanceTimersByTimeAsync(1);
      expect(runtime.ports).toHaveLength(count + 1);
      runtime.port.drop();
    }
    expect(runtime.sent).toHaveLength(delays.length + 1);

    // A snapshot resets the backoff.
    await vi.advanceTimersByTimeAsync(2000);
    const states: NodeSnapshot[] = [];
    client.onState((s) => states.push(s));
    runtime.port.post({ type: 'state', snapshot: snapshot(3) });
    expect(states).toHaveLength(1);
    runtime.port.drop();
    const count = runtime.ports.length;
    await vi.advanceTimersByTimeAsync(100);
    expect(runtime.ports).toHaveLength(count + 1);
    client.close();
  });

  it('passes a failed host:ensure on to reachability listeners', async () => {
    runtime.answer = async () => errorReply(Object.assign(new Error('offscreen documents are not supported'), { name: 'HostError' }));
    const client = createViewClient(runtime);
    const calls: [boolean, string | undefined][] = [];
    client.onReachable((reachable, error) => calls.push([reachable, error?.message]));
    runtime.port.drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual([
      [false, undefined],
      [false, 'offscreen documents are not supported'],
    ]);
    client.close();
  });

  it('close() releases the port, the reconnect timer and the listeners', async () => {
    const client = createViewClient(runtime);
    const listener = vi.fn();
    client.onState(listener);
    client.onReachable(listener);
    listener.mockClear();

    runtime.port.drop(); // schedules a reconnect
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    const open = runtime.port;
    open.drop(); // and another
    expect(vi.getTimerCount()).toBe(1);

    client.close();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runtime.ports).toHaveLength(2);

    // A connected port is disconnected and left without listeners.
    const again = createViewClient(runtime);
    const port = runtime.port;
    const late = vi.fn();
    again.onState(late);
    again.close();
    expect(port.disconnectedByClient).toBe(true);
    expect(port.listenerCount).toBe(0);
    port.post({ type: 'state', snapshot: snapshot(9) });
    port.drop();
    expect(late).not.toHaveBeenCalled();
    expect(listener).not.toHaveBeenCalled();
    expect(runtime.ports).toHaveLength(3);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('delivers history, ticks and log batches, dropping malformed ones', () => {
    const client = createViewClient(runtime);
    const history: [number, number][] = [];
    const ticks: [number, number | null][] = [];
    client.onHistory((recent, daily) => history.push([recent.length, daily.length]));
    client.onHistoryTick((second, minute) => ticks.push([second.at, minute?.at ?? null]));
    runtime.port.post({ type: 'history', recent: [fakePoint(1), fakePoint(2)], daily: [fakePoint(0)] });
    runtime.port.post({ type: 'history', recent: 'nope', daily: [] });
    runtime.port.post({ type: 'history:tick', second: fakePoint(3), minute: null });
    runtime.port.post({ type: 'history:tick', second: fakePoint(4), minute: fakePoint(60) });
    runtime.port.post({ type: 'history:tick', second: null, minute: null });
    expect(history).toEqual([[2, 1]]);
    expect(ticks).toEqual([
      [3, null],
      [4, 60],
    ]);
    client.close();
  });

  it('marks the first log batch of every port as a reset (the whole buffer)', async () => {
    const client = createViewClient(runtime);
    const batches: [number[], boolean][] = [];
    client.onLog((entries, reset) => batches.push([entries.map((e) => e.seq), reset]));
    const entry = (seq: number) => ({ seq, at: seq, level: 'info', type: 'peer:ready', message: 'ready' });
    runtime.port.post({ type: 'log', entries: [entry(1), entry(2)] });
    runtime.port.post({ type: 'log', entries: [entry(3)] });
    runtime.port.post({ type: 'log', entries: 'nope' });
    runtime.port.drop();
    await vi.advanceTimersByTimeAsync(100);
    runtime.port.post({ type: 'log', entries: [entry(1)] });
    expect(batches).toEqual([
      [[1, 2], true],
      [[3], false],
      [[1], true],
    ]);
    client.close();
  });

  it('delivers the block list and the endpoint trial, replaying the latest to a late subscriber', () => {
    const client = createViewClient(runtime);
    const lists: number[] = [];
    const trials: (number | null)[] = [];
    client.onBlockList((state) => lists.push(state.entries.length));
    client.onTrial((trial) => trials.push(trial?.deadline ?? null));
    const trial = { previous: {}, next: {}, startedAt: 1, deadline: 15_001 };
    runtime.port.post({ type: 'blocklist', state: { entries: [{ id: 'n' }], overflow: 0, syncBytes: 10, syncQuotaBytes: 100 } });
    runtime.port.post({ type: 'blocklist', state: { entries: 'nope' } });
    runtime.port.post({ type: 'trial', trial });
    runtime.port.post({ type: 'trial', trial: 'nope' });
    runtime.port.post({ type: 'trial', trial: null });
    expect(lists).toEqual([1]);
    expect(trials).toEqual([15_001, null]);

    const late: unknown[] = [];
    client.onBlockList((state) => late.push(state.entries.length));
    client.onTrial((t) => late.push(t));
    expect(late).toEqual([1, null]);
    client.close();
    runtime.port.post({ type: 'trial', trial });
    expect(trials).toEqual([15_001, null]);
  });

  it("each on…() returns an unsubscribe that stops only that listener's deliveries", () => {
    const client = createViewClient(runtime);
    const kept = vi.fn();
    const gone = vi.fn();
    const offs = [
      client.onState(gone),
      client.onReachable(gone),
      client.onHistory(gone),
      client.onHistoryTick(gone),
      client.onLog(gone),
      client.onBlockList(gone),
      client.onTrial(gone),
    ];
    client.onState(kept);
    client.onLog(kept);
    gone.mockClear();
    for (const off of offs) off();

    runtime.port.post({ type: 'state', snapshot: snapshot(1) });
    runtime.port.post({ type: 'history', recent: [], daily: [] });
    runtime.port.post({ type: 'history:tick', second: fakePoint(1), minute: null });
    runtime.port.post({ type: 'log', entries: [] });
    runtime.port.post({ type: 'blocklist', state: { entries: [], overflow: 0, syncBytes: 0, syncQuotaBytes: 100 } });
    runtime.port.post({ type: 'trial', trial: null });
    runtime.port.drop();
    expect(gone).not.toHaveBeenCalled();
    expect(kept).toHaveBeenCalledTimes(2);
    client.close();
  });

  it('close() drops history and log listeners', () => {
    const client = createViewClient(runtime);
    const listener = vi.fn();
    client.onHistory(listener);
    client.onHistoryTick(listener);
    client.onLog(listener);
    const port = runtime.port;
    client.close();
    port.post({ type: 'history', recent: [], daily: [] });
    port.post({ type: 'log', entries: [] });
    expect(listener).not.toHaveBeenCalled();
  });

  describe('request', () => {
    it('sends an envelope to the background and unwraps the value', async () => {
      runtime.answer = async (message) => okReply({ echoed: message.type });
      const client = createViewClient(runtime);
      await expect(client.request({ type: 'settings:get' })).resolves.toEqual({ echoed: 'settings:get' });
      expect(runtime.sent).toEqual([{ type: 'settings:get', v: PROTOCOL_VERSION, to: 'background' }]);
      client.close();
    });

    it("throws the reply's error with its name and message", async () => {
      runtime.answer = async () => ({ ok: false, error: { name: 'SettingsError', message: 'must be true or false' } });
      const client = createViewClient(runtime);
      const error = await client.request({ type: 'settings:update', patch: { enabled: true } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe('SettingsError');
      expect((error as Error).message).toBe('must be true or false');
      expect((error as { field?: string }).field).toBeUndefined();
      client.close();
    });

    it('keeps the field a SettingsError is about', async () => {
      runtime.answer = async () => ({ ok: false, error: { name: 'SettingsError', message: '"x" is not a URL', field: 'signalingUrl' } });
      const client = createViewClient(runtime);
      const error = await client.request({ type: 'settings:update', patch: { signalingUrl: 'x' } }).catch((e: unknown) => e);
      expect((error as { field?: string }).field).toBe('signalingUrl');
      client.close();
    });

    it('throws NoReplyError when nothing answered', async () => {
      runtime.answer = async () => undefined;
      const client = createViewClient(runtime);
      await expect(client.request({ type: 'settings:get' })).rejects.toBeInstanceOf(NoReplyError);
      client.close();
    });

    it('passes on a failed sendMessage, also a synchronous throw', async () => {
      runtime.answer = () => Promise.reject(new Error('Could not establish connection. Receiving end does not exist.'));
      const client = createViewClient(runtime);
      await expect(client.request({ type: 'settings:get' })).rejects.toThrow('Receiving end does not exist');
      runtime.answer = () => {
        throw new Error('Extension context invalidated.');
      };
      await expect(client.request({ type: 'settings:get' })).rejects.toThrow('Extension context invalidated');
      client.close();
    });

    it('rejects pending and later requests once closed', async () => {
      runtime.answer = () => new Promise(() => {});
      const client = createViewClient(runtime);
      const pending = client.request({ type: 'settings:get' });
      client.close();
      await expect(pending).rejects.toBeInstanceOf(ClientClosedError);
      await expect(client.request({ type: 'settings:get' })).rejects.toBeInstanceOf(ClientClosedError);
    });

    it('honours an abort signal', async () => {
      runtime.answer = () => new Promise(() => {});
      const client = createViewClient(runtime);
      const controller = new AbortController();
      const pending = client.request({ type: 'settings:get' }, { signal: controller.signal });
      controller.abort(new Error('gone'));
      await expect(pending).rejects.toThrow('gone');
      client.close();
    });

    it('ignores a reply that arrives after the abort, and sends nothing when aborted already', async () => {
      let answer!: (reply: unknown) => void;
      runtime.answer = () => new Promise((resolve) => (answer = resolve));
      const client = createViewClient(runtime);
      const controller = new AbortController();
      const pending = client.request({ type: 'settings:get' }, { signal: controller.signal });
      controller.abort();
      answer(okReply({ late: true }));
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });

      await expect(client.request({ type: 'settings:get' }, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
      expect(runtime.sent).toHaveLength(1);
      client.close();
    });
  });
});

describe('firstHeard', () => {
  let runtime: FakeRuntime;
  beforeEach(() => {
    vi.useFakeTimers();
    runtime = new FakeRuntime();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  async function settledAfter(act: (client: ReturnType<typeof createViewClient>) => void): Promise<{ settled: boolean; client: ReturnType<typeof createViewClient> }> {
    const client = createViewClient(runtime);
    let settled = false;
    void firstHeard(client, 1000).then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(10);
    expect(settled).toBe(false);
    act(client);
    await vi.advanceTimersByTimeAsync(0);
    return { settled, client };
  }

  it('resolves on the first snapshot', async () => {
    const { settled, client } = await settledAfter(() => runtime.port.post({ type: 'state', snapshot: snapshot(1) }));
    expect(settled).toBe(true);
    client.close();
  });

  it('resolves when the host proves unreachable (the background cannot create it)', async () => {
    runtime.answer = async () => errorReply(new Error('no offscreen document'));
    const { settled, client } = await settledAfter(() => runtime.port.drop());
    expect(settled).toBe(true);
    client.close();
  });

  it('resolves after the wait when the host says nothing, and at once when a snapshot is already there', async () => {
    const { settled, client } = await settledAfter(() => vi.advanceTimersByTime(990));
    expect(settled).toBe(true);
    let again = false;
    runtime.port.post({ type: 'state', snapshot: snapshot(2) });
    void firstHeard(client, 1000).then(() => (again = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(again).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    client.close();
  });
});
