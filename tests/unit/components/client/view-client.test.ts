import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OBSERVE_PORT, PROTOCOL_VERSION, errorReply } from '../../../../core/control/protocol';
import type { NodeSnapshot } from '../../../../core/node/observed-state';
import { createViewClient } from '../../../../components/client/view-client';
import { FakeRuntime } from '../../../support/fake-view-runtime';
import { fakePoint, fakeSnapshot } from '../../../support/view-fixtures';

// The polyfill throws outside an extension; the client only uses it as the default runtime.
vi.mock('webextension-polyfill', () => ({ default: { runtime: {} } }));


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

});
