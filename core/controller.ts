/**
 * The background's logic: owns desired state in storage, answers every view request, keeps a node
 * host alive and hands it its configuration. It keeps nothing in memory that storage cannot rebuild,
 * because a Chrome service worker may be stopped at any moment.
 */
import { Identity, loadOrCreateIdentity, type KeyValueStore } from './identity';
import type { StatsPoint } from './observed-state';
import { isNodeAction, type HostConfig, type NodeAction, type ReplyValues, type Request } from './protocol';
import { applySettingsPatch, validateSettings, type Settings } from './settings';
import { DAILY_POINTS } from './stats-history';

export const SETTINGS_STORAGE = 'meshdeck:settings';
export const HISTORY_STORAGE = 'meshdeck:history';
/** One sync item per blocked ID, so that one edit writes one small item (storage.sync write limits). */
export const BLOCK_ENTRY_PREFIX = 'meshdeck:block:';
const ID_PATTERN = /^[nu][a-z2-7]{26}$/;

/** A storage area that can also list and remove keys (storage.sync for the block list). */
export interface ListableStore extends KeyValueStore {
  /** Every key starting with `prefix`, with its value. */
  entries(prefix: string): Promise<Record<string, unknown>>;
  remove(key: string): Promise<void>;
}

/** The node host as the background sees it (an offscreen document, or Firefox's background page). */
export interface HostHandle {
  /** Makes sure a host exists, creating it if it is gone. */
  ensure(): Promise<void>;
  /** Hands the running host new configuration; a host that is not up yet asks for it on boot. */
  configure(config: HostConfig): Promise<void>;
  /** Passes an action to the running host and resolves with its reply's value. */
  request<A extends NodeAction>(action: A): Promise<ReplyValues[A['type']]>;
}

export interface ControllerDeps {
  local: KeyValueStore;
  sync: ListableStore;
  host: HostHandle;
  /** Build-time defaults, used until the user changes something. */
  defaults: Settings;
}

export class BlockError extends Error {
  override name = 'BlockError';
  readonly field = 'id';
}

export class Controller {
  /** Serialises storage writes so two quick edits cannot interleave their read-modify-write. */
  private writes: Promise<unknown> = Promise.resolve();
  /**
   * One identity load at a time: on first run the host's boot request and the start-up push both ask
   * for the identity, and two concurrent loads would each mint a key pair (the node ID would change
   * under the user's feet).
   */
  private identity: ReturnType<typeof loadOrCreateIdentity> | null = null;

  constructor(private readonly deps: ControllerDeps) {}

  async handle<R extends Request>(request: R): Promise<ReplyValues[R['type']]> {
    type Out = ReplyValues[R['type']];
    if (isNodeAction(request)) {
      await this.deps.host.ensure();
      return (await this.deps.host.request(request)) as Out;
    }
    switch (request.type) {
      case 'settings:get':
        return (await this.settings()) as Out;
      case 'settings:update': {
        const next = await this.serialise(async () => {
          const updated = applySettingsPatch(await this.settings(), request.patch);
          await this.deps.local.set(SETTINGS_STORAGE, updated);
          return updated;
        });
        void this.pushConfig();
        return next as Out;
      }
      case 'block:add':
        return (await this.block(request.id)) as Out;
      case 'block:remove':
        await this.deps.sync.remove(BLOCK_ENTRY_PREFIX + request.id.trim());
        void this.pushConfig();
        return (await this.blocked()) as Out;
      case 'block:list':
        return (await this.blocked()) as Out;
      case 'host:ensure':
        await this.deps.host.ensure();
        void this.pushConfig();
        return null as Out;
      case 'host:boot':
        return (await this.config()) as Out;
      case 'history:append':
        await this.serialise(async () => {
          const daily = ((await this.deps.local.get(HISTORY_STORAGE)) as StatsPoint[] | undefined) ?? [];
          daily.push(request.point);
          await this.deps.local.set(HISTORY_STORAGE, daily.slice(-DAILY_POINTS));
        });
        return null as Out;
    }
    throw new Error(`unhandled request ${(request as Request).type}`);
  }

  /** Called on start-up, install and any wake: the host must exist and match desired state. */
  async ensureHost(): Promise<void> {
    await this.deps.host.ensure();
    await this.pushConfig();
  }

  async settings(): Promise<Settings> {
    const stored = await this.deps.local.get(SETTINGS_STORAGE);
    if (!stored) return this.deps.defaults;
    try {
      // Fields added by a newer build take their defaults.
      return validateSettings({ ...this.deps.defaults, ...(stored as Partial<Settings>) });
    } catch {
      return this.deps.defaults;
    }
  }

  async blocked(): Promise<string[]> {
    const entries = await this.deps.sync.entries(BLOCK_ENTRY_PREFIX);
    return Object.keys(entries).map((key) => key.slice(BLOCK_ENTRY_PREFIX.length)).sort();
  }

  private async block(input: string): Promise<string[]> {
    const id = input.trim();
    if (!ID_PATTERN.test(id)) throw new BlockError(`"${id}" is not a node ID (n…) or user ID (u…) of 27 characters`);
    const self = await Identity.fromStored(await this.loadIdentity());
    if (id === self.nodeId || id === self.userId) throw new BlockError('that is this node or its own user: it cannot be blocked');
    await this.deps.sync.set(BLOCK_ENTRY_PREFIX + id, { id, kind: id.startsWith('n') ? 'node' : 'user', at: Date.now() });
    void this.pushConfig();
    return this.blocked();
  }

  async config(): Promise<HostConfig> {
    const [settings, identity, blocked, daily] = await Promise.all([
      this.settings(),
      this.loadIdentity(),
      this.blocked(),
      this.deps.local.get(HISTORY_STORAGE) as Promise<StatsPoint[] | undefined>,
    ]);
    return { settings, identity, blocked, daily: daily ?? [] };
  }

  private loadIdentity(): ReturnType<typeof loadOrCreateIdentity> {
    this.identity ??= loadOrCreateIdentity(this.deps).catch((error: unknown) => {
      this.identity = null;
      throw error;
    });
    return this.identity;
  }

  private async pushConfig(): Promise<void> {
    await this.deps.host.configure(await this.config());
  }

  private serialise<T>(task: () => Promise<T>): Promise<T> {
    const run = this.writes.then(task, task);
    this.writes = run.catch(() => undefined);
    return run;
  }
}
