import { describe, expect, it } from 'vitest';
import { SignalingStopSchedule } from '../../../../core/node/signaling-stop';
import { TimerGroup } from '../../../../core/lib/clock';
import { MemoryNetwork, MemorySignaling } from '../../../../server/sim/memory-network';
import { FakeClock, withTimerOverflow } from '../../../support/fake-clock';
import { fakeId } from '../../../support/ids';

function setup() {
  const clock = new FakeClock();
  const timers = new TimerGroup(clock);
  const changes: boolean[] = [];
  const schedule = new SignalingStopSchedule({ clock, timers, onChange: (stopped) => changes.push(stopped) });
  const signaling = new MemorySignaling(new MemoryNetwork(), fakeId(1), 'http://127.0.0.1:9000/peerjs');
  const calls: string[] = [];
  signaling.pause = () => void calls.push('pause');
  signaling.resume = () => void calls.push('resume');
  return { clock, timers, schedule, signaling, changes, calls };
}

describe('SignalingStopSchedule', () => {
  it('holds a stop in force until its end time, or for ever without one', () => {
    const { clock, schedule } = setup();
    expect(schedule.inForce(null)).toBe(false);
    expect(schedule.inForce({ until: null })).toBe(true);
    expect(schedule.inForce({ until: clock.now() + 1 })).toBe(true);
    expect(schedule.inForce({ until: clock.now() })).toBe(false);
  });

  it('starts paused, touching no transport, when the node starts inside a stop', () => {
    const { clock, schedule, calls } = setup();
    expect(schedule.startWith({ until: clock.now() + 1000 })).toBe(true);
    expect(schedule.isPaused).toBe(true);
    expect(schedule.startWith({ until: clock.now() })).toBe(false);
    expect(schedule.isPaused).toBe(false);
    expect(calls).toEqual([]);
  });

  it('pauses signaling for a stop and resumes it by itself at `until`', async () => {
    const { clock, timers, schedule, signaling, changes, calls } = setup();
    const stop = { until: clock.now() + 60_000 };
    schedule.reconcile(stop, signaling);
    expect(calls).toEqual(['pause']);
    expect(changes).toEqual([true]);
    expect(schedule.isPaused).toBe(true);
    await clock.advance(60_000 - 1);
    expect(calls).toEqual(['pause']);
    expect(schedule.isPaused).toBe(true);
    await clock.advance(1);
    expect(calls).toEqual(['pause', 'resume']);
    expect(changes).toEqual([true, false]);
    expect(schedule.isPaused).toBe(false);
    // Resumed for good: nothing left scheduled.
    expect(timers.size).toBe(0);
  });

  it('is unchanged by the same stop applied again, and still resumes once at its end', async () => {
    const { clock, timers, schedule, signaling, calls } = setup();
    const stop = { until: clock.now() + 10_000 };
    schedule.reconcile(stop, signaling);
    await clock.advance(4000);
    schedule.reconcile(stop, signaling);
    expect(calls).toEqual(['pause']);
    expect(timers.size).toBe(1);
    await clock.advance(6000);
    expect(calls).toEqual(['pause', 'resume']);
    await clock.advance(60_000);
    expect(calls).toEqual(['pause', 'resume']);
  });

  it('follows a changed end time, and resumes at once when the stop is lifted', async () => {
    const { clock, timers, schedule, signaling, calls } = setup();
    const start = clock.now();
    schedule.reconcile({ until: start + 1000 }, signaling);
    schedule.reconcile({ until: start + 5000 }, signaling);
    await clock.advance(1000);
    expect(calls).toEqual(['pause']);
    schedule.reconcile(null, signaling);
    expect(calls).toEqual(['pause', 'resume']);
    expect(timers.size).toBe(0);
    await clock.advance(10_000);
    expect(calls).toEqual(['pause', 'resume']);
  });

  it('schedules no resume for a stop without an end', async () => {
    const { clock, timers, schedule, signaling, calls } = setup();
    schedule.reconcile({ until: null }, signaling);
    expect(timers.size).toBe(0);
    await clock.advance(24 * 60 * 60_000);
    expect(calls).toEqual(['pause']);
  });

  it('does not pause for a stop already over', () => {
    const { clock, schedule, signaling, calls, changes } = setup();
    schedule.reconcile({ until: clock.now() }, signaling);
    expect(calls).toEqual([]);
    expect(changes).toEqual([]);
  });

  it('forgets the stop and its resume when signaling goes away', async () => {
    const { clock, timers, schedule, signaling, calls } = setup();
    schedule.reconcile({ until: clock.now() + 1000 }, signaling);
    schedule.reset();
    expect(schedule.isPaused).toBe(false);
    expect(timers.size).toBe(0);
    await clock.advance(2000);
    expect(calls).toEqual(['pause']);
  });

  it('waits out a stop that ends past setTimeout’s limit instead of reconciling in a loop (issue 23, item 12)', async () => {
    const fake = new FakeClock();
    const clock = withTimerOverflow(fake);
    const timers = new TimerGroup(clock);
    const schedule = new SignalingStopSchedule({ clock, timers, onChange: () => undefined });
    const signaling = new MemorySignaling(new MemoryNetwork(), fakeId(1), 'http://127.0.0.1:9000/peerjs');
    const calls: string[] = [];
    signaling.pause = () => void calls.push('pause');
    signaling.resume = () => void calls.push('resume');
    const days = 30;
    let reconciled = 0;
    const reconcile = schedule.reconcile.bind(schedule);
    schedule.reconcile = (...args) => (reconciled++, reconcile(...args));
    schedule.reconcile({ until: clock.now() + days * 24 * 60 * 60_000 }, signaling);
    await fake.advance(1000);
    expect(reconciled).toBe(1);
    await fake.advance(days * 24 * 60 * 60_000 - 1000);
    expect(calls).toEqual(['pause', 'resume']);
    expect(reconciled).toBe(2);
    expect(timers.size).toBe(0);
  });

  it('touches nothing without signaling (the node is offline)', async () => {
    const { clock, timers, schedule, calls } = setup();
    schedule.reconcile({ until: clock.now() + 1000 }, null);
    expect(calls).toEqual([]);
    expect(timers.size).toBe(0);
  });
});
