import { describe, expect, it } from 'vitest';
import {
  appendPoint,
  chartColumns,
  createHistoryModel,
  DAILY_CAPACITY,
  peakOf,
  RECENT_CAPACITY,
  RECENT_WINDOW_MS,
} from '../../../../../components/dashboard/networking-stats/stats-history-model';
import { fakeViewClient } from '../../../../support/fake-view-client';
import { fakePoint } from '../../../../support/view-fixtures';

describe('appendPoint', () => {
  it('appends newer points, ignores repeats and keeps the window', () => {
    let points = appendPoint([], fakePoint(1000), RECENT_WINDOW_MS, RECENT_CAPACITY);
    points = appendPoint(points, fakePoint(2000), RECENT_WINDOW_MS, RECENT_CAPACITY);
    const same = appendPoint(points, fakePoint(2000), RECENT_WINDOW_MS, RECENT_CAPACITY);
    expect(same).toBe(points);
    expect(appendPoint(points, fakePoint(1500), RECENT_WINDOW_MS, RECENT_CAPACITY)).toBe(points);
    points = appendPoint(points, fakePoint(1000 + RECENT_WINDOW_MS), RECENT_WINDOW_MS, RECENT_CAPACITY);
    expect(points.map((p) => p.at)).toEqual([2000, 1000 + RECENT_WINDOW_MS]);
  });

  it('is a ring of at most `capacity` points', () => {
    let points: readonly ReturnType<typeof fakePoint>[] = [];
    for (let s = 0; s < 1000; s++) points = appendPoint(points, fakePoint(s * 1000), RECENT_WINDOW_MS, RECENT_CAPACITY);
    expect(points.length).toBeLessThanOrEqual(RECENT_CAPACITY);
    expect(points.length).toBe(300);
    expect(points[0]!.at).toBe(700_000);
    expect(points.at(-1)!.at).toBe(999_000);
  });
});

describe('createHistoryModel', () => {
  it('takes the whole history on connect, then ticks; the range picks the points', () => {
    const fake = fakeViewClient();
    let now = 42;
    const model = createHistoryModel(fake.client, { now: () => now });
    // Unsorted, with a duplicate and more than a day of minutes: sorted, deduplicated, bounded.
    const daily = Array.from({ length: DAILY_CAPACITY + 100 }, (_, i) => fakePoint(i * 60_000));
    fake.history([fakePoint(3000), fakePoint(1000), fakePoint(2000), fakePoint(2000)], [...daily].reverse());
    expect(model.recent.value.map((p) => p.at)).toEqual([1000, 2000, 3000]);
    expect(model.daily.value.length).toBeLessThanOrEqual(DAILY_CAPACITY);
    expect(model.daily.value.at(-1)!.at).toBe(daily.at(-1)!.at);
    expect(model.points.value).toBe(model.recent.value);
    expect(model.lastTickAt.value).toBeNull();

    const dailyBefore = model.daily.value;
    fake.tick(fakePoint(4000));
    expect(model.recent.value.map((p) => p.at)).toEqual([1000, 2000, 3000, 4000]);
    expect(model.daily.value).toBe(dailyBefore);
    expect(model.lastTickAt.value).toBe(42);

    now = 43;
    fake.tick(fakePoint(5000), fakePoint(daily.at(-1)!.at + 60_000));
    expect(model.daily.value.at(-1)!.at).toBe(daily.at(-1)!.at + 60_000);
    model.setRange('daily');
    expect(model.points.value).toBe(model.daily.value);

    // A reconnect replaces everything.
    fake.history([fakePoint(9000)], []);
    expect(model.recent.value.map((p) => p.at)).toEqual([9000]);
    model.dispose();
    expect(fake.listenerCount).toBe(0);
  });
});

describe('chartColumns / peakOf', () => {
  it('turns points into uPlot columns: seconds, loss in percent, unknown as gaps', () => {
    const points = [fakePoint(1000, { loss: 0.05, medianRttMs: null }), fakePoint(2000, { loss: 0, medianRttMs: 12 })];
    expect(chartColumns(points, ['medianRttMs', 'loss'])).toEqual([
      [1, 2],
      [null, 12],
      [5, 0],
    ]);
    expect(peakOf(points, 'medianRttMs')).toBe(12);
    expect(peakOf([], 'rateIn')).toBeNull();
  });
});
