/**
 * The desired state of a node, as the user (or the build) configured it. The background owns it in
 * storage.local; the node host only ever receives a validated copy.
 */
import { describeValue } from '../lib/error-text';

export interface Settings {
  /** The whole node on or off (the `Enable P2P network` switch). */
  enabled: boolean;
  /** PeerJS server, e.g. `http://127.0.0.1:9000/peerjs`. */
  signalingUrl: string;
  /**
   * More PeerJS servers the node registers on at the same time (at most MAX_BACKUP_SIGNALING): a dialler
   * uses the first one both list, and a server that goes down leaves the others. Absent: none.
   */
  backupSignalingUrls?: string[];
  /** GUN relays used as the rendezvous mesh, e.g. `http://127.0.0.1:9000/gun`. */
  relayUrls: string[];
  /**
   * WebSocket trackers (WebTorrent's kind, e.g. `ws://127.0.0.1:9000/tracker`) through which the node
   * meets the room when it reaches neither a PeerJS server nor a relay (at most MAX_TRACKERS).
   * Absent: none.
   */
  trackerUrls?: string[];
  /** Rendezvous room: nodes only discover nodes of the same room. */
  room: string;
  /** Handed to every RTCPeerConnection. Empty by default: no public STUN/TURN is ever a default. */
  iceServers: IceServer[];
  /** Auto-dial stops once this many connections exist. */
  maxPeers: number;
  /** Forward route messages for other nodes (docs/protocol.md §6): the `Mesh routing` switch. */
  routing: boolean;
  /** Refuse new inbound connections with bye `paused`; existing ones stay. */
  pauseIncoming: boolean;
  /** No new dials: auto-dial stops. */
  pauseOutgoing: boolean;
  /**
   * `Trusted peers only` (issue 13): only peers on the trust list (or of this user) are taken and
   * dialled; the others are refused with bye `blocked` (core/node/trust-policy.ts).
   */
  trustedOnly: boolean;
  /** `Stop signaling`: unregistered from the signaling server, open connections kept. Null: signaling runs. */
  signalingStop: SignalingStop | null;
}

export interface SignalingStop {
  /**
   * When signaling resumes by itself (ms since epoch), at most MAX_SIGNALING_STOP_MS ahead; null: only
   * when the user resumes it.
   */
  until: number | null;
}

/**
 * How far ahead a stop may end: a year. A longer one is "until I resume" in all but name, and a date
 * without a bound reached setTimeout's 2^31−1 ms limit, past which the resume timer fired at once and
 * the stop reconciled in a loop (issue 23, item 12; core/lib/clock.ts TimerGroup now arms such waits
 * in steps as well).
 */
export const MAX_SIGNALING_STOP_MS = 365 * 24 * 60 * 60_000;

export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
  /**
   * Views only: a credential is saved for this server. The background never hands a credential to a
   * view (core/control/ice-credentials.ts); a view's server with this flag keeps the saved one.
   */
  hasCredential?: boolean;
}

/** Which part of which ICE server a SettingsError is about, so the form shows it at that field. */
export interface IceServerFault {
  index: number;
  part: 'urls' | 'username' | 'credential';
}

const MAX_ICE_SERVERS = 8;

export const LOCAL_SERVER_DEFAULTS = {
  signalingUrl: 'http://127.0.0.1:9000/peerjs',
  relayUrls: ['http://127.0.0.1:9000/gun'],
  trackerUrls: ['ws://127.0.0.1:9000/tracker'],
  room: 'default',
} as const;

export const DEFAULT_MAX_PEERS = 8;
/** With signalingUrl, at most the 4 endpoints a record may list (docs/protocol.md, Rendezvous). */
const MAX_BACKUP_SIGNALING = 3;
const MAX_TRACKERS = 3;

/** Every signaling endpoint of `settings`, the first one first. */
export const signalingUrlsOf = (settings: Pick<Settings, 'signalingUrl' | 'backupSignalingUrls'>): string[] => [
  settings.signalingUrl,
  ...(settings.backupSignalingUrls ?? []),
];

export class SettingsError extends Error {
  override name = 'SettingsError';
  constructor(
    readonly field: keyof Settings,
    message: string,
    /** For `iceServers`: the server and the part of it at fault. */
    readonly ice?: IceServerFault,
  ) {
    super(message);
  }
}

/** Build-time defaults (WXT_* variables); anything missing falls back to the local server's defaults. */
export interface BuildEnvironment {
  WXT_SIGNALING_URL?: string;
  WXT_RELAY_URLS?: string;
  /** Comma-separated; `none` for no tracker at all. */
  WXT_TRACKER_URLS?: string;
  WXT_ROOM?: string;
  WXT_ICE_SERVERS?: string;
}

const listOf = (text: string | undefined): string[] =>
  (text ?? '')
    .split(',')
    .map((url) => url.trim())
    .filter(Boolean);

export function defaultSettings(env: BuildEnvironment = {}): Settings {
  const relays = listOf(env.WXT_RELAY_URLS);
  const named = listOf(env.WXT_TRACKER_URLS);
  const trackers = env.WXT_TRACKER_URLS?.trim() === 'none' ? [] : named.length ? named : [...LOCAL_SERVER_DEFAULTS.trackerUrls];
  return validateSettings({
    enabled: true,
    signalingUrl: env.WXT_SIGNALING_URL?.trim() || LOCAL_SERVER_DEFAULTS.signalingUrl,
    relayUrls: relays.length ? relays : [...LOCAL_SERVER_DEFAULTS.relayUrls],
    trackerUrls: trackers,
    room: env.WXT_ROOM?.trim() || LOCAL_SERVER_DEFAULTS.room,
    iceServers: env.WXT_ICE_SERVERS ? (JSON.parse(env.WXT_ICE_SERVERS) as IceServer[]) : [],
    maxPeers: DEFAULT_MAX_PEERS,
    routing: true,
    pauseIncoming: false,
    pauseOutgoing: false,
    trustedOnly: false,
    signalingStop: null,
  });
}

function checkUrl(field: keyof Settings, value: unknown, schemes: readonly [string, string]): string {
  if (typeof value !== 'string') throw new SettingsError(field, 'must be a URL');
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new SettingsError(field, `"${value}" is not a URL`);
  }
  if (!schemes.includes(url.protocol)) {
    throw new SettingsError(field, `"${value}" must start with ${schemes[0]}// or ${schemes[1]}//`);
  }
  return url.href.replace(/\/$/, '');
}

const HTTP: readonly [string, string] = ['http:', 'https:'];
const WEBSOCKET: readonly [string, string] = ['ws:', 'wss:'];
const checkHttpUrl = (field: keyof Settings, value: unknown): string => checkUrl(field, value, HTTP);

/** Each entry checked, into a new plain array: a loop, since map() reads the array's own `constructor`, which stored data can set to anything. */
function urlList(field: keyof Settings, list: unknown[], schemes = HTTP): string[] {
  const urls: string[] = [];
  for (let i = 0; i < list.length; i++) urls.push(checkUrl(field, list[i], schemes));
  return urls;
}

/** `list` checked and without repeats; at most `max` entries. Absent: none. */
function optionalUrls(field: keyof Settings, list: unknown, max: number, schemes: readonly [string, string]): string[] {
  const entries = list ?? [];
  if (!Array.isArray(entries) || entries.length > max) throw new SettingsError(field, `at most ${max} URLs`);
  return urlList(field, entries, schemes).filter((url, i, all) => all.indexOf(url) === i);
}

/**
 * Returns a clean copy of `input` or throws a SettingsError naming the first bad field. `now` (ms since
 * the epoch) bounds how far ahead a signaling stop may end: a later end is brought back to the bound.
 */
export function validateSettings(input: Settings, now: number = Date.now()): Settings {
  if (typeof input.enabled !== 'boolean') throw new SettingsError('enabled', 'must be true or false');
  const signalingUrl = checkHttpUrl('signalingUrl', input.signalingUrl);
  if (!Array.isArray(input.relayUrls) || input.relayUrls.length === 0) {
    throw new SettingsError('relayUrls', 'needs at least one relay URL');
  }
  const relayUrls = urlList('relayUrls', input.relayUrls);
  const backupSignalingUrls = optionalUrls('backupSignalingUrls', input.backupSignalingUrls, MAX_BACKUP_SIGNALING, HTTP).filter((url) => url !== signalingUrl);
  const trackerUrls = optionalUrls('trackerUrls', input.trackerUrls, MAX_TRACKERS, WEBSOCKET);
  const room = typeof input.room === 'string' ? input.room.trim() : '';
  if (!/^[\w.-]{1,64}$/.test(room)) {
    throw new SettingsError('room', 'must be 1–64 letters, digits, ".", "_" or "-"');
  }
  const iceServers = checkIceServers(input.iceServers);
  if (!Number.isInteger(input.maxPeers) || input.maxPeers < 0 || input.maxPeers > 64) {
    throw new SettingsError('maxPeers', 'must be a whole number from 0 to 64');
  }
  for (const field of ['routing', 'pauseIncoming', 'pauseOutgoing', 'trustedOnly'] as const) {
    if (typeof input[field] !== 'boolean') throw new SettingsError(field, 'must be true or false');
  }
  const stop = input.signalingStop;
  if (stop !== null && (typeof stop !== 'object' || !(stop.until === null || Number.isFinite(stop.until)))) {
    throw new SettingsError('signalingStop', 'must be null or { until: time or null }');
  }
  return {
    enabled: input.enabled,
    signalingUrl,
    backupSignalingUrls,
    relayUrls,
    trackerUrls,
    room,
    iceServers,
    maxPeers: input.maxPeers,
    routing: input.routing,
    pauseIncoming: input.pauseIncoming,
    pauseOutgoing: input.pauseOutgoing,
    trustedOnly: input.trustedOnly,
    // Stored settings are not refused for a date beyond the bound (a clock set back since would lose
    // them all): the stop ends at the bound instead. A patch asking for more is refused (applySettingsPatch).
    signalingStop: stop === null ? null : { until: stop.until === null ? null : Math.min(stop.until, now + MAX_SIGNALING_STOP_MS) },
  };
}

/**
 * `stun:host[:port]`, `turn:host[:port][?transport=udp|tcp]`, `turns:…` (RFC 7064, RFC 7065): what an
 * RTCPeerConnection accepts, checked here so that a typo is an error at its field rather than a
 * connection that throws.
 */
const ICE_URL = /^(stun|stuns|turn|turns):(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?(\?transport=(udp|tcp))?$/i;

/** Each server checked and copied; TURN needs a username and a credential (or, from a view, a saved one). */
function checkIceServers(list: unknown): IceServer[] {
  if (!Array.isArray(list)) throw new SettingsError('iceServers', 'must be a list');
  if (list.length > MAX_ICE_SERVERS) throw new SettingsError('iceServers', `at most ${MAX_ICE_SERVERS} ICE servers`);
  const servers: IceServer[] = [];
  for (let index = 0; index < list.length; index++) {
    const server = list[index] as Partial<IceServer> | null;
    const fault = (part: IceServerFault['part'], message: string) => new SettingsError('iceServers', `ICE server ${index + 1}: ${message}`, { index, part });
    const urls = typeof server?.urls === 'string' ? [server.urls] : server?.urls;
    if (!Array.isArray(urls) || urls.length === 0) throw fault('urls', 'needs at least one stun: or turn: URL');
    const clean: string[] = [];
    for (const url of urls) {
      if (typeof url !== 'string' || !ICE_URL.test(url.trim())) throw fault('urls', `"${describeValue(url)}" is not a stun:, turn: or turns: URL (like turn:<host>:3478)`);
      clean.push(url.trim());
    }
    for (const part of ['username', 'credential'] as const) {
      if (server![part] !== undefined && typeof server![part] !== 'string') throw fault(part, `the ${part} must be text`);
    }
    const { username, credential } = server!;
    const relay = clean.some((url) => /^turns?:/i.test(url));
    if (relay && !username?.trim()) throw fault('username', 'a TURN server needs a username');
    if (relay && !credential && server!.hasCredential !== true) throw fault('credential', 'a TURN server needs a credential');
    servers.push({
      // The shape given (one URL or a list) is kept: a valid configuration comes back as it went in.
      urls: typeof server!.urls === 'string' ? clean[0]! : clean,
      ...(username !== undefined ? { username } : {}),
      ...(credential !== undefined ? { credential } : server!.hasCredential === true ? { hasCredential: true } : {}),
    });
  }
  return servers;
}

/** Applies a partial change on top of `current`, validating the result as a whole (at `now`, ms since the epoch). */
export function applySettingsPatch(current: Settings, patch: Partial<Settings>, now: number = Date.now()): Settings {
  const until = patch.signalingStop?.until;
  if (typeof until === 'number' && until > now + MAX_SIGNALING_STOP_MS) {
    throw new SettingsError('signalingStop', 'must end within a year, or stop until resumed (until: null)');
  }
  return validateSettings({ ...current, ...patch }, now);
}
