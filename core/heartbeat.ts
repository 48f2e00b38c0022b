/**
 * Heartbeat bookkeeping of one connection (PROTOCOL.md §4): a ping every 2 s, round-trip time from the
 * echoed `ts`, loss as the share of the last 30 pings not answered within 5 s, and death after three
 * pings in a row that were still unanswered when the next one was due.
 *
 * "Missed" is judged at the next ping (2 s), not at the 5 s loss deadline, so a dead peer is noticed
 * about 6 s after its last answer instead of 11 s.
 */
export const HEARTBEAT_INTERVAL_MS = 2000;
export const PONG_DEADLINE_MS = 5000;
export const LOSS_WINDOW = 30;
export const MISSED_IN_A_ROW_FOR_DEATH = 3;
const RTT_WINDOW = 15;

interface SentPing {
  seq: number;
  sentAt: number;
  answeredAt: number | null;
}

export class Heartbeat {
  private seq = 0;
  private readonly sent: SentPing[] = [];
  private readonly rtts: number[] = [];
  private missedInARow = 0;
  lastPongAt: number | null = null;

  /** Called every interval. Returns the ping to send, or `dead` when the peer should be torn down. */
  tick(now: number): { t: 'ping'; seq: number; ts: number } | 'dead' {
    const previous = this.sent.at(-1);
    if (previous && previous.answeredAt === null) this.missedInARow++;
    if (this.missedInARow >= MISSED_IN_A_ROW_FOR_DEATH) return 'dead';
    const ping = { t: 'ping' as const, seq: ++this.seq, ts: now };
    this.sent.push({ seq: ping.seq, sentAt: now, answeredAt: null });
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
