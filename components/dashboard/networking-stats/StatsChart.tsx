import { effect, useComputed, type ReadonlySignal } from '@preact/signals';
import { useEffect, useId, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { StatsPoint } from '../../../core/node/observed-state';
import { chartColumns, type ChartMetric } from './stats-history-model';

export interface ChartSeries {
  metric: ChartMetric;
  label: string;
  /** Which theme colour (assets/dashboard.css --series-N). */
  color: 1 | 2;
  /** A dash pattern, so that two lines differ by more than colour. */
  dash?: number[];
}

interface StatsChartProps {
  /** The chart's name: the figure's caption starts with it. */
  title: string;
  series: readonly ChartSeries[];
  points: ReadonlySignal<readonly StatsPoint[]>;
  /** Text of the current figures ("Upload 1.2 kB/s · Download 3 kB/s"), shown beside the chart. */
  current: ReadonlySignal<string>;
  /** The rest of the text alternative ("last 5 minutes, peak 3 kB/s"). */
  caption: ReadonlySignal<string>;
  /** Formats a y-axis value. */
  formatValue: (value: number) => string;
  /** Shown over the chart while it has no point. */
  emptyText: string;
}

const HEIGHT = 150;

/**
 * One uPlot chart (STYLE.md, "uPlot"): created once on mount, `setData` at most once a frame when the
 * points change, `setSize` from a ResizeObserver, `destroy()` on unmount. The canvas is hidden from
 * assistive technology; the figure's caption and the current figures are its text alternative. Colours
 * come from the theme's CSS variables and follow a light/dark switch without re-creating the chart.
 */
export function StatsChart({ title, series, points, current, caption, formatValue, emptyText }: StatsChartProps) {
  const id = useId();
  const host = useRef<HTMLDivElement>(null);
  // Read through a computed: the chart re-renders when it becomes (non-)empty, not on every tick.
  const empty = useComputed(() => points.value.length === 0).value;

  useEffect(() => {
    const el = host.current!;
    const metrics = series.map((s) => s.metric);
    const colors = readColors(el);
    const plot = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height: HEIGHT,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] } },
        axes: [
          { stroke: () => colors.text, grid: { stroke: () => colors.grid, width: 1 }, ticks: { stroke: () => colors.grid, width: 1 } },
          {
            stroke: () => colors.text,
            grid: { stroke: () => colors.grid, width: 1 },
            ticks: { stroke: () => colors.grid, width: 1 },
            size: 64,
            values: (_u, splits) => splits.map(formatValue),
          },
        ],
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: () => (s.color === 1 ? colors.series1 : colors.series2),
            width: 2,
            dash: s.dash,
            points: { show: false },
          })),
        ],
      },
      chartColumns(points.peek(), metrics) as uPlot.AlignedData,
      el,
    );

    let frame = 0;
    const draw = () => {
      frame = 0;
      plot.setData(chartColumns(points.peek(), metrics) as uPlot.AlignedData);
    };
    let first = true;
    const stop = effect(() => {
      void points.value;
      if (first) return void (first = false);
      if (!frame) frame = requestAnimationFrame(draw);
    });

    const resize = new ResizeObserver(() => {
      const width = Math.max(200, el.clientWidth);
      if (width !== plot.width) plot.setSize({ width, height: HEIGHT });
    });
    resize.observe(el);

    const scheme = matchMedia('(prefers-color-scheme: dark)');
    const onScheme = () => {
      Object.assign(colors, readColors(el));
      plot.redraw(false);
    };
    scheme.addEventListener('change', onScheme);

    return () => {
      stop();
      cancelAnimationFrame(frame);
      resize.disconnect();
      scheme.removeEventListener('change', onScheme);
      plot.destroy();
    };
    // Created once: the props of a chart never change (they are the dashboard's models).
  }, []);

  return (
    <figure class="chart" aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`} class="chart-caption">
        <span class="chart-title">{title}</span> <span class="chart-caption-text">{caption}</span>
      </figcaption>
      <p class="chart-now" data-chart-now={title}>
        {current}
      </p>
      <ul class="chart-keys" aria-hidden="true">
        {series.map((s) => (
          <li key={s.metric}>
            <svg viewBox="0 0 24 8" class="chart-key">
              <line x1="0" y1="4" x2="24" y2="4" class={`series-${s.color}`} stroke-dasharray={s.dash?.join(' ')} />
            </svg>
            {s.label}
          </li>
        ))}
      </ul>
      <div class="chart-area" aria-hidden="true">
        <div class="chart-canvas" ref={host} />
        {empty && <p class="chart-empty">{emptyText}</p>}
      </div>
    </figure>
  );
}

interface ChartColors {
  text: string;
  grid: string;
  series1: string;
  series2: string;
}

function readColors(el: Element): ChartColors {
  const style = getComputedStyle(el);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return { text: v('--muted', '#545c69'), grid: v('--grid', '#dde1e7'), series1: v('--series-1', '#0b57c5'), series2: v('--series-2', '#a3470b') };
}
