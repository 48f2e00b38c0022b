/**
 * The block list and the trust list as the node applies them (node and user IDs, synced by the
 * background: core/blocklist/), with a log line for each ID added or removed. What a change closes or
 * dials is for the session lifecycle and the dialler (node.ts applies it); this only answers who is
 * blocked and who is a stranger.
 */
import type { EventLog } from '../lib/event-log';
import { isStranger } from './trust-policy';

interface AccessListsDeps {
  /** This node's user ID: the user's own browsers are trusted without being listed. */
  selfUserId: string;
  /** The `Trusted peers only` setting now. */
  trustedOnly(): boolean;
  log: EventLog;
}

export class AccessLists {
  /** Replaced whole on each change: a new set is a new input for the route cache. */
  private blockedIds: ReadonlySet<string> = new Set();
  private trustedIds: ReadonlySet<string> = new Set();

  constructor(private readonly deps: AccessListsDeps) {}

  get blocked(): ReadonlySet<string> {
    return this.blockedIds;
  }

  get trusted(): ReadonlySet<string> {
    return this.trustedIds;
  }

  setBlocked(ids: readonly string[]): void {
    const next = new Set(ids);
    this.logChanges('control:block', this.blockedIds, next, 'blocked', 'unblocked');
    this.blockedIds = next;
  }

  /** Replaces the trust list; returns the IDs it adds. */
  setTrusted(ids: readonly string[]): ReadonlySet<string> {
    const next = new Set(ids);
    const added = new Set([...next].filter((id) => !this.trustedIds.has(id)));
    this.logChanges('control:trust', this.trustedIds, next, 'trusted', 'untrusted');
    this.trustedIds = next;
    return added;
  }

  isBlocked(nodeId: string, userId: string | null): boolean {
    return this.blockedIds.has(nodeId) || (userId !== null && this.blockedIds.has(userId));
  }

  /** Whether trusted-only mode turns this peer away (trust-policy.ts); false while the mode is off. */
  isStranger(nodeId: string, userId: string | null): boolean {
    return isStranger({ trustedOnly: this.deps.trustedOnly(), trusted: this.trustedIds, selfUserId: this.deps.selfUserId }, nodeId, userId);
  }

  private logChanges(type: string, before: ReadonlySet<string>, after: ReadonlySet<string>, added: string, removed: string): void {
    // A node ID names the node the line is about; a user ID does not.
    const nodeOf = (id: string) => (id.startsWith('n') ? id : undefined);
    for (const id of after) if (!before.has(id)) this.deps.log.add('info', type, `${added} ${id}`, nodeOf(id));
    for (const id of before) if (!after.has(id)) this.deps.log.add('info', type, `${removed} ${id}`, nodeOf(id));
  }
}
