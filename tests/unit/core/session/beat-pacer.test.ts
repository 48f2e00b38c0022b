import { describe, expect, it } from 'vitest';
import { ALIGN_MS, BeatPacer, type PacedBeat } from '../../../../core/session/beat-pacer';
import { Heartbeat, HEARTBEAT_INTERVAL_MS } from '../../../../core/session/heartbeat';
import { FakeClock } from '../../../support/fake-clock';

/** A connection's heartbeat driven by the pacer, its pings answered after `rtt` ms. */
function pacedHeartbeat(clock: FakeClock, pacer: BeatPacer, rtt: number, sent: number[]): PacedBeat {
  const heartbeat = new Heartbeat();
  const schedule = () => pacer.schedule(member, heartbeat.nextTickAt(clock.monotonic()), heartbeat.nextPingAt(clock.monotonic()));
  const member: PacedBeat = {
    beat(earlyMs) {
      const ping = heartbeat.tick(clock.monotonic(), earlyMs);
      if (ping && ping !== 'dead') {
        sent.push(clock.monotonic());
        clock.setTimeout(() => {
          heartbeat.pong(ping.seq, ping.ts, clock.monotonic());
          schedule();
        }, rtt);
      }
      schedule();
    },
  };
  return member;
}

/** Counts the pacer's own timer firings by wrapping the clock it is given. */
function countingClock(clock: FakeClock): { clock: FakeClock; fired: () => number } {
  let fired = 0;
  const counting = Object.create(clock) as FakeClock;
  counting.setTimeout = (callback, ms) => clock.setTimeout(() => (fired++, callback()), ms);
  counting.clearTimeout = (handle) => clock.clearTimeout(handle);
  return { clock: counting, fired: () => fired };
}

describe('BeatPacer', () => {
  it('brings connections that started apart onto one tick, each pinging every 2 s once joined', async () => {
    const clock = new FakeClock();
    const { clock: paced, fired } = countingClock(clock);
    const pacer = new BeatPacer(paced);
    const sent = Array.from({ length: 8 }, () => [] as number[]);
    for (let i = 0; i < 8; i++) {
      // Connections become ready at different moments, as they do on a real node.
      await clock.advance(237);
      pacedHeartbeat(clock, pacer, 5, sent[i]!).beat(0);
    }
    await clock.advance(10_000);
    const before = fired();
    await clock.advance(60_000);
    // Two firings per round (the pings, then the first pong's miss deadline) for all 8 together,
    // against one or two per connection per round without the pacer.
    expect(fired() - before).toBeLessThanOrEqual(2 * (60_000 / HEARTBEAT_INTERVAL_MS) + 2);
    const lastRound = sent.map((times) => times.at(-1)!);
    expect(new Set(lastRound).size).toBe(1);
    for (const times of sent) {
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(HEARTBEAT_INTERVAL_MS - ALIGN_MS);
      for (const gap of gaps.slice(3)) expect(gap).toBe(HEARTBEAT_INTERVAL_MS);
    }
  });

  it('holds no timer once its last member is removed', async () => {
    const clock = new FakeClock();
    const pacer = new BeatPacer(clock);
    const member = { beat: () => pacer.schedule(member, clock.monotonic() + 1000, clock.monotonic() + 1000) };
    pacer.schedule(member, 1000, 1000);
    await clock.advance(5000);
    expect(clock.pending).toBe(1);
    pacer.remove(member);
    expect(pacer.has(member)).toBe(false);
    expect(clock.pending).toBe(0);
  });

  it('a member scheduled during a firing does not hide a nearer wish of another', async () => {
    const clock = new FakeClock();
    const pacer = new BeatPacer(clock);
    const beats: string[] = [];
    const late = { beat: () => beats.push(`late@${clock.monotonic()}`) };
    const early = { beat: () => (beats.push(`early@${clock.monotonic()}`), pacer.schedule(early, clock.monotonic() + 5000, Infinity)) };
    pacer.schedule(early, 100, 100);
    pacer.schedule(late, 100 + ALIGN_MS + 500, 100 + ALIGN_MS + 500);
    await clock.advance(5000);
    expect(beats).toEqual(['early@100', `late@${100 + ALIGN_MS + 500}`]);
  });

  it('a miss-deadline tick pings nobody early: only a tick that pings gathers the others', async () => {
    const clock = new FakeClock();
    const pacer = new BeatPacer(clock);
    const beats: string[] = [];
    const checking = { beat: (early: number) => beats.push(`checking@${clock.monotonic()}+${early}`) };
    const pinging = { beat: (early: number) => beats.push(`pinging@${clock.monotonic()}+${early}`) };
    pacer.schedule(checking, 500, 2000);
    pacer.schedule(pinging, 2000 - ALIGN_MS + 100, 2000 - ALIGN_MS + 100);
    await clock.advance(600);
    expect(beats).toEqual(['checking@500+4']);
  });
});
