/**
 * The dashboard benchmark's page (bench/dashboard.ts bundles it with esbuild into a temp folder and
 * serves it on loopback; it is never part of the extension): the real Dashboard component and models,
 * fed by a fake view client that the benchmark drives through `window.meshdeckBench`.
 */
// The sheets first: each view's own styles, imported with it, come after them and may refine them.
import '../../assets/meshdeck.css';
import '../../assets/dashboard.css';
import { render } from 'preact';
import { Dashboard } from '../../components/dashboard/Dashboard';
import { createDashboardModel, type DashboardClient } from '../../components/dashboard/dashboard-model';
import { defaultSettings, type Settings } from '../../core/settings/settings';
import type { LogEntry, NodeSnapshot, StatsPoint } from '../../core/node/observed-state';
import { createFeed } from './feed';
import { fakeId } from '../../tests/support/view-fixtures';
import type { BlockListState } from '../../core/blocklist/block-list-store';

type Listener<A extends unknown[]> = (...args: A) => void;

function listeners<A extends unknown[]>() {
  const set = new Set<Listener<A>>();
  return {
    add(listener: Listener<A>) {
      set.add(listener);
      return () => void set.delete(listener);
    },
    emit(...args: A) {
      for (const listener of [...set]) listener(...args);
    },
  };
}

const state = listeners<[NodeSnapshot]>();
const reachable = listeners<[boolean, Error | null]>();
const history = listeners<[StatsPoint[], StatsPoint[]]>();
const ticks = listeners<[StatsPoint, StatsPoint | null]>();
const logs = listeners<[LogEntry[], boolean]>();
let settings: Settings = defaultSettings();
const blockList: BlockListState = {
  entries: Array.from({ length: 100 }, (_, i) => {
    const id = fakeId(i % 3 ? 'n' : 'u', 1000 + i);
    return { id, kind: id.startsWith('n') ? 'node' : 'user', at: Date.now() - i * 60_000, note: i % 4 ? '' : `note ${i}`, label: '', v: 1, removed: false };
  }),
  overflow: 0,
  syncBytes: 4000,
  syncQuotaBytes: 102_400,
};
let latest: NodeSnapshot | null = null;

const client: DashboardClient = {
  request: (async (req: { type: string; patch?: Partial<Settings> }) => {
    if (req.type === 'settings:get') return settings;
    if (req.type === 'settings:update') return (settings = { ...settings, ...req.patch });
    if (req.type === 'node:refresh') return { found: 0, dialling: 0 };
    // No trusted peers: the Trusted peers panel shows its empty list.
    if (req.type === 'trust:list') return { entries: [], overflow: 0, syncBytes: 0, syncQuotaBytes: 102_400 };
    return null;
  }) as DashboardClient['request'],
  onState(listener) {
    if (latest) listener(latest);
    return state.add(listener);
  },
  onReachable(listener) {
    listener(latest !== null, null);
    return reachable.add(listener);
  },
  onHistory: (listener) => history.add(listener),
  onHistoryTick: (listener) => ticks.add(listener),
  onLog: (listener) => logs.add(listener),
  // A block list of 100 entries, as a user who blocks would have: on screen, never changing here.
  onBlockList(listener) {
    listener(blockList);
    return () => {};
  },
  onTrial: () => () => {},
  onProblems: (listener) => (listener([]), () => {}),
};

const model = createDashboardModel(client, { tickMs: 1000, writeClipboard: async () => {}, saveFile: () => {} });
render(<Dashboard model={model} />, document.getElementById('app')!);

/** What the benchmark calls; each does what one message on the observe port would. */
const bench = {
  pushState(snapshot: NodeSnapshot) {
    const first = latest === null;
    latest = snapshot;
    state.emit(snapshot);
    if (first) reachable.emit(true, null);
  },
  pushHistory: (recent: StatsPoint[], daily: StatsPoint[]) => history.emit(recent, daily),
  tick: (second: StatsPoint, minute: StatsPoint | null) => ticks.emit(second, minute),
  log: (entries: LogEntry[], reset: boolean) => logs.emit(entries, reset),
  sortBy: (key: Parameters<typeof model.connections.sortBy>[0]) => model.connections.sortBy(key),
  /**
   * Resolves once every microtask queued before it, and those they queue in turn up to `hops` deep
   * (Preact's re-render, then the texts bound to signals a microtask later), ran: still in the same
   * task, so no frame (style, layout, paint) can slip into the measure as it could with a new task.
   */
  settle: async (hops = 8) => {
    for (let i = 0; i < hops; i++) await new Promise<void>((resolve) => queueMicrotask(resolve));
  },
  /** Total time spent in requestAnimationFrame callbacks since the last call (the charts' setData). */
  takeFrameTime() {
    const t = frameTime;
    frameTime = 0;
    return t;
  },
};

// Times every animation-frame callback (the charts call setData there) with the microtasks it
// queued (uPlot commits its redraw in one), for the frame figure.
let frameTime = 0;
const raf = window.requestAnimationFrame.bind(window);
window.requestAnimationFrame = (callback) =>
  raf((at) => {
    const start = performance.now();
    try {
      callback(at);
    } finally {
      queueMicrotask(() => {
        frameTime += performance.now() - start;
      });
    }
  });

export interface UpdateSample {
  /** Handing the messages to the client → every microtask they caused ran. */
  script: number;
  /** The same plus the style recalculation the next frame would do. */
  style: number;
  /** The same plus style and layout. */
  layout: number;
  /** requestAnimationFrame callbacks of the next frame (the charts' setData). */
  frame: number;
}

let feed: ReturnType<typeof createFeed> | null = null;
let updates = 0;
const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

/**
 * Primes the dashboard with `connections` peers (once), optionally sorts the table, then measures
 * `warmup + count` stats updates, one a frame, and returns the last `count`.
 */
async function run(connections: number, count: number, warmup: number, sortKey: string | null): Promise<UpdateSample[]> {
  if (!feed) {
    feed = createFeed(connections);
    bench.pushState(feed.snapshot(0));
    bench.pushHistory(feed.recent(), feed.daily());
    bench.log(feed.log(), true);
    await bench.settle();
    await nextFrame();
  }
  if (sortKey) {
    bench.sortBy(sortKey as Parameters<typeof bench.sortBy>[0]);
    await bench.settle();
    await nextFrame();
  }
  const samples: UpdateSample[] = [];
  for (let u = 0; u < warmup + count; u++) {
    const n = ++updates;
    const snapshot = feed.snapshot(n);
    const second = feed.point(n);
    bench.takeFrameTime();
    const start = performance.now();
    bench.pushState(snapshot);
    bench.tick(second, null);
    await bench.settle();
    const script = performance.now() - start;
    void getComputedStyle(document.body).color; // style
    const style = performance.now() - start;
    void document.body.offsetHeight; // and layout, which the next frame would do anyway
    const layout = performance.now() - start;
    await nextFrame();
    const frame = bench.takeFrameTime();
    if (u >= warmup) samples.push({ script, style, layout, frame });
  }
  // Sanity: the table shows every connection.
  const rows = document.querySelectorAll('tr[data-node-id]').length;
  if (rows !== connections) throw new Error(`expected ${connections} rows, found ${rows}`);
  return samples;
}

(window as unknown as { meshdeckBench: typeof bench & { run: typeof run } }).meshdeckBench = { ...bench, run };
