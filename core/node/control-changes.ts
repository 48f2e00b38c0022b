/** What the user changed between two applied settings: as the event log says it, and whether the node's run must restart. */
import { signalingUrlsOf, type Settings } from '../settings/settings';

/** The changes from `previous` to `next` as the event log says them (type, message). */
export function controlChanges(previous: Settings | null, next: Settings): { type: string; message: string }[] {
  const changes: { type: string; message: string }[] = [];
  const say = (type: string, message: string) => changes.push({ type, message });
  if (previous?.enabled !== next.enabled) say('control:enabled', next.enabled ? 'P2P network enabled' : 'P2P network disabled');
  if (!previous) return changes;
  if (previous.routing !== next.routing) say('control:routing', `mesh routing ${next.routing ? 'on' : 'off'}`);
  if (previous.pauseIncoming !== next.pauseIncoming) say('control:pause', `incoming connections ${next.pauseIncoming ? 'paused' : 'resumed'}`);
  if (previous.pauseOutgoing !== next.pauseOutgoing) say('control:pause', `outgoing connections ${next.pauseOutgoing ? 'paused' : 'resumed'}`);
  if (previous.trustedOnly !== next.trustedOnly) say('control:trust', next.trustedOnly ? 'trusted peers only: other connections close' : 'any peer accepted again, not only trusted ones');
  if (previous.signalingUrl !== next.signalingUrl) say('control:endpoint', `signaling endpoint changed to ${next.signalingUrl}`);
  if (previous.relayUrls.join() !== next.relayUrls.join()) say('control:endpoint', `relays changed to ${next.relayUrls.join(', ')}`);
  return changes;
}

/**
 * Whether a node online must go offline and online again to apply `next`: the transports of a run are
 * made from its signaling endpoints, room, relays and ICE servers (node-transports.ts). True before any
 * settings were applied.
 */
export function transportsChanged(previous: Settings | null, next: Settings): boolean {
  return (
    !previous ||
    signalingUrlsOf(previous).join() !== signalingUrlsOf(next).join() ||
    previous.room !== next.room ||
    previous.relayUrls.join() !== next.relayUrls.join() ||
    JSON.stringify(previous.iceServers) !== JSON.stringify(next.iceServers)
  );
}
