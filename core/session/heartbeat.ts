/**
 * Heartbeat bookkeeping of one connection (docs/protocol.md §4): a ping every 2 s, round-trip time from the
 * echoed `ts`, loss as the share of the last 30 pings not answered within 5 s, and death after three
 * pings in a row missed.
 *
 * A ping is *missed* when it is unanswered after four round trips (at least 0.5 s, at most 5 s). After
 * a miss the next ping goes out at once instead of 2 s later, like TCP keepalive probes: a dead peer is
 * declared 1.5–3.5 s after it went silent (2.5 s on average), under half of the 5 s Chromium takes to
 * call its ICE `disconnected` (issue 9), while one late pong on a live connection costs nothing but a
 * probe. The transport's own early warning (ICE `disconnected`) sends a probe at once (probe()).
 *
 * A tick that comes late because our own event loop stalled judges nothing: pongs that arrived during
 * the stall may still be queued behind the timer, and a loaded machine must not kill live peers.
 *
 * The session ticks when nextTickAt() says something is due (the next ping, or the miss deadline of
 * a ping still unanswered), not on a fixed period; a node's sessions share one timer (beat-pacer.ts).
 */
export const HEARTBEAT_INTERVAL_MS = 2000;
/** The shortest wait between two ticks: fine enough to judge a missed ping on time. */
export const HEARTBEAT_TICK_MS = 250;
const PONG_DEADLINE_MS = 5000;
export const LOSS_WINDOW = 30;
const MISSED_IN_A_ROW_FOR_DEATH = 3;
const MISS_MIN_MS = 500;
/** A tick this late after it was due means our own loop stalled: it judges no ping. */
const STALL_MS = 1000;
const RTT_WINDOW = 15;

interface SentPing {
  seq: number;
  sentAt: number;
  answeredAt: number | null;
  missed: boolean;
}

export class Heartbeat {
  private seq = 0;
  private readonly sent: SentPing[] = [];
  private readonly rtts: number[] = [];
  private missedInARow = 0;
  /** When the next tick is wanted; null before the first. */
  private dueAt: number | null = null;
  lastPongAt: number | null = null;

  /**
   * Called at nextTickAt() (or on a fixed tick). Returns the ping to send now, `dead` when the peer
   * should be torn down, or null when there is nothing to do.
   */
  tick(now: number, earlyMs = 0): { t: 'ping'; seq: number; ts: number } | 'dead' | null {
    const out = this.judge(now, earlyMs);
    this.dueAt = out === 'stalled' ? now : this.nextDue(now);
    return out === 'stalled' ? null : out;
  }

  /** When the next tick is wanted (on the clock tick() is given). */
  nextTickAt(now: number): number {
    return this.dueAt ?? now;
  }

  /** When the next ping is due: at once before the first and while probing after a miss. */
  nextPingAt(now: number): number {
    const last = this.sent.at(-1);
    if (!last || (this.missedInARow > 0 && last.missed)) return now;
    return last.sentAt + HEARTBEAT_INTERVAL_MS;
  }

  /** `earlyMs`: a ping due within this long goes now, so that connections ticked together ping together. */
  private judge(now: number, earlyMs: number): { t: 'ping'; seq: number; ts: number } | 'dead' | 'stalled' | null {
    if (this.dueAt !== null && now - this.dueAt > STALL_MS) return 'stalled';
    const deadline = this.missDeadline();
    for (const ping of this.sent) {
      if (ping.answeredAt !== null || ping.missed || now - ping.sentAt < deadline) continue;
      ping.missed = true;
      this.missedInARow++;
    }
    if (this.missedInARow >= MISSED_IN_A_ROW_FOR_DEATH) return 'dead';
    const last = this.sent.at(-1);
    const probing = this.missedInARow > 0 && last?.missed === true;
    if (last && !probing && now - last.sentAt < HEARTBEAT_INTERVAL_MS - earlyMs) return null;
    return this.ping(now);
  }

  /**
   * The transport suspects the path (ICE `disconnected`): a ping to send now, so the verdict comes
   * from the peer's answer rather than the schedule; null when one went out within the miss deadline.
   */
  probe(now: number): { t: 'ping'; seq: number; ts: number } | null {
    const last = this.sent.at(-1);
    if (last && last.answeredAt === null && now - last.sentAt < MISS_MIN_MS) return null;
    const ping = this.ping(now);
    this.dueAt = this.nextDue(now);
    return ping;
  }

  /** The next ping, or the earliest miss deadline of a ping still out. */
  private nextDue(now: number): number {
    let due = this.nextPingAt(now);
    const deadline = this.missDeadline();
    for (const ping of this.sent) if (ping.answeredAt === null && !ping.missed) due = Math.min(due, ping.sentAt + deadline);
    return due;
  }

  private ping(now: number): { t: 'ping'; seq: number; ts: number } {
    const ping = { t: 'ping' as const, seq: ++this.seq, ts: now };
    this.sent.push({ seq: ping.seq, sentAt: now, answeredAt: null, missed: false });
    if (this.sent.length > LOSS_WINDOW) this.sent.shift();
    return ping;
  }

  /** Records a pong; `ts` is our own send time echoed back. Pongs for unknown pings are ignored. */
  pong(seq: number, ts: number, now: number): void {
    const ping = this.sent.find((p) => p.seq === seq && p.sentAt === ts);
    if (!ping || ping.answeredAt !== null) return;
    ping.answeredAt = now;
    this.missedInARow = 0;
    this.lastPongAt = now;
    this.rtts.push(now - ping.sentAt);
    if (this.rtts.length > RTT_WINDOW) this.rtts.shift();
    // The answered ping's miss deadline no longer needs a tick.
    if (this.dueAt !== null) this.dueAt = this.nextDue(now);
  }

  private missDeadline(): number {
    const rtt = this.rttMs;
    return rtt === null ? HEARTBEAT_INTERVAL_MS : Math.min(PONG_DEADLINE_MS, Math.max(MISS_MIN_MS, 4 * rtt));
  }

  /** Median of the recent round trips, or null before the first pong. */
  get rttMs(): number | null {
    return median(this.rtts);
  }

  /** Share of judged pings (answered, or older than the 5 s deadline) that were not answered in time. */
  loss(now: number): number {
    let judged = 0;
    let lost = 0;
    for (const ping of this.sent) {
      const late = ping.answeredAt === null ? now - ping.sentAt > PONG_DEADLINE_MS : ping.answeredAt - ping.sentAt > PONG_DEADLINE_MS;
      if (ping.answeredAt === null && !late) continue;
      judged++;
      if (late) lost++;
    }
    return judged === 0 ? 0 : lost / judged;
  }

  get missed(): number {
    return this.missedInARow;
  }
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
