/**
 * One timer for the heartbeats of all of a node's connections. Each session says when its heartbeat
 * next wants a tick and when its next ping is due; the pacer fires at the earliest tick wanted. When
 * that tick sends a ping, every session whose own ping is due within ALIGN_MS pings with it. After one
 * round the sessions ping together: 8 idle connections cost about one timer task a second instead of
 * one or two per ping each, and on an idle node timer tasks are most of the CPU (issue 10).
 */
import type { Clock } from '../lib/clock';
import { HEARTBEAT_INTERVAL_MS } from './heartbeat';

/**
 * How far ahead of its due time a ping may go so that it joins the others: half a ping interval, so
 * that sessions any distance apart share a tick after one round, and no ping comes sooner than a
 * second after the one before.
 */
export const ALIGN_MS = HEARTBEAT_INTERVAL_MS / 2;
/** A timer may fire this much before the monotonic clock says it is due. */
const EARLY_FIRE_MS = 4;

export interface PacedBeat {
  /** Ticks the heartbeat; a ping due within `earlyMs` goes now. */
  beat(earlyMs: number): void;
}

interface Wish {
  tickAt: number;
  pingAt: number;
}

export class BeatPacer {
  private readonly wishes = new Map<PacedBeat, Wish>();
  private timer: unknown = null;
  private armedFor = Infinity;
  private firing = false;

  constructor(private readonly clock: Clock) {}

  /**
   * `member` wants its next tick at `tickAt` and its next ping is due at `pingAt` (monotonic clock);
   * replaces its previous wish.
   */
  schedule(member: PacedBeat, tickAt: number, pingAt: number): void {
    this.wishes.set(member, { tickAt, pingAt });
    // A later wish leaves an earlier timer armed: firing early is one empty task, cheaper than
    // re-arming on every pong.
    if (!this.firing && tickAt < this.armedFor) this.arm(tickAt);
  }

  remove(member: PacedBeat): void {
    if (this.wishes.delete(member) && this.wishes.size === 0) this.disarm();
  }

  has(member: PacedBeat): boolean {
    return this.wishes.has(member);
  }

  private fire(): void {
    this.timer = null;
    this.armedFor = Infinity;
    const now = this.clock.monotonic();
    const due = [...this.wishes].filter(([, wish]) => wish.tickAt <= now + EARLY_FIRE_MS);
    const pinging = due.some(([, wish]) => wish.pingAt <= wish.tickAt);
    const joining = pinging ? [...this.wishes].filter(([, wish]) => wish.tickAt > now + EARLY_FIRE_MS && wish.pingAt <= now + ALIGN_MS) : [];
    // Each beat schedules its next tick, or not (a session that closed); the timer is armed once, after.
    this.firing = true;
    try {
      for (const [member] of due) this.tick(member, EARLY_FIRE_MS);
      for (const [member] of joining) this.tick(member, ALIGN_MS);
    } finally {
      this.firing = false;
      if (this.wishes.size > 0) this.arm(Math.min(...[...this.wishes.values()].map((wish) => wish.tickAt)));
    }
  }

  private tick(member: PacedBeat, earlyMs: number): void {
    this.wishes.delete(member);
    member.beat(earlyMs);
  }

  private arm(at: number): void {
    this.disarm();
    this.armedFor = at;
    this.timer = this.clock.setTimeout(() => this.fire(), Math.max(0, at - this.clock.monotonic()));
  }

  private disarm(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.armedFor = Infinity;
  }
}
