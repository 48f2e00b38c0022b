/**
 * The node's health in one word and one sentence, from its snapshot alone: the toolbar badge, the
 * popup and the dashboard's overview all say the same thing, and a newcomer learns why nothing
 * connects without reading the event log.
 */
import type { NodeSnapshot } from './observed-state';

export type HealthLevel = 'off' | 'connecting' | 'healthy' | 'degraded' | 'error';

/** The control that fixes the problem: the views point at it. */
export type HealthFix = 'endpoint' | 'network-settings';

export interface NodeHealth {
  level: HealthLevel;
  /** Why the node is not healthy, in words; null when it is. */
  reason: string | null;
  fix: HealthFix | null;
  /** Ready peers. */
  peers: number;
  /** One line for the toolbar's title: "Meshdeck: 3 peers, signaling open". */
  title: string;
}

/** Registration attempts after which "connecting" becomes "cannot reach": the first retry failed too. */
const ATTEMPTS_BEFORE_ERROR = 2;

const peersText = (n: number): string => `${n} ${n === 1 ? 'peer' : 'peers'}`;

export function nodeHealth(snapshot: NodeSnapshot): NodeHealth {
  const peers = snapshot.totals.peers;
  const health = (level: HealthLevel, reason: string | null, fix: HealthFix | null, title: string): NodeHealth => ({ level, reason, fix, peers, title: `Meshdeck: ${title}` });
  if (!snapshot.enabled) return health('off', 'The P2P network is off.', null, 'P2P off');

  const { signaling, rendezvous } = snapshot;
  const signalingOpen = signaling.endpoints.some((e) => e.state === 'open') || signaling.state === 'open';
  const relaysOpen = rendezvous.relays.filter((r) => r.state === 'open').length;
  const fallbackOpen = signaling.fallbacks.some((f) => f.state === 'open');
  const status = `${peersText(peers)}, signaling ${signaling.stoppedByUser ? 'stopped' : signaling.state}`;
  const iceProblem = snapshot.ice?.find((check) => check.state === 'failed');

  if (!signalingOpen && relaysOpen === 0 && !fallbackOpen && peers === 0 && !signaling.stoppedByUser) {
    const gaveUp = signaling.state === 'error' || signaling.attempts >= ATTEMPTS_BEFORE_ERROR;
    if (!gaveUp) return health('connecting', 'Connecting to the signaling server and relays…', null, `connecting to ${signaling.url}`);
    const why = signaling.lastError ? ` (${signaling.lastError})` : '';
    return health(
      'error',
      `No signaling server or relay is reachable${why}. Check the address with Change endpoint, or the room and ICE servers in Network settings.`,
      'endpoint',
      'no signaling server or relay reachable',
    );
  }
  if (iceProblem) return health('degraded', `ICE server ${iceProblem.url}: ${iceProblem.error}. Fix it in Network settings.`, 'network-settings', `${status}, ICE server failing`);
  if (signaling.stoppedByUser) return health('degraded', 'Signaling is stopped: no new connections are set up until you resume it.', null, status);
  if (!signalingOpen) {
    const why = signaling.lastError ? `: ${signaling.lastError}` : '';
    const carried = fallbackOpen ? ' Connections are set up through the fallback paths meanwhile.' : '';
    return health('degraded', `The signaling server is not reachable${why}.${carried} Check it with Change endpoint.`, 'endpoint', status);
  }
  if (relaysOpen === 0) return health('degraded', 'No rendezvous relay is reachable: new nodes cannot be discovered. Check the relays with Change endpoint.', 'endpoint', `${status}, no relay`);
  if (peers === 0) {
    return health('degraded', `No peers yet: no other node is in room "${rendezvous.room}" on this signaling server. Nodes meet only in the same room (Network settings).`, 'network-settings', status);
  }
  return health('healthy', null, null, status);
}
