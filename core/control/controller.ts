/**
 * The background's logic: owns desired state in storage, answers every view request, keeps a node
 * host alive and hands it its configuration. It keeps nothing in memory that storage cannot rebuild,
 * because a Chrome service worker may be stopped at any moment.
 */
import { BlockInputError, parseBlockListFile, type BlockEntry } from '../blocklist/block-list';
import { BlockListStore, type BlockListState } from '../blocklist/block-list-store';
import { EndpointTrials, sameEndpoints, type Endpoints } from './endpoint-trial';
import { Identity, loadOrCreateIdentity, USER_KEY_STORAGE } from '../identity/identity';
import { keyValueStore, type KeyValueStore, type StorageArea } from '../lib/storage';
import type { StatsPoint } from '../node/observed-state';
import { isNodeAction, type HostConfig, type NodeAction, type ReplyValues, type Request } from './protocol';
import { applySettingsPatch, validateSettings, type Settings } from './settings';
import { DAILY_POINTS } from '../host/stats-history';

export const SETTINGS_STORAGE = 'meshdeck:settings';
export const HISTORY_STORAGE = 'meshdeck:history';

/** The node host as the background sees it (an offscreen document, or Firefox's background page). */
export interface HostHandle {
  /** Makes sure a host exists, creating it if it is gone. */
  ensure(): Promise<void>;
  exists(): Promise<boolean>;
  /** Hands the running host new configuration; a host that is not up yet asks for it on boot. */
  configure(config: HostConfig): Promise<void>;
  /** Passes an action to the running host and resolves with its reply's value. */
  request<A extends NodeAction>(action: A): Promise<ReplyValues[A['type']]>;
}

export interface ControllerDeps {
  local: StorageArea;
  sync: StorageArea;
  host: HostHandle;
  /** Build-time defaults, used until the user changes something. */
  defaults: Settings;
  clock?: () => number;
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

  readonly blockList: BlockListStore;
  private readonly trials: EndpointTrials;
  private readonly local: KeyValueStore;
  private readonly sync: KeyValueStore;

  constructor(private readonly deps: ControllerDeps) {
    this.blockList = new BlockListStore(deps.sync, deps.local, deps.clock);
    this.local = keyValueStore(deps.local);
    this.sync = keyValueStore(deps.sync);
    this.trials = new EndpointTrials(this.local, deps.clock);
  }

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
          const current = await this.settings();
          const updated = applySettingsPatch(current, request.patch);
          if (!sameEndpoints(current, updated)) await this.trials.begin(current, updated);
          await this.local.set(SETTINGS_STORAGE, updated);
          return updated;
        });
        void this.pushConfig();
        return next as Out;
      }
      case 'settings:keep':
      case 'settings:trial-result':
        if (request.type === 'settings:keep' || request.ok) await this.serialise(() => this.trials.commit());
        else await this.rollBack();
        void this.pushConfig();
        return (request.type === 'settings:keep' ? await this.settings() : null) as Out;
      case 'settings:revert':
        await this.rollBack();
        void this.pushConfig();
        return (await this.settings()) as Out;
      case 'settings:history':
        return (await this.trials.history()) as Out;
      case 'block:add':
        await this.refuseSelf(request.id);
        await this.blockList.block(request.id, { note: request.note, label: request.label });
        return (await this.blockListChanged()) as Out;
      case 'block:remove': {
        const removed = await this.blockList.unblock(request.id.trim());
        return { state: await this.blockListChanged(), removed } as Out;
      }
      case 'block:restore':
        await this.blockList.restore(request.entry as BlockEntry);
        return (await this.blockListChanged()) as Out;
      case 'block:note':
        await this.blockList.setNote(request.id, request.note);
        return (await this.blockListChanged()) as Out;
      case 'block:import': {
        const entries = parseBlockListFile(request.text, (this.deps.clock ?? Date.now)());
        for (const entry of entries) await this.refuseSelf(entry.id);
        const imported = await this.blockList.importEntries(entries);
        return { state: await this.blockListChanged(), imported } as Out;
      }
      case 'block:clear':
        await this.blockList.clear();
        return (await this.blockListChanged()) as Out;
      case 'block:list':
        return (await this.blockList.state()) as Out;
      case 'host:ensure':
        await this.deps.host.ensure();
        void this.pushConfig();
        return null as Out;
      case 'host:boot':
        return (await this.config()) as Out;
      case 'host:alive':
        return null as Out;
      case 'history:append':
        await this.serialise(async () => {
          const daily = ((await this.local.get(HISTORY_STORAGE)) as StatsPoint[] | undefined) ?? [];
          daily.push(request.point);
          await this.local.set(HISTORY_STORAGE, daily.slice(-DAILY_POINTS));
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

  /** The periodic check: re-creates a host that is gone (it asks for its configuration on boot). */
  async checkHost(): Promise<void> {
    if (!(await this.deps.host.exists())) await this.deps.host.ensure();
  }

  async settings(): Promise<Settings> {
    const stored = await this.local.get(SETTINGS_STORAGE);
    if (!stored) return this.deps.defaults;
    try {
      // Fields added by a newer build take their defaults.
      return validateSettings({ ...this.deps.defaults, ...(stored as Partial<Settings>) });
    } catch {
      return this.deps.defaults;
    }
  }

  /** Puts back the endpoints from before the trial, keeping every other setting as it is now. */
  private rollBack(): Promise<void> {
    return this.serialise(async () => {
      const previous: Endpoints | null = await this.trials.rollBack();
      if (previous) await this.local.set(SETTINGS_STORAGE, { ...(await this.settings()), ...previous });
    });
  }

  private async refuseSelf(input: string): Promise<void> {
    const id = input.trim();
    const self = await Identity.fromStored(await this.loadIdentity());
    if (id === self.nodeId) throw new BlockInputError('that is this node: it cannot block itself');
    if (id === self.userId) throw new BlockInputError('that is your own user ID: it would block all your browsers');
  }

  /**
   * Called when storage changed in another tab or browser (storage.onChanged): merges concurrent edits
   * of the block list, reloads the identity when the user key changed, and hands the node the result,
   * so a block reaches it within a second.
   */
  async onStorageChanged(area: 'sync' | 'local', changes: Record<string, { oldValue?: unknown; newValue?: unknown }>): Promise<void> {
    // The user key arrived from another browser of the user: this node is re-certified under it.
    if (area === 'sync' && USER_KEY_STORAGE in changes) this.identity = null;
    if (area === 'sync') await this.blockList.repair(changes);
    await this.pushConfig();
  }

  private async blockListChanged(): Promise<BlockListState> {
    void this.pushConfig();
    return this.blockList.state();
  }

  async config(): Promise<HostConfig> {
    const [settings, identity, blockList, daily, trial] = await Promise.all([
      this.settings(),
      this.loadIdentity(),
      this.blockList.state(),
      this.local.get(HISTORY_STORAGE) as Promise<StatsPoint[] | undefined>,
      this.trials.current(),
    ]);
    return { settings, identity, blockList, daily: daily ?? [], trial };
  }

  private loadIdentity(): ReturnType<typeof loadOrCreateIdentity> {
    this.identity ??= loadOrCreateIdentity({ local: this.local, sync: this.sync }).catch((error: unknown) => {
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
