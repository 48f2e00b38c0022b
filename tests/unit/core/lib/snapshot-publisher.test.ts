import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../../../core/lib/clock';
import { SnapshotPublisher } from '../../../../core/lib/snapshot-publisher';

describe('SnapshotPublisher', () => {
  afterEach(() => vi.useRealTimers());

  function setup(): { published: number[]; publisher: SnapshotPublisher<number> } {
    vi.useFakeTimers();
    let n = 0;
    const published: number[] = [];
    const publisher = new SnapshotPublisher(systemClock, () => ++n, (s) => published.push(s));
    return { published, publisher };
  }

  it('publishes routine changes at most once a second', () => {
    const { published, publisher } = setup();
    publisher.changed(false);
    expect(published).toHaveLength(1);
    for (let i = 0; i < 10; i++) {
      publisher.changed(false);
      vi.advanceTimersByTime(50);
    }
    expect(published).toHaveLength(1);
    vi.advanceTimersByTime(1000);
    expect(published).toHaveLength(2);
  });

  it('publishes state changes at once, coalescing a burst into one', async () => {
    const { published, publisher } = setup();
    publisher.changed(false);
    publisher.changed(true);
    publisher.changed(true);
    publisher.changed(true);
    await Promise.resolve();
    expect(published).toHaveLength(2);
  });

  it('an urgent publish also satisfies a pending routine one', async () => {
    const { published, publisher } = setup();
    publisher.changed(false);
    publisher.changed(false); // pending for t=1000
    publisher.changed(true);
    await Promise.resolve();
    expect(published).toHaveLength(2);
    vi.advanceTimersByTime(2000);
    expect(published).toHaveLength(2);
  });

  it('builds no snapshot while nobody reads them, and publishes again once someone does', async () => {
    vi.useFakeTimers();
    let built = 0;
    let listening = false;
    const published: number[] = [];
    const publisher = new SnapshotPublisher(systemClock, () => ++built, (s) => published.push(s), () => listening);
    publisher.changed(true);
    await Promise.resolve();
    expect(built).toBe(0);
    listening = true;
    publisher.changed(true);
    await Promise.resolve();
    expect(published).toEqual([1]);
  });

  it('publishes nothing after stop()', async () => {
    const { published, publisher } = setup();
    publisher.changed(false);
    publisher.changed(false);
    publisher.stop();
    publisher.changed(true);
    await Promise.resolve();
    vi.advanceTimersByTime(5000);
    expect(published).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
