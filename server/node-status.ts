/**
 * What `meshdeck-node` prints about its node (issue 14): a one-line status, and a warning when a
 * server stays unreachable (and a note when it is back). Pure functions of NodeSnapshots and time,
 * so the unit tests feed them snapshots.
 */
import type { Settings } from '../core/settings/settings';
import type { NodeSnapshot } from '../core/node/observed-state';
import { sameValue, SETTING_KEYS, SETTING_LABELS, type SettingSources } from './setting-sources';

/** How long a server may stay not open before it is reported unreachable, unless it reported an error first. */
export const UNREACHABLE_GRACE_MS = 5000;

/**
 * `node n… user u… | signaling <url> open, … | relays <url> open | room r | peers 1/8: n…`, then
 * `| settings: room lab (dashboard), …` when `settings` (settingsNote) names any.
 */
export function statusLine(snapshot: NodeSnapshot, maxPeers: number, settings = ''): string {
  const ready = snapshot.peers.filter((p) => p.state === 'ready').map((p) => p.nodeId);
  const signaling = snapshot.signaling.endpoints.map((e) => `${e.url} ${e.state}`).join(', ') || 'none';
  const relays = snapshot.rendezvous.relays.map((r) => `${r.url} ${r.state}`).join(', ') || 'none';
  const peers = `peers ${ready.length}/${maxPeers}${ready.length ? `: ${ready.join(', ')}` : ''}`;
  return `status: node ${snapshot.nodeId} user ${snapshot.userId} | signaling ${signaling} | relays ${relays} | room ${snapshot.rendezvous.room} | ${peers}${settings ? ` | settings: ${settings}` : ''}`;
}

/**
 * The settings worth the operator's eye, each with where it came from: `room lab (dashboard), max
 * peers 16 (config), signaling (flag)`. Those that differ from `defaults` (the node's with no config
 * file and no flag), and every one the dashboard set (it may have set the default back over the
 * config file's). URL lists are named, not spelled out: the line shows them already, with their state.
 */
export function settingsNote(settings: Settings, defaults: Settings, sources: SettingSources): string {
  return SETTING_KEYS.filter((key) => sources[key] === 'dashboard' || !sameValue(settings[key], defaults[key]))
    .map((key) => `${describeSetting(key, settings)} (${sources[key]})`)
    .join(', ');
}

function describeSetting(key: keyof Settings, settings: Settings): string {
  const label = SETTING_LABELS[key];
  const value = settings[key];
  if (typeof value === 'boolean') return `${label} ${value ? 'on' : 'off'}`;
  switch (key) {
    case 'room':
    case 'maxPeers':
      return `${label} ${String(value)}`;
    case 'iceServers':
    case 'trackerUrls':
    case 'backupSignalingUrls':
      return `${label} ${(value as unknown[] | undefined)?.length ?? 0}`;
    case 'signalingStop': {
      const stop = settings.signalingStop;
      if (!stop) return 'signaling running';
      return stop.until === null ? 'signaling stopped' : `signaling stopped until ${new Date(stop.until).toISOString().replace(/\.\d+Z$/, 'Z')}`;
    }
    default:
      return label;
  }
}

/** What the status line's change detection compares: the parts an operator cares about, not rates or RTTs. */
export function statusKey(snapshot: NodeSnapshot): string {
  return JSON.stringify([
    snapshot.peers.filter((p) => p.state === 'ready').map((p) => p.nodeId).sort(),
    snapshot.signaling.endpoints.map((e) => e.state === 'open'),
    snapshot.rendezvous.relays.map((r) => r.state === 'open'),
    snapshot.rendezvous.room,
  ]);
}

interface Watched {
  /** When it was last seen open, or when watching began. */
  notOpenSince: number;
  warned: boolean;
}

/**
 * Turns endpoint states into messages: "cannot reach the signaling server <url>: <error>; retrying"
 * once per outage (at the first error, or after UNREACHABLE_GRACE_MS without opening), and
 * "<kind> <url> reachable again" when it opens after that. The node itself keeps retrying; this
 * only says so.
 */
export class ReachabilityWatch {
  private readonly watched = new Map<string, Watched>();

  constructor(private readonly now: () => number) {}

  /** The messages `snapshot` calls for now, warnings first. */
  update(snapshot: NodeSnapshot): { warnings: string[]; notes: string[] } {
    const warnings: string[] = [];
    const notes: string[] = [];
    const seen = (kind: string, url: string, open: boolean, failed: boolean, error: string | null): void => {
      const key = `${kind} ${url}`;
      const now = this.now();
      let entry = this.watched.get(key);
      if (!entry) this.watched.set(key, (entry = { notOpenSince: now, warned: false }));
      if (open) {
        if (entry.warned) notes.push(`${kind} ${url} reachable again`);
        entry.notOpenSince = now;
        entry.warned = false;
        return;
      }
      if (!entry.warned && (failed || now - entry.notOpenSince >= UNREACHABLE_GRACE_MS)) {
        entry.warned = true;
        warnings.push(`cannot reach the ${kind} ${url}: ${error ?? `not open after ${Math.round((now - entry.notOpenSince) / 1000)} s`}; retrying`);
      }
    };
    for (const e of snapshot.signaling.endpoints) {
      if (e.state !== 'stopped') seen('signaling server', e.url, e.state === 'open', e.state === 'error', e.lastError);
    }
    for (const r of snapshot.rendezvous.relays) seen('relay', r.url, r.state === 'open', false, null);
    return { warnings, notes };
  }
}
