/**
 * The networking history the charts draw (issue 4, Networking stats): the last 5 minutes at one point
 * a second and the last 24 hours at one point a minute, both kept by the node host, which sends them
 * whole on every (re)connect and then a tick a second. The model keeps them bounded and oldest first.
 */
import { batch, computed, signal, type ReadonlySignal } from '@preact/signals';
import type { StatsPoint } from '../../../core/node/observed-state';
import type { ViewClient } from '../../client/view-client';

type HistoryClient = Pick<ViewClient, 'onHistory' | 'onHistoryTick'>;

/** `recent`: last 5 minutes at 1 s; `daily`: last 24 hours at 1 min. */
export type HistoryRange = 'recent' | 'daily';

export const RECENT_WINDOW_MS = 5 * 60_000;
export const DAILY_WINDOW_MS = 24 * 60 * 60_000;
/** The time between two points, as the host records them. */
export const RECENT_STEP_MS = 1000;
export const DAILY_STEP_MS = 60_000;
/** One point a step over the window, plus one for the partly elapsed first interval. */
export const RECENT_CAPACITY = RECENT_WINDOW_MS / RECENT_STEP_MS + 1;
export const DAILY_CAPACITY = DAILY_WINDOW_MS / DAILY_STEP_MS + 1;

export interface HistoryModel {
  /** Oldest first, at most RECENT_CAPACITY points within 5 minutes of the newest. */
  readonly recent: ReadonlySignal<readonly StatsPoint[]>;
  /** Oldest first, at most DAILY_CAPACITY points within 24 hours of the newest. */
  readonly daily: ReadonlySignal<readonly StatsPoint[]>;
  /** Which of the two the charts show. */
  readonly range: ReadonlySignal<HistoryRange>;
  /** The points of the range shown. */
  readonly points: ReadonlySignal<readonly StatsPoint[]>;
  /** When the last tick arrived (this view's clock): the host is alive while it keeps coming. */
  readonly lastTickAt: ReadonlySignal<number | null>;
  setRange(range: HistoryRange): void;
  dispose(): void;
}

export function createHistoryModel(client: HistoryClient, options: { now?: () => number } = {}): HistoryModel {
  const now = options.now ?? Date.now;
  const recent = signal<readonly StatsPoint[]>([]);
  const daily = signal<readonly StatsPoint[]>([]);
  const range = signal<HistoryRange>('recent');
  const lastTickAt = signal<number | null>(null);
  const points = computed(() => (range.value === 'recent' ? recent.value : daily.value));

  const disposers = [
    client.onHistory((r, d) => {
      batch(() => {
        recent.value = bounded(sortedUnique(r), RECENT_WINDOW_MS, RECENT_CAPACITY);
        daily.value = bounded(sortedUnique(d), DAILY_WINDOW_MS, DAILY_CAPACITY);
      });
    }),
    client.onHistoryTick((second, minute) => {
      batch(() => {
        recent.value = appendPoint(recent.peek(), second, RECENT_WINDOW_MS, RECENT_CAPACITY);
        if (minute) daily.value = appendPoint(daily.peek(), minute, DAILY_WINDOW_MS, DAILY_CAPACITY);
        lastTickAt.value = now();
      });
    }),
  ];

  return {
    recent,
    daily,
    range,
    points,
    lastTickAt,
    setRange(next) {
      range.value = next;
    },
    dispose() {
      for (const dispose of disposers.splice(0)) dispose();
    },
  };
}

/**
 * `points` plus `point`, oldest first, without points older than `windowMs` before the newest and at
 * most `capacity` of them. A point not newer than the last one (a repeat after a reconnect) is
 * ignored: the same array comes back.
 */
export function appendPoint(points: readonly StatsPoint[], point: StatsPoint, windowMs: number, capacity: number): readonly StatsPoint[] {
  const last = points[points.length - 1];
  if (!Number.isFinite(point.at) || (last && point.at <= last.at)) return points;
  return bounded([...points, point], windowMs, capacity);
}

function bounded(points: StatsPoint[], windowMs: number, capacity: number): StatsPoint[] {
  const newest = points[points.length - 1];
  if (!newest) return points;
  let start = Math.max(0, points.length - capacity);
  while (start < points.length && points[start]!.at <= newest.at - windowMs) start++;
  return start === 0 ? points : points.slice(start);
}

function sortedUnique(points: StatsPoint[]): StatsPoint[] {
  const sorted = points.filter((p) => Number.isFinite(p.at)).sort((a, b) => a.at - b.at);
  return sorted.filter((p, i) => i === 0 || p.at !== sorted[i - 1]!.at);
}

/** What a chart draws: one y column per series, over seconds since epoch (uPlot's x). */
export type ChartMetric = 'rateOut' | 'rateIn' | 'medianRttMs' | 'worstRttMs' | 'loss';

/**
 * uPlot's columns: `[x (s), ...one per metric]`; loss in percent; unknown latencies are null (a gap
 * in the line, not a fall to zero).
 */
export function chartColumns(points: readonly StatsPoint[], metrics: readonly ChartMetric[]): [number[], ...(number | null)[][]] {
  const xs = new Array<number>(points.length);
  const ys = metrics.map(() => new Array<number | null>(points.length));
  for (let i = 0; i < points.length; i++) {
    const point = points[i]!;
    xs[i] = point.at / 1000;
    for (let m = 0; m < metrics.length; m++) {
      const metric = metrics[m]!;
      const value = point[metric];
      ys[m]![i] = typeof value === 'number' && Number.isFinite(value) ? (metric === 'loss' ? value * 100 : value) : null;
    }
  }
  return [xs, ...ys];
}

/** The largest known value of `metric` over `points`, for a chart's text alternative; null with none. */
export function peakOf(points: readonly StatsPoint[], metric: ChartMetric): number | null {
  let peak: number | null = null;
  for (const point of points) {
    const value = point[metric];
    if (typeof value === 'number' && Number.isFinite(value) && (peak === null || value > peak)) peak = value;
  }
  return peak;
}
