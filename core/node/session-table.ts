/**
 * The node's sessions, one per remote node, and the connections that closed recently (kept so that a
 * peer's last error stays visible beside it after it is gone).
 */
import type { ClosedPeerSnapshot } from './observed-state';
import type { PeerSession } from '../session/peer-session';

/** Recently closed connections kept for the dashboard: the newest CLOSED_KEPT, for CLOSED_KEPT_MS. */
export const CLOSED_KEPT = 20;
export const CLOSED_KEPT_MS = 2 * 60_000;

export class SessionTable {
  private readonly sessions = new Map<string, PeerSession>();
  private closed: ClosedPeerSnapshot[] = [];

  get size(): number {
    return this.sessions.size;
  }

  get(nodeId: string): PeerSession | undefined {
    return this.sessions.get(nodeId);
  }

  has(nodeId: string): boolean {
    return this.sessions.has(nodeId);
  }

  all(): PeerSession[] {
    return [...this.sessions.values()];
  }

  /** Node IDs of the ready sessions. */
  readyIds(): string[] {
    return this.all().filter((s) => s.isReady).map((s) => s.remoteId);
  }

  add(session: PeerSession): void {
    this.sessions.set(session.remoteId, session);
  }

  /** Forgets `session` if it is still the one held for its node (a replacement may have taken its place). */
  remove(session: PeerSession): void {
    if (this.sessions.get(session.remoteId) === session) this.sessions.delete(session.remoteId);
  }

  clear(): void {
    this.sessions.clear();
  }

  rememberClosed(entry: ClosedPeerSnapshot): void {
    this.closed = [entry, ...this.pruned(entry.closedAt)].slice(0, CLOSED_KEPT);
  }

  /** The recently closed connections, newest first. */
  recentlyClosed(now: number): ClosedPeerSnapshot[] {
    return this.pruned(now);
  }

  private pruned(now: number): ClosedPeerSnapshot[] {
    return this.closed.filter((c) => now - c.closedAt <= CLOSED_KEPT_MS);
  }
}
