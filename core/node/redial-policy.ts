/**
 * When the auto-dialler may dial a node again after a connection to it ended (docs/protocol.md §5 and the
 * choices in docs/protocol.md): never for 10 minutes after either user ended it, after a newer announce
 * once it switched off, 30 s after it said it was paused, and with exponential backoff and jitter after
 * failures (a handshake that never completed, a dead or lost connection).
 */
import { Backoff } from '../lib/backoff';
import type { Clock } from '../lib/clock';
import type { CloseReason } from '../session/peer-session';

export const REDIAL_FORBIDDEN_MS = 10 * 60_000;
export const PAUSED_RETRY_MS = 30_000;
const FAILURE_BACKOFF = { baseMs: 1000, capMs: 60_000 };

interface Hold {
  /** No automatic dial before this time. */
  notBefore: number;
  /** After `remote:shutdown`: wait for a record newer than this. */
  newerThan: number | null;
  failures: Backoff;
}

export class RedialPolicy {
  private readonly holds = new Map<string, Hold>();

  constructor(
    private readonly clock: Clock,
    private readonly random: () => number = Math.random,
  ) {}

  /** A connection became ready, or the user asked for one: every hold on the node is lifted. */
  clear(nodeId: string): void {
    this.holds.delete(nodeId);
  }

  /** Records how a connection to `nodeId` ended. */
  closed(nodeId: string, reason: CloseReason, everReady: boolean): void {
    if (reason === 'duplicate' || reason === 'shutdown') return;
    const now = this.clock.now();
    const hold = this.holds.get(nodeId) ?? { notBefore: 0, newerThan: null, failures: new Backoff({ ...FAILURE_BACKOFF, random: this.random }) };
    if (reason === 'remote:user-disconnect' || reason === 'remote:blocked' || reason === 'user-disconnect') {
      hold.notBefore = now + REDIAL_FORBIDDEN_MS;
    } else if (reason === 'remote:shutdown') {
      hold.newerThan = now;
    } else if (reason === 'remote:paused') {
      hold.notBefore = now + PAUSED_RETRY_MS;
    } else if (!everReady || reason === 'dead' || reason === 'transport-closed') {
      hold.notBefore = now + hold.failures.next();
    }
    this.holds.set(nodeId, hold);
  }

  /** Whether the auto-dialler may dial `nodeId` now, its latest record being from `recordTs`. */
  mayDial(nodeId: string, recordTs: number): boolean {
    const hold = this.holds.get(nodeId);
    if (!hold) return true;
    if (this.clock.now() < hold.notBefore) return false;
    return hold.newerThan === null || recordTs > hold.newerThan;
  }
}
