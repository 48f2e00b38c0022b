/**
 * The one typed message protocol between the extension's contexts.
 *
 *   views (popup, options) --request--> background --host:configure--> node host
 *   node host --host:boot--> background (answers with the host's configuration)
 *   views <--state (port "observe")-- node host
 *
 * Every request gets a reply (`Reply`), also when it fails. Messages carry the protocol version so
 * that a view left open across an extension update is told instead of misread.
 */
import type { ToolbarBadge } from './toolbar-badge';
import type { NodeSnapshot, StatsPoint } from '../node/observed-state';
import type { LogEntry, LogLevel } from '../lib/event-log';
import type { MeshPingResult } from '../routing/routing-reports';
import type { RefreshResult } from '../node/refresh-result';
import type { Settings } from '../settings/settings';
import type { StoredIdentity } from '../identity/identity';
import type { BlockEntry } from '../blocklist/block-list';
import type { BlockListState } from '../blocklist/block-list-store';
import type { EndpointTrial, WorkingEndpoints } from './endpoint-trial';
import type { Pair } from '../session/wire';
import type { PairingLink, PairingOfferView } from '../pairing/pairing-exchange';
import type { SharedList } from '../pairing/shared-list';

export const PROTOCOL_VERSION = 1;
/** Name of the runtime port views open to the node host to receive observed state. */
export const OBSERVE_PORT = 'meshdeck:observe';
/**
 * What a view observes: `full` (the dashboard) gets every StateMessage; `summary` (the popup) gets no
 * history and no log, which it does not show: one message a second fewer while it is open.
 */
export type ObserveScope = 'full' | 'summary';
export const SUMMARY_OMITS: ReadonlySet<string> = new Set(['history', 'history:tick', 'log']);
/** The port name that asks for `scope`. */
export const observePortName = (scope: ObserveScope): string => (scope === 'full' ? OBSERVE_PORT : `${OBSERVE_PORT}:${scope}`);
/** The scope a port name asks for; null when it is not an observe port. */
export function observeScopeOf(portName: string): ObserveScope | null {
  if (portName === OBSERVE_PORT) return 'full';
  if (portName === `${OBSERVE_PORT}:summary`) return 'summary';
  return null;
}
/**
 * How often the node host tells the background it is alive (`host:alive`): under the service
 * worker's 30 s idle limit, so the worker stays up to watch the host and re-create it.
 */
export const HOST_HEARTBEAT_MS = 20_000;
/** How often the background checks that the node host exists. */
export const HOST_CHECK_MS = 2_000;

/** Actions on the live node: the background makes sure a host exists and passes them on. */
export type NodeAction =
  /** Re-reads the rendezvous at once and dials up to maxPeers. */
  | { type: 'node:refresh' }
  /** Closes one connection (bye `user-disconnect`). */
  | { type: 'node:disconnect'; nodeId: string }
  /** Mesh ping (route body `ping`) to any discovered node. */
  | { type: 'node:ping'; nodeId: string }
  /** Dials a node now, also one disconnected by the user within the last 10 minutes. */
  | { type: 'node:dial'; nodeId: string }
  /** Skips the signaling reconnect backoff. */
  | { type: 'node:retry-signaling' }
  /** Settings, state, stats history and log as one JSON object; never a private key. */
  | { type: 'diagnostics:export' }
  /** Shares the file the view put in the hand-off store under `blobKey` (core/files/blob-store.ts). */
  | { type: 'files:share'; blobKey: string; name: string }
  | { type: 'files:stop'; ih: string }
  | { type: 'files:download'; ih: string }
  | { type: 'files:cancel'; ih: string }
  /** Puts a finished download in the hand-off store, for the view to save. */
  | { type: 'files:save'; ih: string };

export type Request =
  | { type: 'settings:get' }
  /** Endpoint changes (signaling URL, relays, room, ICE servers) start a 15 s trial. */
  | { type: 'settings:update'; patch: Partial<Settings> }
  /** `Keep these settings`: ends the trial, keeping the new endpoints whatever happens. */
  | { type: 'settings:keep' }
  /** Goes back to the endpoints before the trial now. */
  | { type: 'settings:revert' }
  /** Endpoint configurations that worked, newest first. */
  | { type: 'settings:history' }
  /** Sent by the node host: trial `trialId`'s endpoints connected (ok) or the deadline passed without. */
  | { type: 'settings:trial-result'; trialId: string; ok: boolean }
  /** Blocks a node ID (`n…`) or user ID (`u…`); `label` is how the view last saw it. */
  | { type: 'block:add'; id: string; note?: string; label?: string }
  /** Unblocks; the reply carries the removed entry so a view can offer `Undo` (block:restore). */
  | { type: 'block:remove'; id: string }
  /** The `Undo` of an unblock: only `entry.id` is trusted; the stored entry is put back. */
  | { type: 'block:restore'; entry: Pick<BlockEntry, 'id'> & Partial<Pick<BlockEntry, 'note' | 'label'>> }
  | { type: 'block:note'; id: string; note: string }
  /** Merges an exported block list file (JSON text): all or nothing. */
  | { type: 'block:import'; text: string }
  | { type: 'block:clear' }
  | { type: 'block:list' }
  /** Trusts a node ID (`n…`) or user ID (`u…`): with `Trusted peers only` on, only trusted peers connect. */
  | { type: 'trust:add'; id: string; note?: string; label?: string }
  /** Untrusts; with `Trusted peers only` on, its connections close. The reply carries the removed entry. */
  | { type: 'trust:remove'; id: string }
  | { type: 'trust:list' }
  /** Sent by a view when it cannot reach the node host: the background re-creates it. */
  | { type: 'host:ensure' }
  /** Sent by the node host when it boots; answered with its configuration. */
  | { type: 'host:boot' }
  /**
   * Sent by the node host every 20 s, and at once when a configuration fails: it is alive, and the
   * worker should stay up to watch it. `failure` is its last failed configuration step, or null.
   */
  | { type: 'host:alive'; failure: string | null }
  /** Sent by the node host when the toolbar badge it works out from its snapshot changed. */
  | { type: 'host:badge'; badge: ToolbarBadge }
  /** Sent by the node host once a minute: a point of the 24-hour history, kept across restarts. */
  | { type: 'history:append'; point: StatsPoint }
  /** `Pair a browser`: a new one-time code (replacing any earlier one), good for PAIRING_TTL_MS. */
  | { type: 'pairing:offer' }
  | { type: 'pairing:cancel' }
  /** `Join with a code`: takes the user key and block list of the browser showing `code`. */
  | { type: 'pairing:join'; code: string }
  /** Sent by the node host: a peer sent a pairing `join`; the reply is the message to send back. */
  | { type: 'pairing:heard'; nodeId: string; binding: string; message: Pair }
  /** Whether this browser is paired (its block list shared through the relays), and since when. */
  | { type: 'pairing:state' }
  /** `Unpair`: stops sharing the block list through the relays. */
  | { type: 'pairing:unpair' }
  /** Sent by the node host: a value of the shared channel (a paired browser's sealed list), unverified. */
  | { type: 'pairing:list-heard'; value: unknown }
  | NodeAction;

export interface HostConfig {
  /** Grows with every configuration the background sends: the host ignores one older than it applied. */
  revision: number;
  settings: Settings;
  identity: StoredIdentity;
  /** The block list (entries of blocked node and user IDs); the host relays it to the views. */
  blockList: BlockListState;
  /** The trust list (trusted node and user IDs, same layout); the views see it in the snapshot's `controls.trusted`. */
  trustList: BlockListState;
  /** The persisted 24-hour history (one point a minute), oldest first. */
  daily: StatsPoint[];
  /**
   * Paired with a browser of another vendor: the channel to watch and this browser's sealed block list
   * to write there (core/pairing/shared-list.ts); null when not paired.
   */
  shared: { channel: string; value: SharedList } | null;
  /** An endpoint change on trial, which the host watches and reports on. */
  trial: EndpointTrial | null;
  /** What is wrong with the desired state as stored (invalid settings), in words, for Diagnostics. */
  problems: string[];
}

export interface DiagnosticsReport {
  app: string;
  exportedAt: number;
  settings: Settings;
  blockList: BlockEntry[];
  snapshot: NodeSnapshot;
  history: { recent: StatsPoint[]; daily: StatsPoint[] };
  log: LogEntry[];
  problems: string[];
}

/** Background → node host. */
/**
 * Background → node host during pairing (core/pairing): the host carries sealed messages, never
 * their content in the clear.
 */
export type PairingCommand =
  /** A ready connection to the node whose ID starts with `n` + nodePrefix, and its channel binding. */
  | { type: 'pair:connect'; nodePrefix: string }
  /** Sends `message` to `nodeId` and replies with the pairing message that answers it. */
  | { type: 'pair:exchange'; nodeId: string; message: Pair };

export type HostCommand =
  | { type: 'host:configure'; config: HostConfig }
  /** The background's own lines for the event log (it keeps no log the views could see). */
  | { type: 'host:log'; entries: { level: LogLevel; type: string; message: string }[] }
  | NodeAction
  | PairingCommand;

/** Node host → views over the observe port. */
export type StateMessage =
  | { type: 'state'; snapshot: NodeSnapshot }
  /** On connect: the last 5 minutes (one point a second) and the last 24 hours (one a minute). */
  | { type: 'history'; recent: StatsPoint[]; daily: StatsPoint[] }
  /** Every second: the new point, and a new minute point when one completed. */
  | { type: 'history:tick'; second: StatsPoint; minute: StatsPoint | null }
  /** On connect the whole log buffer, then each new entry. */
  | { type: 'log'; entries: LogEntry[] }
  /** On connect and whenever it changes (in any tab or browser of the user). */
  | { type: 'blocklist'; state: BlockListState }
  /** On connect and whenever it changes: an endpoint change on trial, or null. */
  | { type: 'trial'; trial: EndpointTrial | null }
  /** On connect and whenever they change: problems of the desired state (HostConfig.problems). */
  | { type: 'problems'; problems: string[] };

type Envelope<T> = T & { v: typeof PROTOCOL_VERSION; to: 'background' | 'host' };

/** `field` names the setting a validation error is about, so a form can show it at that field. */
export type Reply<T = unknown> = { ok: true; value: T } | { ok: false; error: { name: string; message: string; field?: string } };

export interface ReplyValues {
  'settings:get': Settings;
  'settings:update': Settings;
  'settings:keep': Settings;
  'settings:revert': Settings;
  'settings:history': WorkingEndpoints[];
  'settings:trial-result': null;
  'block:add': BlockListState;
  'block:remove': { state: BlockListState; removed: BlockEntry | null };
  'block:restore': BlockListState;
  'block:note': BlockListState;
  'block:import': { state: BlockListState; imported: number };
  'block:clear': BlockListState;
  'block:list': BlockListState;
  'trust:add': BlockListState;
  'trust:remove': { state: BlockListState; removed: BlockEntry | null };
  'trust:list': BlockListState;
  'host:ensure': null;
  'host:boot': HostConfig;
  'host:alive': null;
  'host:badge': null;
  'history:append': null;
  'node:refresh': RefreshResult;
  'node:disconnect': null;
  'node:ping': MeshPingResult;
  'node:dial': null;
  'node:retry-signaling': null;
  'diagnostics:export': DiagnosticsReport;
  'files:share': { ih: string };
  'files:stop': null;
  'files:download': null;
  'files:cancel': null;
  'files:save': { blobKey: string; name: string };
  'pairing:offer': PairingOfferView;
  'pairing:cancel': null;
  /** The user ID this browser now has, and how many block list entries changed here. */
  'pairing:join': { userId: string; merged: number };
  'pairing:heard': Pair;
  'pairing:state': { paired: boolean; since: number | null };
  'pairing:unpair': { paired: boolean; since: number | null };
  /** Whether the list was genuine (or could not be judged here): false for a forged, stale or dated-ahead one. */
  'pairing:list-heard': boolean;
  'pair:connect': PairingLink;
  'pair:exchange': Pair;
}

export function envelope<T extends Request | HostCommand>(message: T, to: 'background' | 'host'): Envelope<T> {
  return { ...message, v: PROTOCOL_VERSION, to };
}

export function okReply<T>(value: T): Reply<T> {
  return { ok: true, value };
}

export function errorReply(error: unknown): Reply<never> {
  const e = error instanceof Error ? error : new Error(String(error));
  const field = (e as { field?: unknown }).field;
  return { ok: false, error: { name: e.name, message: e.message, ...(typeof field === 'string' ? { field } : {}) } };
}

