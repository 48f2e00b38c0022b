import { describe, expect, it } from 'vitest';
import { Heartbeat, HEARTBEAT_INTERVAL_MS as I, HEARTBEAT_TICK_MS as T, LOSS_WINDOW, median } from '../../../../core/session/heartbeat';

/** Drives a heartbeat tick by tick from `from` to `to`, answering pings after `rtt` ms (null: never). */
function run(h: Heartbeat, from: number, to: number, rtt: (seq: number) => number | null): { sent: number[]; deadAt: number | null } {
  const pending: { seq: number; ts: number; at: number }[] = [];
  const sent: number[] = [];
  for (let now = from; now <= to; now += T) {
    for (const p of pending.filter((q) => q.at <= now)) h.pong(p.seq, p.ts, p.at);
    pending.splice(0, pending.length, ...pending.filter((q) => q.at > now));
    const out = h.tick(now);
    if (out === 'dead') return { sent, deadAt: now };
    if (out) {
      sent.push(now);
      const delay = rtt(out.seq);
      if (delay !== null) pending.push({ seq: out.seq, ts: out.ts, at: now + delay });
    }
  }
  return { sent, deadAt: null };
}

/** Drives a heartbeat as the session does: each tick at nextTickAt (at least T after the last). */
function runScheduled(h: Heartbeat, to: number, rtt: (seq: number) => number | null): { ticks: number; sent: number[]; deadAt: number | null } {
  const pending: { seq: number; ts: number; at: number }[] = [];
  const sent: number[] = [];
  let ticks = 0;
  for (let now = 0; now <= to; now = Math.max(now + T, h.nextTickAt(now))) {
    for (const p of pending.filter((q) => q.at <= now)) h.pong(p.seq, p.ts, p.at);
    pending.splice(0, pending.length, ...pending.filter((q) => q.at > now));
    ticks++;
    const out = h.tick(now);
    if (out === 'dead') return { ticks, sent, deadAt: now };
    if (out) {
      sent.push(now);
      const delay = rtt(out.seq);
      if (delay !== null) pending.push({ seq: out.seq, ts: out.ts, at: now + delay });
    }
  }
  return { ticks, sent, deadAt: null };
}

describe('Heartbeat', () => {
  it('ticked when it asks, an answered connection costs about two ticks per ping, and a silent one still dies on time', () => {
    const idle = runScheduled(new Heartbeat(), 20_000, () => 10);
    expect(idle.sent).toEqual([0, 2000, 4000, 6000, 8000, 10_000, 12_000, 14_000, 16_000, 18_000, 20_000]);
    expect(idle.ticks).toBeLessThanOrEqual(2 * idle.sent.length);
    const silent = runScheduled(new Heartbeat(), 30_000, (seq) => (seq <= 6 ? 2 : null));
    expect(silent.deadAt).not.toBeNull();
    expect(silent.deadAt! - 10_000).toBeLessThanOrEqual(3500);
  });

  it('pings every 2 s while answered and reports the median round trip', () => {
    const h = new Heartbeat();
    const { sent } = run(h, 0, 10_000, (seq) => [10, 30, 20][seq % 3]!);
    expect(sent).toEqual([0, 2000, 4000, 6000, 8000, 10_000]);
    expect(h.rttMs).toBe(20);
  });

  it('ignores pongs that echo a wrong timestamp or an unknown sequence number', () => {
    const h = new Heartbeat();
    const p = h.tick(0);
    if (!p || p === 'dead') throw new Error('no ping');
    h.pong(p.seq, p.ts + 1, 5);
    h.pong(p.seq + 7, p.ts, 5);
    expect(h.rttMs).toBeNull();
  });

  it('counts as lost the pings not answered within 5 s, over the last 30 only', () => {
    const h = new Heartbeat();
    // The first three answered after 6 s (late, but answered: the peer lives), then all at once.
    run(h, 0, 60_000, (seq) => (seq <= 3 ? 6000 : 10));
    const window = Math.min(LOSS_WINDOW, 30);
    expect(h.loss(60_000)).toBeGreaterThan(0);
    run(h, 60_250, 60_250 + window * I * 2, () => 10);
    expect(h.loss(60_250 + window * I * 2)).toBe(0);
  });

  it('does not judge a ping still within its 5 s deadline', () => {
    const h = new Heartbeat();
    h.tick(0);
    expect(h.loss(4000)).toBe(0);
    expect(h.loss(5001)).toBe(1);
  });

  it('probes at once after a miss and declares a silent peer dead within 3.5 s of its last answer', () => {
    const h = new Heartbeat();
    // Healthy with 2 ms round trips until 10 s, then silent.
    const { sent, deadAt } = run(h, 0, 30_000, (seq) => (seq <= 6 ? 2 : null));
    const silentFrom = 10_000;
    expect(deadAt).toBe(13_500);
    // Probes went out half a second apart once pings were missed.
    expect(sent.filter((t) => t > silentFrom)).toEqual([12_000, 12_500, 13_000]);
  });

  it('judges nothing on a tick that comes late because our own loop stalled', () => {
    const h = new Heartbeat();
    run(h, 0, 3750, () => 2);
    const ping = h.tick(4000);
    if (!ping || ping === 'dead') throw new Error('no ping');
    // Stalls of over a second each: the pong arrived meanwhile but is still queued behind the timer.
    for (const now of [7000, 8100, 9200]) expect(h.tick(now)).toBeNull();
    h.pong(ping.seq, ping.ts, 9201);
    expect(h.missed).toBe(0);
  });

  it('sends a probe at once when the transport suspects the path, but not twice within the miss deadline', () => {
    const h = new Heartbeat();
    run(h, 0, 2000, () => 2);
    expect(h.probe(2600)).toMatchObject({ t: 'ping', ts: 2600 });
    expect(h.probe(2700)).toBeNull();
    expect(h.probe(3200)).toMatchObject({ t: 'ping', ts: 3200 });
  });

  it('one late pong on a live connection is not death: the miss count resets', () => {
    const h = new Heartbeat();
    const { deadAt } = run(h, 0, 30_000, (seq) => (seq === 5 ? 1500 : 2));
    expect(deadAt).toBeNull();
    expect(h.missed).toBe(0);
  });

  it('median handles even and odd counts', () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
