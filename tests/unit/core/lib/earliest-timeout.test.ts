import { describe, expect, it } from 'vitest';
import { TimerGroup } from '../../../../core/lib/clock';
import { EarliestTimeout } from '../../../../core/lib/earliest-timeout';
import { FakeClock } from '../../../support/fake-clock';

describe('EarliestTimeout', () => {
  it('calls back once, at the earliest deadline asked for; a later one never delays it; cancel ends it', async () => {
    const clock = new FakeClock();
    const timers = new TimerGroup(clock);
    const calls: number[] = [];
    const start = clock.now();
    const timeout = new EarliestTimeout(timers, () => clock.now(), () => calls.push(clock.now() - start));
    timeout.within(500);
    timeout.within(2000);
    timeout.within(100);
    await clock.advance(3000);
    expect(calls).toEqual([100]);
    timeout.within(50);
    timeout.cancel();
    await clock.advance(1000);
    expect(calls).toEqual([100]);
    expect(timers.size).toBe(0);
  });
});
