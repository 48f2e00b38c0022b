/**
 * A view client for model tests: requests wait until the test answers them, and the test pushes what
 * the node host would post on the observe port (snapshots, history, ticks, log batches).
 */
import type { LogEntry, NodeSnapshot, StatsPoint } from '../../core/node/observed-state';
import type { BlockListState } from '../../core/blocklist/block-list-store';
import type { EndpointTrial } from '../../core/control/endpoint-trial';
import type { ViewClient, ViewRequest } from '../../components/client/view-client';

interface PendingRequest {
  request: ViewRequest;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type FakeClient = Omit<ViewClient, 'close'>;

export function fakeViewClient() {
  const calls: PendingRequest[] = [];
  const state = new Set<(s: NodeSnapshot) => void>();
  const reachable = new Set<(r: boolean, e: Error | null) => void>();
  const history = new Set<(recent: StatsPoint[], daily: StatsPoint[]) => void>();
  const ticks = new Set<(second: StatsPoint, minute: StatsPoint | null) => void>();
  const logs = new Set<(entries: LogEntry[], reset: boolean) => void>();
  const blockLists = new Set<(state: BlockListState) => void>();
  const trials = new Set<(trial: EndpointTrial | null) => void>();
  const problems = new Set<(problems: readonly string[]) => void>();
  const subscribe =
    <T>(set: Set<T>) =>
    (listener: T) => {
      set.add(listener);
      return () => void set.delete(listener);
    };
  const client: FakeClient = {
    request: ((request: ViewRequest) => new Promise((resolve, reject) => calls.push({ request, resolve, reject }))) as ViewClient['request'],
    onState: subscribe(state),
    onReachable(listener) {
      reachable.add(listener);
      listener(false, null);
      return () => void reachable.delete(listener);
    },
    onHistory: subscribe(history),
    onHistoryTick: subscribe(ticks),
    onLog: subscribe(logs),
    onBlockList: subscribe(blockLists),
    onTrial: subscribe(trials),
    onProblems: subscribe(problems),
  };
  return {
    client,
    calls,
    push(s: NodeSnapshot) {
      for (const l of [...state]) l(s);
      for (const l of [...reachable]) l(true, null);
    },
    problems(list: readonly string[]) {
      for (const l of [...problems]) l(list);
    },
    drop() {
      for (const l of [...reachable]) l(false, null);
    },
    history(recent: StatsPoint[], daily: StatsPoint[]) {
      for (const l of [...history]) l(recent, daily);
    },
    tick(second: StatsPoint, minute: StatsPoint | null = null) {
      for (const l of [...ticks]) l(second, minute);
    },
    log(entries: LogEntry[], reset = false) {
      for (const l of [...logs]) l(entries, reset);
    },
    blockList(s: BlockListState) {
      for (const l of [...blockLists]) l(s);
    },
    trial(t: EndpointTrial | null) {
      for (const l of [...trials]) l(t);
    },
    get listenerCount() {
      return state.size + reachable.size + history.size + ticks.size + logs.size + blockLists.size + trials.size;
    },
    /** The oldest unanswered request of `type` (any type when omitted). */
    take(type: string): PendingRequest {
      const index = calls.findIndex((c) => c.request.type === type);
      if (index < 0) throw new Error(`no ${type} request pending (pending: ${calls.map((c) => c.request.type).join(', ') || 'none'})`);
      return calls.splice(index, 1)[0]!;
    },
    /** The oldest unanswered request. */
    next(): PendingRequest {
      const call = calls.shift();
      if (!call) throw new Error('no request pending');
      return call;
    },
  };
}

/** Lets pending promise callbacks run. */
export const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
