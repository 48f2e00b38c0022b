/**
 * Networking history: one point a second for the last 5 minutes, and one a minute for the last 24
 * hours (the minute points are persisted by the background so they survive a browser restart).
 */
import { median } from '../session/heartbeat';
import type { StatsPoint, Totals } from '../node/observed-state';
import { RingBuffer } from '../lib/ring-buffer';

export const RECENT_POINTS = 5 * 60;
export const DAILY_POINTS = 24 * 60;
const MINUTE_MS = 60_000;

export class StatsHistory {
  private readonly recent = new RingBuffer<StatsPoint>(RECENT_POINTS);
  private readonly daily = new RingBuffer<StatsPoint>(DAILY_POINTS);
  /** The seconds of the minute being collected. */
  private minute: StatsPoint[] = [];

  constructor(daily: StatsPoint[] = []) {
    for (const point of daily.slice(-DAILY_POINTS)) this.daily.push(point);
  }

  /** Records this second's totals; returns the completed minute point when a minute ended. */
  record(at: number, totals: Totals): { second: StatsPoint; minute: StatsPoint | null } {
    const second: StatsPoint = {
      at,
      peers: totals.peers,
      rateIn: totals.rateIn,
      rateOut: totals.rateOut,
      medianRttMs: totals.medianRttMs,
      worstRttMs: totals.worstRttMs,
      loss: totals.loss,
    };
    this.recent.push(second);
    let minute: StatsPoint | null = null;
    const first = this.minute[0];
    if (first && Math.floor(first.at / MINUTE_MS) !== Math.floor(at / MINUTE_MS)) {
      minute = summarise(this.minute, Math.floor(first.at / MINUTE_MS) * MINUTE_MS);
      this.daily.push(minute);
      this.minute = [];
    }
    this.minute.push(second);
    return { second, minute };
  }

  recentPoints(): StatsPoint[] {
    return this.recent.toArray();
  }

  dailyPoints(): StatsPoint[] {
    return this.daily.toArray();
  }
}

/** A minute: mean rates, loss and peers; median of the medians; the worst of the worst. */
function summarise(points: StatsPoint[], at: number): StatsPoint {
  const mean = (pick: (p: StatsPoint) => number) => points.reduce((sum, p) => sum + pick(p), 0) / points.length;
  const medians = points.map((p) => p.medianRttMs).filter((v): v is number => v !== null);
  const worsts = points.map((p) => p.worstRttMs).filter((v): v is number => v !== null);
  return {
    at,
    peers: Math.round(mean((p) => p.peers)),
    rateIn: mean((p) => p.rateIn),
    rateOut: mean((p) => p.rateOut),
    medianRttMs: median(medians),
    worstRttMs: worsts.length ? Math.max(...worsts) : null,
    loss: mean((p) => p.loss),
  };
}
