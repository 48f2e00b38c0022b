import { describe, expect, it } from 'vitest';
import { Heartbeat, HEARTBEAT_INTERVAL_MS as I, LOSS_WINDOW, median } from '../../core/heartbeat';

function ping(h: Heartbeat, now: number): { seq: number; ts: number } {
  const p = h.tick(now);
  if (p === 'dead') throw new Error('unexpectedly dead');
  return p;
}

describe('Heartbeat', () => {
  it('measures round trips from the echoed timestamp and reports their median', () => {
    const h = new Heartbeat();
    expect(h.rttMs).toBeNull();
    for (const [i, rtt] of [10, 30, 20].entries()) {
      const p = ping(h, i * I);
      h.pong(p.seq, p.ts, i * I + rtt);
    }
    expect(h.rttMs).toBe(20);
  });

  it('ignores pongs that echo a wrong timestamp or an unknown sequence number', () => {
    const h = new Heartbeat();
    const p = ping(h, 0);
    h.pong(p.seq, p.ts + 1, 5);
    h.pong(p.seq + 7, p.ts, 5);
    expect(h.rttMs).toBeNull();
  });

  it('counts as lost the pings not answered within 5 s, over the last 30 only', () => {
    const h = new Heartbeat();
    let now = 0;
    // 10 pings: 3 answered late (6 s), 7 answered at once.
    for (let i = 0; i < 10; i++) {
      const p = ping(h, now);
      h.pong(p.seq, p.ts, now + (i < 3 ? 6000 : 10));
      now += I;
    }
    expect(h.loss(now)).toBeCloseTo(0.3);
    // 30 more good pings push the late ones out of the window.
    for (let i = 0; i < LOSS_WINDOW; i++) {
      const p = ping(h, now);
      h.pong(p.seq, p.ts, now + 10);
      now += I;
    }
    expect(h.loss(now)).toBe(0);
  });

  it('does not judge a ping still within its 5 s deadline', () => {
    const h = new Heartbeat();
    ping(h, 0);
    expect(h.loss(4000)).toBe(0);
    expect(h.loss(5001)).toBe(1);
  });

  it('declares the peer dead after three pings in a row went unanswered', () => {
    const h = new Heartbeat();
    const p = ping(h, 0);
    h.pong(p.seq, p.ts, 5);
    ping(h, I);
    ping(h, 2 * I);
    ping(h, 3 * I);
    expect(h.missed).toBe(2);
    expect(h.tick(4 * I)).toBe('dead');
  });

  it('resets the missed count on any answer', () => {
    const h = new Heartbeat();
    ping(h, 0);
    const p = ping(h, I);
    h.pong(p.seq, p.ts, I + 5);
    expect(h.missed).toBe(0);
  });

  it('median handles even and odd counts', () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
