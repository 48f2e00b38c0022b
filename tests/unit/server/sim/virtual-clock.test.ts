import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../../server/sim/virtual-clock';

describe('VirtualClock', () => {
  it('fires timers in order of due time, then of arming, across many armed at once', async () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    const dues = Array.from({ length: 500 }, (_, i) => (i * 7919) % 1000);
    dues.forEach((due, i) => clock.setTimeout(() => fired.push(i), due));
    await clock.advance(1000);
    const expected = dues.map((due, i) => [due, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i);
    expect(fired).toEqual(expected);
    expect(clock.pending).toBe(0);
  });

  it('skips cleared timers and re-arms intervals until cleared', async () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    const cleared = clock.setTimeout(() => fired.push('cleared'), 10);
    const every = clock.setInterval(() => fired.push(`tick ${clock.monotonic()}`), 100);
    clock.setTimeout(() => fired.push('timeout'), 150);
    clock.clearTimeout(cleared);
    await clock.advance(250);
    clock.clearInterval(every);
    await clock.advance(1000);
    expect(fired).toEqual(['tick 100', 'timeout', 'tick 200']);
    expect(clock.pending).toBe(0);
  });

  it('fires within the same advance a timer armed by a callback, when it falls due in time', async () => {
    const clock = new VirtualClock();
    const at: number[] = [];
    clock.setTimeout(() => clock.setTimeout(() => at.push(clock.monotonic()), 30), 50);
    await clock.advance(100);
    expect(at).toEqual([80]);
  });
});
