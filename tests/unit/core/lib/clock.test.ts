import { describe, expect, it } from 'vitest';
import { MAX_TIMER_MS, TimerGroup } from '../../../../core/lib/clock';
import { FakeClock, withTimerOverflow } from '../../../support/fake-clock';

const DAY_MS = 24 * 60 * 60_000;

describe('TimerGroup', () => {
  it('fires a timeout past setTimeout’s 2^31−1 ms limit when due, not at once (issue 23, item 12)', async () => {
    const fake = new FakeClock();
    const clock = withTimerOverflow(fake);
    const timers = new TimerGroup(clock);
    let fired = 0;
    timers.timeout(() => fired++, 60 * DAY_MS);
    await fake.advance(1000);
    expect(fired).toBe(0);
    await fake.advance(60 * DAY_MS - 1000 - 1);
    expect(fired).toBe(0);
    expect(timers.size).toBe(1);
    await fake.advance(1);
    expect(fired).toBe(1);
    expect(timers.size).toBe(0);
    expect(fake.pending).toBe(0);
    // Never past the real timers' limit: each step is armed within it.
    expect(clock.overflows).toBe(0);
  });

  it('cancels a long timeout between its steps and clears every timer it holds', async () => {
    const fake = new FakeClock();
    const timers = new TimerGroup(withTimerOverflow(fake));
    let fired = 0;
    const long = timers.timeout(() => fired++, 3 * MAX_TIMER_MS);
    await fake.advance(MAX_TIMER_MS + 5);
    timers.cancel(long);
    expect(timers.size).toBe(0);
    expect(fake.pending).toBe(0);
    timers.timeout(() => fired++, 2 * MAX_TIMER_MS);
    timers.timeout(() => fired++, 10);
    timers.interval(() => fired++, 10);
    expect(timers.size).toBe(3);
    timers.clear();
    expect(timers.size).toBe(0);
    expect(fake.pending).toBe(0);
    await fake.advance(5 * MAX_TIMER_MS);
    expect(fired).toBe(0);
  });

  it('fires short timeouts in order and forgets them once fired', async () => {
    const fake = new FakeClock();
    const timers = new TimerGroup(fake);
    const order: string[] = [];
    timers.timeout(() => order.push('b'), 20);
    timers.timeout(() => order.push('a'), 10);
    const cancelled = timers.timeout(() => order.push('never'), 15);
    timers.cancel(cancelled);
    await fake.advance(25);
    expect(order).toEqual(['a', 'b']);
    expect(timers.size).toBe(0);
  });
});
