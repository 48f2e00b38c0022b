/**
 * The `Network settings` region's form: the room, the maximum number of peers, and the STUN/TURN
 * servers with their usernames and credentials. Checked here with the background's own rules
 * (validateSettings), so a bad value is an error at its field and nothing is sent. A change of room
 * or ICE servers goes on trial like `Change endpoint` (core/control/endpoint-trial.ts). A saved
 * credential never comes back from the background: its field stays empty and says it is saved.
 */
import { batch, effect, signal, type ReadonlySignal } from '@preact/signals';
import { validateSettings, type IceServer, type IceServerFault, type Settings } from '../../../core/settings/settings';
import { sameEndpoints } from '../../../core/control/endpoint-trial';
import type { ActionStatus } from '../../ui/action-status';
import { describeError, type NodeModel } from '../../client/node-model';

export interface IceServerRow {
  /** Stable across edits and removals, for keys and field ids. */
  key: number;
  /** One URL a line. */
  urls: string;
  username: string;
  /** What the user typed; empty keeps a saved credential. */
  credential: string;
  /** A credential is saved for this server (the view never sees it). */
  hasCredential: boolean;
}

export type IcePart = IceServerFault['part'];

export interface NetworkSettingsErrors {
  room?: string;
  maxPeers?: string;
  /** By row key. */
  ice?: Record<number, Partial<Record<IcePart, string>>>;
  iceList?: string;
  form?: string;
}

export interface NetworkSettingsModel {
  readonly room: ReadonlySignal<string>;
  readonly maxPeers: ReadonlySignal<string>;
  readonly servers: ReadonlySignal<readonly IceServerRow[]>;
  readonly errors: ReadonlySignal<NetworkSettingsErrors>;
  readonly saving: ReadonlySignal<boolean>;
  readonly status: ReadonlySignal<ActionStatus | null>;
  setRoom(value: string): void;
  setMaxPeers(value: string): void;
  setServer(key: number, part: 'urls' | 'username' | 'credential', value: string): void;
  addServer(): void;
  removeServer(key: number): void;
  /** Puts the form back to the saved settings. */
  reset(): void;
  /** Checks and applies; resolves true when applied, false when refused. Never rejects. */
  apply(): Promise<boolean>;
  dispose(): void;
}

type Patch = Pick<Settings, 'room' | 'maxPeers' | 'iceServers'>;

const lines = (text: string): string[] =>
  text
    .split(/[\r\n,]+/)
    .map((line) => line.trim())
    .filter(Boolean);

/** The form's values as a settings patch (not yet checked). */
function patchOf(room: string, maxPeers: string, rows: readonly IceServerRow[]): Patch {
  const servers = rows.map((row): IceServer => {
    const urls = lines(row.urls);
    return {
      urls: urls.length === 1 ? urls[0]! : urls,
      ...(row.username.trim() ? { username: row.username.trim() } : {}),
      ...(row.credential ? { credential: row.credential } : row.hasCredential ? { hasCredential: true } : {}),
    };
  });
  const peers = maxPeers.trim();
  return { room: room.trim(), maxPeers: /^\d+$/.test(peers) ? Number(peers) : Number.NaN, iceServers: servers };
}

/** The SettingsError of a check as errors at the form's fields. */
function errorsOf(error: unknown, rows: readonly IceServerRow[]): NetworkSettingsErrors | null {
  const e = error as { name?: string; field?: unknown; message?: string; ice?: IceServerFault };
  if (e?.name !== 'SettingsError') return null;
  const message = String(e.message ?? 'is not valid');
  if (e.field === 'room') return { room: sentence(`the room ${message}`) };
  if (e.field === 'maxPeers') return { maxPeers: sentence(`maximum peers ${message}`) };
  if (e.field !== 'iceServers') return null;
  const row = e.ice ? rows[e.ice.index] : undefined;
  return row && e.ice ? { ice: { [row.key]: { [e.ice.part]: sentence(message.replace(/^ICE server \d+: /, '')) } } } : { iceList: sentence(message) };
}

const sentence = (text: string): string => `${text[0]!.toUpperCase()}${text.slice(1).replace(/\.$/, '')}.`;

export function createNetworkSettingsModel(node: Pick<NodeModel, 'settings' | 'updateSettings'>): NetworkSettingsModel {
  const room = signal('');
  const maxPeers = signal('');
  const servers = signal<readonly IceServerRow[]>([]);
  const errors = signal<NetworkSettingsErrors>({});
  const saving = signal(false);
  const status = signal<ActionStatus | null>(null);
  const scope = new AbortController();
  let nextKey = 0;
  /** The user changed something not applied yet: new settings from elsewhere do not overwrite it. */
  let dirty = false;

  const fill = (settings: Settings): void => {
    batch(() => {
      room.value = settings.room;
      maxPeers.value = String(settings.maxPeers);
      servers.value = settings.iceServers.map((server) => ({
        key: nextKey++,
        urls: [server.urls].flat().join('\n'),
        username: server.username ?? '',
        credential: '',
        hasCredential: server.hasCredential === true || Boolean(server.credential),
      }));
    });
  };
  const stopFollowing = effect(() => {
    const settings = node.settings.value;
    if (settings && !dirty && !saving.peek()) fill(settings);
  });
  const edited = (): void => {
    dirty = true;
    if (Object.keys(errors.peek()).length) errors.value = {};
  };

  return {
    room,
    maxPeers,
    servers,
    errors,
    saving,
    status,
    setRoom(value) {
      room.value = value;
      edited();
    },
    setMaxPeers(value) {
      maxPeers.value = value;
      edited();
    },
    setServer(key, part, value) {
      servers.value = servers.peek().map((row) => (row.key === key ? { ...row, [part]: value } : row));
      edited();
    },
    addServer() {
      servers.value = [...servers.peek(), { key: nextKey++, urls: '', username: '', credential: '', hasCredential: false }];
      edited();
    },
    removeServer(key) {
      servers.value = servers.peek().filter((row) => row.key !== key);
      edited();
    },
    reset() {
      dirty = false;
      errors.value = {};
      const settings = node.settings.peek();
      if (settings) fill(settings);
    },
    async apply() {
      if (saving.peek()) return false;
      const current = node.settings.peek();
      if (!current) {
        errors.value = { form: 'The settings have not loaded yet: wait a moment and apply again.' };
        return false;
      }
      const rows = servers.peek();
      const patch = patchOf(room.peek(), maxPeers.peek(), rows);
      try {
        validateSettings({ ...current, ...patch });
      } catch (error) {
        errors.value = errorsOf(error, rows) ?? { form: describeError('apply the network settings', error) };
        return false;
      }
      const onTrial = !sameEndpoints(current, { ...current, ...patch });
      batch(() => {
        saving.value = true;
        errors.value = {};
        status.value = { kind: 'pending', text: 'Applying…' };
      });
      try {
        const saved = await node.updateSettings(patch);
        if (scope.signal.aborted) return true;
        dirty = false;
        batch(() => {
          saving.value = false;
          fill(saved);
          status.value = {
            kind: 'ok',
            text: onTrial
              ? 'Applied on trial: the node reconnects with them, and goes back to the previous settings in 15 s unless it connects. Keep or revert them under Signaling endpoint.'
              : 'Applied.',
          };
        });
        return true;
      } catch (error) {
        if (scope.signal.aborted) return false;
        batch(() => {
          saving.value = false;
          status.value = null;
          errors.value = errorsOf(error, rows) ?? { form: describeError('apply the network settings', error) };
        });
        return false;
      }
    },
    dispose() {
      scope.abort();
      stopFollowing();
    },
  };
}
