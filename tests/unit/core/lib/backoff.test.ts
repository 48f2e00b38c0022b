import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../../core/lib/backoff';

describe('Backoff', () => {
  it('doubles from the base up to the cap, each delay jittered within its upper half', () => {
    const lows = new Backoff({ baseMs: 500, capMs: 30_000, random: () => 0 });
    const highs = new Backoff({ baseMs: 500, capMs: 30_000, random: () => 1 });
    const low = Array.from({ length: 9 }, () => lows.next());
    const high = Array.from({ length: 9 }, () => highs.next());
    expect(high).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    expect(low).toEqual(high.map((h) => h / 2));
    expect(lows.attempts).toBe(9);
  });

  it('starts over after reset()', () => {
    const backoff = new Backoff({ baseMs: 100, capMs: 1000, random: () => 1 });
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(100);
    expect(backoff.attempts).toBe(1);
  });
});
