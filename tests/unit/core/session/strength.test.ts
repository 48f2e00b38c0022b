import { describe, expect, it } from 'vitest';
import { strengthScore } from '../../../../core/session/strength';

const good = { ready: true, rttMs: 10, loss: 0, missedInARow: 0 };

describe('strengthScore', () => {
  it('is 0 when not ready or the heartbeat went quiet', () => {
    expect(strengthScore({ ...good, ready: false })).toBe(0);
    expect(strengthScore({ ...good, missedInARow: 2 })).toBe(0);
  });

  it('grades round-trip time', () => {
    expect(strengthScore({ ...good, rttMs: 10 })).toBe(4);
    expect(strengthScore({ ...good, rttMs: 100 })).toBe(3);
    expect(strengthScore({ ...good, rttMs: 300 })).toBe(2);
    expect(strengthScore({ ...good, rttMs: 900 })).toBe(1);
    expect(strengthScore({ ...good, rttMs: null })).toBe(2);
  });

  it('takes points off for loss and a missed ping, never below 1 while ready', () => {
    expect(strengthScore({ ...good, loss: 0.05 })).toBe(3);
    expect(strengthScore({ ...good, loss: 0.2 })).toBe(2);
    expect(strengthScore({ ...good, loss: 0.5 })).toBe(1);
    expect(strengthScore({ ...good, missedInARow: 1 })).toBe(3);
    expect(strengthScore({ ...good, rttMs: 900, loss: 0.2, missedInARow: 1 })).toBe(1);
  });
});
