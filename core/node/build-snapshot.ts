/** Builds the node's observed state from its parts: a pure function of what the node holds now. */
import { median } from '../session/heartbeat';
import { isStale, type VerifiedRecord } from '../discovery/rendezvous-record';
import type { Settings } from '../settings/settings';
import type { ClosedPeerSnapshot, DiscoveredNode, NodeSnapshot } from './observed-state';
import type { FallbackSignalingSnapshot, SignalingEndpointSnapshot, SignalingState } from '../signaling/signaling';
import type { RelayState } from '../discovery/rendezvous';
import type { RoutingSnapshot } from '../routing/routing-reports';
import type { Strength } from '../session/peer-snapshot';
import type { PeerSession } from '../session/peer-session';
import type { PeerScore } from './peer-scores';
import { isTrustedPeer } from './trust-policy';

export interface SnapshotInput {
  now: number;
  nodeId: string;
  userId: string;
  settings: Settings | null;
  sessions: PeerSession[];
  records: VerifiedRecord[];
  invalidRecords: number;
  closed: ClosedPeerSnapshot[];
  signaling: {
    state: SignalingState;
    since: number;
    error: string | null;
    attempts: number;
    /** Left by the user's `Stop signaling`. */
    stoppedByUser: boolean;
    endpoints: SignalingEndpointSnapshot[];
    fallbacks: FallbackSignalingSnapshot[];
  };
  relayStates: ReadonlyMap<string, RelayState>;
  lastAnnounceAt: number | null;
  lastDiscoveryAt: number | null;
  blocked: ReadonlySet<string>;
  /** The trust list (this node's own user is trusted without it). */
  trusted: ReadonlySet<string>;
  routing: RoutingSnapshot;
  handshakesRefused: number;
  scoreOf(nodeId: string): PeerScore;
}

export function buildSnapshot(input: SnapshotInput): NodeSnapshot {
  const { now, settings, blocked, trusted } = input;
  const isBlocked = (nodeId: string, userId: string) => blocked.has(nodeId) || blocked.has(userId);
  const rule = { trusted, selfUserId: input.userId };
  const peers = input.sessions.map((s) => {
    const peer = s.snapshot();
    return { ...peer, ...input.scoreOf(s.remoteId), trusted: isTrustedPeer(rule, peer.nodeId, peer.userId) };
  });
  const readyIds = new Set(input.sessions.filter((s) => s.isReady).map((s) => s.remoteId));
  const ready = peers.filter((p) => p.state === 'ready');
  const rtts = ready.map((p) => p.rttMs).filter((r): r is number => r !== null);
  let stale = 0;
  const discovered: DiscoveredNode[] = input.records.map(({ record, userId, neighbors }) => {
    const old = isStale(record, now);
    if (old) stale++;
    const status = isBlocked(record.id, userId) ? 'blocked' : readyIds.has(record.id) ? 'ready' : old ? 'stale' : 'known';
    return { nodeId: record.id, userId, status, neighbors, routing: record.routing, announcedAt: record.ts };
  });
  const { signaling } = input;
  return {
    at: now,
    nodeId: input.nodeId,
    userId: input.userId,
    enabled: settings?.enabled ?? false,
    signaling: {
      url: settings?.signalingUrl ?? '',
      state: signaling.state,
      since: signaling.since,
      attempts: signaling.attempts,
      lastError: signaling.error,
      stoppedByUser: signaling.stoppedByUser,
      stoppedUntil: signaling.stoppedByUser ? (settings?.signalingStop?.until ?? null) : null,
      endpoints: signaling.endpoints,
      fallbacks: signaling.fallbacks,
    },
    rendezvous: {
      room: settings?.room ?? '',
      relays: (settings?.relayUrls ?? []).map((url) => ({ url, state: input.relayStates.get(url) ?? 'closed' })),
      seen: input.records.length + input.invalidRecords,
      valid: input.records.length - stale,
      stale,
      invalid: input.invalidRecords,
      lastAnnounceAt: input.lastAnnounceAt,
      lastDiscoveryAt: input.lastDiscoveryAt,
    },
    peers,
    closedPeers: input.closed,
    discovered,
    controls: {
      routing: settings?.routing ?? false,
      pauseIncoming: settings?.pauseIncoming ?? false,
      pauseOutgoing: settings?.pauseOutgoing ?? false,
      blocked: [...blocked],
      trustedOnly: settings?.trustedOnly ?? false,
      trusted: [...trusted],
    },
    routing: { ...input.routing },
    totals: {
      peers: ready.length,
      rateIn: ready.reduce((sum, p) => sum + p.rateIn, 0),
      rateOut: ready.reduce((sum, p) => sum + p.rateOut, 0),
      medianRttMs: median(rtts),
      worstRttMs: rtts.length ? Math.max(...rtts) : null,
      loss: ready.length ? ready.reduce((sum, p) => sum + p.loss, 0) / ready.length : 0,
      strength: Math.floor(median(ready.map((p) => p.strength)) ?? 0) as Strength,
      handshakesRefused: input.handshakesRefused,
    },
  };
}
