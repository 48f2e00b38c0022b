/**
 * Where each of meshdeck-node's settings comes from, and which wins when they disagree (issue 22).
 *
 * Per setting, lowest first:
 *   1. the built-in default;
 *   2. the config file's value;
 *   3. a flag's value;
 *   4. a change made in the Node Dashboard (kept in the state file, headless/state-file.ts), until the
 *      config file or a flag gives that setting a value other than the one the change replaced: the
 *      operator's newer word then wins, and the dashboard's change is dropped.
 *
 * So whatever the user set last is in force, whichever way they set it, as with Syncthing, whose GUI
 * writes its config. Flags do not win outright because a service passes the same flags at every start
 * (docs/meshdeck-node.service): they are configuration as much as the file, and a dashboard change to
 * a flagged setting would be lost again at each restart. Unlike Syncthing, the operator's config file
 * is never rewritten (a service's /etc is read-only to it); the changes live in the state file.
 * A new built-in default is not the operator's word: it never drops a dashboard change.
 */
import type { Settings } from '../core/settings/settings';

/** What the operator gave at start: nothing (the default), the config file, or a flag. */
export type OperatorSource = 'default' | 'config' | 'flag';
export type SettingSource = OperatorSource | 'dashboard';
export type SettingSources<S extends SettingSource = SettingSource> = Record<keyof Settings, S>;

/** A setting as the dashboard left it: its value, and the value (default, config file's or flag's) it replaced. */
export interface DashboardChange {
  value: unknown;
  replaced: unknown;
}

export type DashboardChanges = Partial<Record<keyof Settings, DashboardChange>>;

/** Each setting's name in the operator's output (status line, notes); a Record, so none is left out. */
export const SETTING_LABELS: Record<keyof Settings, string> = {
  enabled: 'P2P',
  signalingUrl: 'signaling',
  backupSignalingUrls: 'backup signaling',
  relayUrls: 'relays',
  trackerUrls: 'trackers',
  room: 'room',
  maxPeers: 'max peers',
  iceServers: 'ICE servers',
  routing: 'routing',
  pauseIncoming: 'pause incoming',
  pauseOutgoing: 'pause outgoing',
  trustedOnly: 'trusted peers only',
  signalingStop: 'signaling stop',
};

/** Every setting, in the order the state file and the status line list them. */
export const SETTING_KEYS = Object.keys(SETTING_LABELS) as (keyof Settings)[];

export const isSettingKey = (key: string): key is keyof Settings => Object.hasOwn(SETTING_LABELS, key);

/** `settings` without a signaling stop whose end has passed: the node has resumed, and nothing of it is worth keeping or showing. */
export const withoutEndedStop = (settings: Settings, now: number): Settings =>
  settings.signalingStop?.until != null && settings.signalingStop.until <= now ? { ...settings, signalingStop: null } : settings;

/** Whether two setting values are equal, whatever the order of their objects' keys (a hand-edited file). */
export function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string | undefined {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/**
 * The dashboard's changes split by the rule above: `kept`, still in force over `base` (what the
 * config file and flags give now), and `overridden`, those the operator has given a new value since.
 * A change to the value `base` already holds is neither: it changes nothing.
 */
export function applicableChanges(
  changes: DashboardChanges,
  base: Settings,
  sources: SettingSources<OperatorSource>,
): { kept: Partial<Settings>; overridden: (keyof Settings)[] } {
  const kept: Partial<Settings> = {};
  const overridden: (keyof Settings)[] = [];
  for (const key of SETTING_KEYS) {
    const change = changes[key];
    if (!change || sameValue(change.value, base[key])) continue;
    if (sources[key] !== 'default' && !sameValue(change.replaced, base[key])) overridden.push(key);
    else (kept as Record<string, unknown>)[key] = change.value;
  }
  return { kept, overridden };
}

/** What the state file records for `current`: each setting where it differs from `base`, with the value it replaced. */
export function changesOf(current: Settings, base: Settings): DashboardChanges {
  const changes: DashboardChanges = {};
  for (const key of SETTING_KEYS) {
    if (!sameValue(current[key], base[key])) changes[key] = { value: current[key], replaced: base[key] };
  }
  return changes;
}

/** Where each setting of `current` came from: the dashboard where it differs from what the config file and flags give. */
export function sourcesOf(current: Settings, base: Settings, sources: SettingSources<OperatorSource>): SettingSources {
  const out = { ...sources } as SettingSources;
  for (const key of SETTING_KEYS) if (!sameValue(current[key], base[key])) out[key] = 'dashboard';
  return out;
}
