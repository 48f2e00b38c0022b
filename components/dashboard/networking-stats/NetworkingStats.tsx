import { computed, type ReadonlySignal } from '@preact/signals';
import { useId, useMemo } from 'preact/hooks';
import type { Totals } from '../../../core/node/observed-state';
import { formatLoss, formatMs, formatPeriod, formatRate, UNKNOWN } from '../../ui/format';
import {
  DAILY_STEP_MS,
  DAILY_WINDOW_MS,
  peakOf,
  RECENT_STEP_MS,
  RECENT_WINDOW_MS,
  type ChartMetric,
  type HistoryModel,
  type HistoryRange,
} from './stats-history-model';
import type { DashboardNodeModel } from '../snapshot-parts';
import { Panel } from '../../ui/Panel';
import { StatsChart, type ChartSeries } from './StatsChart';
import './networking-stats.css';

interface NetworkingStatsProps {
  node: Pick<DashboardNodeModel, 'totals'>;
  history: HistoryModel;
}

interface RangeOption {
  value: HistoryRange;
  /** "Last 5 minutes". */
  label: string;
  /** "last 5 minutes, one point a second", for the charts' text alternative. */
  words: string;
  /** Shown on a chart while the range has no point yet. */
  empty: string;
}

function rangeOption(value: HistoryRange, windowMs: number, stepMs: number): RangeOption {
  const span = formatPeriod(windowMs);
  const step = formatPeriod(stepMs);
  return {
    value,
    label: `Last ${span}`,
    words: `last ${span}, one point a ${step}`,
    empty: `No history yet: a point appears every ${step} once the node reports.`,
  };
}

const RANGES: RangeOption[] = [rangeOption('recent', RECENT_WINDOW_MS, RECENT_STEP_MS), rangeOption('daily', DAILY_WINDOW_MS, DAILY_STEP_MS)];

interface ChartSpec {
  title: string;
  series: ChartSeries[];
  format: (value: number) => string;
  current: (totals: Totals) => string;
}

const CHARTS: ChartSpec[] = [
  {
    title: 'Bandwidth',
    series: [
      { metric: 'rateOut', label: 'Upload', color: 1 },
      { metric: 'rateIn', label: 'Download', color: 2, dash: [6, 4] },
    ],
    format: formatRate,
    current: (t) => `Upload ${formatRate(t.rateOut)} · Download ${formatRate(t.rateIn)}`,
  },
  {
    title: 'Latency',
    series: [
      { metric: 'medianRttMs', label: 'Median', color: 1 },
      { metric: 'worstRttMs', label: 'Worst', color: 2, dash: [6, 4] },
    ],
    format: formatMs,
    current: (t) => `Median ${formatMs(t.medianRttMs)} · Worst ${formatMs(t.worstRttMs)}`,
  },
  {
    title: 'Packet loss',
    series: [{ metric: 'loss', label: 'Loss', color: 1 }],
    // The chart's y values are percent already (chartColumns).
    format: (percent) => formatLoss(percent / 100),
    current: (t) => `Loss ${formatLoss(t.loss)}`,
  },
];

/** How a metric's peak reads in the text alternative. */
const FORMAT_METRIC: Record<ChartMetric, (value: number) => string> = {
  rateOut: formatRate,
  rateIn: formatRate,
  medianRttMs: formatMs,
  worstRttMs: formatMs,
  loss: formatLoss,
};

/**
 * The `Networking stats` region: bandwidth, latency and packet-loss charts over the last 5 minutes
 * (or 24 hours), each with its current figures as text and a caption with the peaks.
 */
export function NetworkingStats({ node, history }: NetworkingStatsProps) {
  const id = useId();
  const range = history.range.value;
  const emptyText = RANGES.find((r) => r.value === range)!.empty;
  const charts = useMemo(
    () =>
      CHARTS.map((spec) => ({
        spec,
        current: computed(() => {
          const totals = node.totals.value;
          return totals ? `Now: ${spec.current(totals)}` : `Now: ${UNKNOWN}`;
        }),
        caption: captionOf(spec, history.points, history.range),
      })),
    [],
  );
  return (
    <Panel title="Networking stats" area="stats">
      <fieldset class="range">
        <legend>Time range</legend>
        {RANGES.map((r) => (
          <label key={r.value} class="range-option">
            <input
              type="radio"
              name={`${id}-range`}
              value={r.value}
              checked={range === r.value}
              onChange={() => history.setRange(r.value)}
            />
            {r.label}
          </label>
        ))}
      </fieldset>
      <div class="charts">
        {charts.map(({ spec, current, caption }) => (
          <StatsChart
            key={spec.title}
            title={spec.title}
            series={spec.series}
            points={history.points}
            current={current}
            caption={caption}
            formatValue={spec.format}
            emptyText={emptyText}
          />
        ))}
      </div>
    </Panel>
  );
}

function captionOf(spec: ChartSpec, points: ReadonlySignal<readonly { at: number }[]>, range: ReadonlySignal<HistoryRange>) {
  return computed(() => {
    const words = RANGES.find((r) => r.value === range.value)!.words;
    const list = points.value as Parameters<typeof peakOf>[0];
    if (list.length === 0) return `(${words}): no data yet.`;
    const peaks = spec.series.map((s) => {
      const peak = peakOf(list, s.metric);
      return `${s.label.toLowerCase()} peak ${peak === null ? UNKNOWN : FORMAT_METRIC[s.metric](peak)}`;
    });
    return `(${words}): ${peaks.join(', ')}.`;
  });
}
