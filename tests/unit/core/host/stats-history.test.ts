import { describe, expect, it } from 'vitest';
import type { Totals } from '../../../../core/node/observed-state';
import { RingBuffer } from '../../../../core/lib/ring-buffer';
import { DAILY_POINTS, RECENT_POINTS, StatsHistory } from '../../../../core/host/stats-history';

const totals = (rtt: number, rateIn = 100): Totals => ({
  peers: 2, rateIn, rateOut: 50, medianRttMs: rtt, worstRttMs: rtt * 2, loss: 0.1, strength: 3, handshakesRefused: 0,
});

describe('RingBuffer', () => {
  it('keeps the newest items, oldest first, and returns what it evicts', () => {
    const ring = new RingBuffer<number>(3);
    expect([1, 2, 3].map((n) => ring.push(n))).toEqual([undefined, undefined, undefined]);
    expect(ring.push(4)).toBe(1);
    expect(ring.toArray()).toEqual([2, 3, 4]);
    expect(ring.last()).toBe(4);
  });
});

describe('StatsHistory', () => {
  it('keeps the last 5 minutes at one point a second', () => {
    const history = new StatsHistory();
    for (let s = 0; s < RECENT_POINTS + 20; s++) history.record(s * 1000, totals(s));
    const recent = history.recentPoints();
    expect(recent).toHaveLength(RECENT_POINTS);
    expect(recent[0]!.at).toBe(20_000);
  });

  it('summarises each completed minute: mean rates, median latency, worst of the worst', () => {
    const history = new StatsHistory();
    let minute = null;
    for (let s = 0; s <= 60; s++) {
      const result = history.record(s * 1000, totals(s + 1, s < 30 ? 0 : 200));
      if (result.minute) minute = result.minute;
    }
    expect(minute).toMatchObject({ at: 0, peers: 2, rateIn: 100, medianRttMs: 30.5, worstRttMs: 120 });
    expect(minute!.loss).toBeCloseTo(0.1);
    expect(history.dailyPoints()).toHaveLength(1);
  });

  it('starts from the persisted day and keeps at most 24 hours of minutes', () => {
    const persisted = Array.from({ length: DAILY_POINTS + 5 }, (_, i) => ({ at: i * 60_000, peers: 0, rateIn: 0, rateOut: 0, medianRttMs: null, worstRttMs: null, loss: 0 }));
    const history = new StatsHistory(persisted);
    expect(history.dailyPoints()).toHaveLength(DAILY_POINTS);
    expect(history.dailyPoints()[0]!.at).toBe(5 * 60_000);
  });
});
