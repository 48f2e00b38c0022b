/**
 * Which links become sessions: an inbound link is judged by the inbound gate (inbound-gate.ts: caps,
 * pause, duplicates), a link a tracker set up by the node's own dialling rules; the links turned away
 * while incoming connections are paused are held here until their bye is out. Adopting a link (making
 * its session) is the node's.
 */
import type { TimerGroup } from '../lib/clock';
import type { EventLog } from '../lib/event-log';
import type { Link } from '../session/link';
import type { PeerSession } from '../session/peer-session';
import type { Settings } from '../settings/settings';
import type { AccessLists } from './access-lists';
import { INBOUND_MARGIN, judgeInbound, refuseLink } from './inbound-gate';
import type { SessionTable } from './session-table';

interface SessionAdmissionDeps {
  selfId: string;
  settings(): Settings | null;
  sessions: SessionTable;
  /** New sessions of peers that have a ready one, in their handshake: each replaces the old once ready. */
  replacements: ReadonlyMap<string, PeerSession>;
  access: AccessLists;
  /** The user ID a verified record gives `nodeId`, if any. */
  userIdOf(nodeId: string): string | null;
  /** Whether a PeerJS server or a relay reaches the node's peers now (then trackers offer nothing). */
  reachesTargets(): boolean;
  /** Makes the session of `link` (`replacing`: it replaces the peer's ready one once ready). */
  adopt(link: Link, options?: { replacing?: boolean }): PeerSession;
  timers: TimerGroup;
  log: EventLog;
}

export class SessionAdmission {
  /** Inbound links turned away and waiting for the dialler's hello: closed when the node goes offline. */
  private readonly refused = new Set<Link>();

  constructor(private readonly deps: SessionAdmissionDeps) {}

  /** Links held while their refusal goes out. */
  get refusedCount(): number {
    return this.refused.size;
  }

  inbound(link: Link): void {
    const { deps } = this;
    const settings = deps.settings();
    const verdict = judgeInbound(link, {
      selfId: deps.selfId,
      pauseIncoming: settings?.pauseIncoming ?? false,
      existing: deps.sessions.get(link.remoteId),
      // Links being refused count too: each holds an RTCPeerConnection as a handshaking one does.
      unauthenticatedInbound: deps.sessions.all().filter((s) => s.link.direction === 'inbound' && !s.isReady).length + deps.replacements.size + this.refused.size,
      sessions: deps.sessions.size,
      maxSessions: (settings?.maxPeers ?? 0) + INBOUND_MARGIN,
    });
    switch (verdict.kind) {
      case 'drop':
        deps.log.add('warn', 'peer:dropped', `dropped a connection from ${link.remoteId}: ${verdict.why}`, link.remoteId);
        return link.close();
      case 'replace-when-ready':
        deps.replacements.get(link.remoteId)?.close('duplicate');
        deps.log.add('debug', 'peer:duplicate', `second connection from ${link.remoteId}: it replaces the ready one once it is ready`, link.remoteId);
        deps.adopt(link, { replacing: true });
        return;
      case 'refuse':
        deps.log.add('info', 'peer:refused', `refused a connection from ${link.remoteId}: incoming connections are paused`, link.remoteId);
        this.refused.add(link);
        link.events.on('close', () => this.refused.delete(link));
        return refuseLink(link, verdict.reason, deps.timers);
      case 'keep-existing':
        deps.log.add('debug', 'peer:duplicate', `second connection from ${link.remoteId}: keeping the existing one`, link.remoteId);
        return link.close();
      case 'adopt':
        if (verdict.replaces) {
          deps.log.add('debug', 'peer:duplicate', `second connection from ${link.remoteId}: keeping the new one`, link.remoteId);
          verdict.replaces.close('duplicate');
        }
        deps.adopt(link);
    }
  }

  /** A node answered one of the trackers' offers: taken as a dial of ours, under the same rules. Whether it was. */
  met(link: Link): boolean {
    const why = this.refusalOfMet(link.remoteId);
    if (why) {
      this.deps.log.add('debug', 'peer:met', `not taking the tracker's connection to ${link.remoteId}: ${why}`, link.remoteId);
      link.close();
      return false;
    }
    this.deps.adopt(link);
    return true;
  }

  /** Whether a session (ready, in its handshake, or replacing one) with `nodeId` exists. */
  holds(nodeId: string): boolean {
    return this.deps.sessions.get(nodeId) !== undefined || this.deps.replacements.has(nodeId);
  }

  /**
   * Offers the trackers should have out: none while a PeerJS server or a relay reaches the node's
   * peers (they are found and dialled by ID then), while outgoing connections are paused, or once
   * maxPeers connections exist.
   */
  trackerOffersWanted(): number {
    const settings = this.deps.settings();
    if (!settings || this.deps.reachesTargets() || settings.pauseOutgoing) return 0;
    return Math.max(0, settings.maxPeers - this.deps.sessions.size);
  }

  /** Closes the links being refused (the node goes offline). */
  closeRefused(): void {
    for (const link of [...this.refused]) link.close();
    this.refused.clear();
  }

  /** Why a connection the tracker set up with `nodeId` is not taken, or null when it is. */
  private refusalOfMet(nodeId: string): string | null {
    const settings = this.deps.settings();
    const userId = this.deps.userIdOf(nodeId);
    if (!settings || settings.pauseOutgoing) return 'outgoing connections are paused';
    if (this.deps.access.isBlocked(nodeId, userId)) return 'it is blocked';
    if (this.deps.access.isStranger(nodeId, userId)) return 'it is not a trusted peer';
    if (this.holds(nodeId)) return 'a connection to it exists';
    if (this.deps.sessions.size >= settings.maxPeers) return `${settings.maxPeers} connections exist`;
    return null;
  }
}
