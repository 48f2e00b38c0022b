/**
 * Peer scores, simplified from gossipsub v1.1's: a neighbour that sends invalid messages or overruns
 * a budget loses points; the score recovers towards 0 by itself over time (SCORE_RECOVERY_PER_SECOND,
 * on the monotonic clock); at SCORE_DISCONNECT_AT or below the node disconnects it, and the redial
 * policy's cool-down keeps it away for a while. Scores outlive connections, so a peer cannot shed a
 * bad score by reconnecting; they are kept for at most SCORES_KEPT nodes.
 */
export const SCORE_PENALTIES = {
  /** A route message that fails a check (malformed, forged signature, padded path). */
  invalidMessage: 10,
  /** A connection closed for a protocol error or a budget overrun. */
  closedForMisconduct: 25,
} as const;
export const SCORE_DISCONNECT_AT = -50;
export const SCORE_RECOVERY_PER_SECOND = 0.5;
const SCORES_KEPT = 1024;

export interface PeerScore {
  score: number;
  /** Why it last lost points, or null if it never did. */
  lastPenalty: string | null;
}

interface Entry {
  score: number;
  at: number;
  lastPenalty: string | null;
}

export class PeerScores {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly monotonic: () => number) {}

  /** Takes `points` off `nodeId`'s score; returns the score after the penalty. */
  penalize(nodeId: string, points: number, why: string): number {
    const current = this.current(nodeId);
    const entry = { score: current.score - points, at: this.monotonic(), lastPenalty: why };
    this.entries.delete(nodeId);
    this.entries.set(nodeId, entry);
    if (this.entries.size > SCORES_KEPT) this.entries.delete(this.entries.keys().next().value!);
    return entry.score;
  }

  /** The score now (recovered since the last penalty), rounded for display. */
  scoreOf(nodeId: string): PeerScore {
    const { score, lastPenalty } = this.current(nodeId);
    return { score: Math.round(score), lastPenalty };
  }

  private current(nodeId: string): { score: number; lastPenalty: string | null } {
    const entry = this.entries.get(nodeId);
    if (!entry) return { score: 0, lastPenalty: null };
    const recovered = ((this.monotonic() - entry.at) / 1000) * SCORE_RECOVERY_PER_SECOND;
    return { score: Math.min(0, entry.score + recovered), lastPenalty: entry.lastPenalty };
  }
}
