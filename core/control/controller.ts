/**
 * The background's logic: owns desired state in storage, answers every view request, keeps a node
 * host alive and hands it its configuration. It keeps nothing in memory that storage cannot rebuild,
 * because a Chrome service worker may be stopped at any moment.
 */
import { BlockInputError, parseBlockListFile, TRUST_LIST_STORAGE } from '../blocklist/block-list';
import { BlockListStore, IdListStore, type BlockListState, type IdListState } from '../blocklist/block-list-store';
import { EndpointTrials, sameEndpoints, type Endpoints } from './endpoint-trial';
import { deriveId } from '../identity/identity';
import { USER_KEY_STORAGE, type SyncArrivals } from '../identity/identity-store';
import type { NodeKeyStore } from '../identity/node-key-store';
import { fromBase64Url } from '../lib/encoding';
import { keyValueStore, type KeyValueStore, type StorageArea } from '../lib/storage';
import type { StatsPoint } from '../node/observed-state';
import type { HostConfig, ReplyValues, Request } from './protocol';
import { isNodeAction } from './protocol-guard';
import { PairingControl } from './pairing-control';
import { applySettingsPatch, type IceServer, type Settings } from '../settings/settings';
import { SettingsStore } from './settings-store';
import { redactHistory, redactIceServers, redactTrial, restoreCredentials } from './ice-credentials';
import { DAILY_POINTS } from '../host/stats-history';
import { SerialQueue } from '../lib/serial-queue';
import { HostWatchdog } from './host-watchdog';
import type { LogLevel } from '../lib/event-log';
import { errorText } from '../lib/error-text';
import type { Toolbar } from './toolbar-badge';
import type { HostHandle } from './host-handle';
import { BackgroundLog } from './background-log';
import { IdentityKeeper } from './identity-keeper';

const HISTORY_STORAGE = 'meshdeck:history';

interface ControllerDeps {
  local: StorageArea;
  sync: StorageArea;
  host: HostHandle;
  /** Where the node key lives (shared with the node host). */
  keys: NodeKeyStore;
  /** Values arriving through storage.sync: a fresh profile waits for the user's key before minting one. */
  arrivals?: SyncArrivals;
  /** Build-time defaults, used until the user changes something. */
  defaults: Settings;
  now?: () => number;
  /** The toolbar button (its badge and title); none in a headless node. */
  toolbar?: Toolbar;
}

export class Controller {
  /** Serialises storage writes so two quick edits cannot interleave their read-modify-write. */
  private readonly writes = new SerialQueue();
  readonly watchdog: HostWatchdog;
  private revision = 0;
  private readonly log: BackgroundLog;
  private readonly settingsStore: SettingsStore;
  private readonly identity: IdentityKeeper;

  readonly blockList: BlockListStore;
  /** The trust list of `Trusted peers only` (issue 13): the block list's layout under its own keys. */
  readonly trustList: IdListStore;
  private readonly trials: EndpointTrials;
  private readonly pairing: PairingControl;
  private readonly local: KeyValueStore;
  private readonly sync: KeyValueStore;

  constructor(private readonly deps: ControllerDeps) {
    this.log = new BackgroundLog((lines) => deps.host.log(lines));
    this.blockList = new BlockListStore(deps.sync, deps.local, deps.now);
    this.trustList = new IdListStore(deps.sync, deps.local, deps.now, TRUST_LIST_STORAGE);
    this.local = keyValueStore(deps.local);
    this.sync = keyValueStore(deps.sync);
    this.identity = new IdentityKeeper({
      local: this.local,
      sync: this.sync,
      keys: deps.keys,
      arrivals: deps.arrivals,
      now: this.now,
      report: (level, type, message) => this.report(level, type, message),
    });
    this.settingsStore = new SettingsStore({
      local: this.local,
      area: deps.local,
      defaults: deps.defaults,
      now: this.now,
      warn: (message) => this.report('warn', 'background:settings', message),
    });
    this.pairing = new PairingControl({
      host: deps.host,
      blockList: this.blockList,
      sync: this.sync,
      now: this.now,
      nodeId: () => this.identity.nodeId(),
      local: this.local,
      changed: async () => {
        this.identity.forget();
        await this.pushConfig();
      },
      listChanged: async () => void (await this.blockListChanged()),
      report: (level, type, message) => this.report(level, type, message),
    });
    this.trials = new EndpointTrials(this.local, deps.now);
    this.watchdog = new HostWatchdog({
      host: deps.host,
      now: this.now,
      // A host that failed its configuration may hold a node key other than the one the memoized
      // identity certifies (seen in Firefox after a profile restart): read the identity again, which
      // re-certifies whatever key the profile holds, rather than send the same refused one forever.
      reconfigure: () => {
        this.identity.forget();
        return this.pushConfig();
      },
      report: (message) => this.report('warn', 'background:host', message),
    });
  }

  private readonly now = (): number => (this.deps.now ?? Date.now)();

  async handle<R extends Request>(request: R): Promise<ReplyValues[R['type']]> {
    type Out = ReplyValues[R['type']];
    if (isNodeAction(request)) {
      await this.deps.host.ensure();
      return (await this.deps.host.request(request)) as Out;
    }
    switch (request.type) {
      case 'settings:get':
        return redactIceServers(await this.settings()) as Out;
      case 'settings:update': {
        const next = await this.writes.run(async () => {
          const current = await this.settings();
          const patch = request.patch.iceServers ? { ...request.patch, iceServers: restoreCredentials(request.patch.iceServers, await this.savedIceServers(current)) } : request.patch;
          const updated = applySettingsPatch(current, patch, this.now());
          if (!sameEndpoints(current, updated)) await this.trials.begin(current, updated);
          await this.storeSettings(updated);
          return updated;
        });
        this.pushConfigLater();
        return redactIceServers(next) as Out;
      }
      case 'settings:keep':
        await this.writes.run(() => this.trials.commit());
        this.pushConfigLater();
        return redactIceServers(await this.settings()) as Out;
      case 'settings:trial-result': {
        // A result for a trial that already ended (kept, reverted, replaced) changes nothing.
        const trial = await this.trials.current();
        if (trial?.id !== request.trialId) return null as Out;
        if (request.ok) await this.writes.run(() => this.trials.commit());
        else await this.rollBack();
        this.pushConfigLater();
        return null as Out;
      }
      case 'settings:revert':
        await this.rollBack();
        this.pushConfigLater();
        return redactIceServers(await this.settings()) as Out;
      case 'settings:history':
        return redactHistory(await this.trials.history()) as Out;
      case 'block:add':
        await this.refuseSelf(request.id);
        await this.blockList.block(request.id, { note: request.note, label: request.label });
        return (await this.blockListChanged()) as Out;
      case 'block:remove': {
        const removed = await this.blockList.unblock(request.id.trim());
        return { state: await this.blockListChanged(), removed } as Out;
      }
      case 'block:restore':
        // The entry comes from a view: only its ID is trusted, and it passes the checks of block:add.
        await this.refuseSelf(request.entry.id);
        await this.blockList.restore(request.entry.id, { note: request.entry.note, label: request.entry.label });
        return (await this.blockListChanged()) as Out;
      case 'block:note':
        await this.blockList.setNote(request.id, request.note);
        return (await this.blockListChanged()) as Out;
      case 'block:import': {
        const entries = parseBlockListFile(request.text, this.now());
        for (const entry of entries) await this.refuseSelf(entry.id);
        const imported = await this.blockList.importEntries(entries);
        return { state: await this.blockListChanged(), imported } as Out;
      }
      case 'block:clear':
        await this.blockList.clear();
        return (await this.blockListChanged()) as Out;
      case 'block:list':
        return (await this.blockList.state()) as Out;
      case 'trust:add':
        await this.refuseSelf(request.id, 'trust');
        await this.trustList.add(request.id, { note: request.note, label: request.label });
        return (await this.listChanged(this.trustList)) as Out;
      case 'trust:remove': {
        const removed = await this.trustList.remove(request.id.trim());
        return { state: await this.listChanged(this.trustList), removed } as Out;
      }
      case 'trust:list':
        return (await this.trustList.state()) as Out;
      case 'host:ensure':
        await this.deps.host.ensure();
        this.pushConfigLater();
        return null as Out;
      case 'host:boot':
        this.watchdog.heard();
        return (await this.config()) as Out;
      case 'host:alive':
        this.watchdog.heard(request.failure);
        return null as Out;
      case 'host:badge':
        await this.deps.toolbar?.show(request.badge);
        return null as Out;
      case 'pairing:offer':
        return (await this.pairing.offer()) as Out;
      case 'pairing:cancel':
        this.pairing.cancel();
        return null as Out;
      case 'pairing:join':
        return (await this.pairing.join(request.code)) as Out;
      case 'pairing:heard':
        return (await this.pairing.heard(request)) as Out;
      case 'pairing:state':
        return (await this.pairing.state()) as Out;
      case 'pairing:unpair':
        return (await this.pairing.unpair()) as Out;
      case 'pairing:list-heard':
        return (await this.pairing.listHeard(request.value, await this.identity.nodeId())) as Out;
      case 'history:append':
        await this.writes.run(async () => {
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

  /** The periodic check: re-creates a host that is gone, silent or failing (HostWatchdog). */
  checkHost(): Promise<void> {
    return this.watchdog.check();
  }

  /** The desired settings (SettingsStore: the last good ones when what is stored no longer validates). */
  settings(): Promise<Settings> {
    return this.settingsStore.current();
  }

  /** Desired state as the background found it: problems the user should see in Diagnostics. */
  problems(): string[] {
    return this.settingsStore.problems();
  }

  private storeSettings(settings: Settings): Promise<void> {
    return this.settingsStore.store(settings);
  }

  /** A line of the background's own for the event log (BackgroundLog: it waits while no host hears it). */
  report(level: LogLevel, type: string, message: string): void {
    this.log.report(level, type, message);
  }

  /** Every ICE server whose credential a view may keep: in the settings, the trial and the history. */
  private async savedIceServers(current: Settings): Promise<IceServer[]> {
    const [trial, history] = await Promise.all([this.trials.current(), this.trials.history()]);
    return [current, ...(trial ? [trial.previous, trial.next] : []), ...history].flatMap((entry) => entry.iceServers);
  }

  /** Puts back the endpoints from before the trial, keeping every other setting as it is now. */
  private rollBack(): Promise<void> {
    return this.writes.run(async () => {
      const previous: Endpoints | null = await this.trials.rollBack();
      if (previous) await this.storeSettings({ ...(await this.settings()), ...previous });
    });
  }

  /** Refuses this node's own IDs for a list: blocking them would cut the user off; trusting them says nothing (always trusted). */
  private async refuseSelf(input: string, list: 'block' | 'trust' = 'block'): Promise<void> {
    const id = input.trim();
    const self = await this.identity.load();
    if (id === (await deriveId('n', fromBase64Url(self.node.pub)))) throw new BlockInputError(`that is this node: it cannot ${list} itself`);
    if (id === (await deriveId('u', fromBase64Url(self.user.pub)))) {
      throw new BlockInputError(list === 'block' ? 'that is your own user ID: it would block all your browsers' : 'that is your own user ID: your own browsers are always trusted');
    }
  }

  /**
   * Called when storage changed in another tab or browser (storage.onChanged): merges concurrent edits
   * of the block and trust lists, reloads the identity when the user key changed, and hands the node the result,
   * so a block reaches it within a second.
   */
  async onStorageChanged(area: 'sync' | 'local', changes: Record<string, { oldValue?: unknown; newValue?: unknown }>): Promise<void> {
    try {
      const userKey = changes[USER_KEY_STORAGE];
      if (area === 'sync' && userKey) await this.identity.settleUserKey(userKey.oldValue, userKey.newValue);
      if (area === 'sync') {
        const repairs = await Promise.allSettled([this.blockList.repair(changes), this.trustList.repair(changes)]);
        for (const [i, repair] of repairs.entries()) {
          if (repair.status === 'rejected') {
            this.report('warn', 'background:lists', `could not write back the merged ${i === 0 ? 'block' : 'trust'} list: ${errorText(repair.reason)}`);
          }
        }
      }
    } finally {
      // Whatever the repair did, the node gets the lists as stored: another browser's block must reach
      // it even when writing the merge back failed (issue 23, item 8).
      await this.pushConfig();
    }
  }

  private blockListChanged(): Promise<BlockListState> {
    return this.listChanged(this.blockList);
  }

  /** A list changed here: the node host hears of it, and the view gets the list. */
  private async listChanged(list: IdListStore): Promise<IdListState> {
    this.pushConfigLater();
    return list.state();
  }

  /** Each configuration is newer than every one before, also across restarts of the worker (it counts from the clock). */
  private nextRevision(): number {
    this.revision = Math.max(this.now(), this.revision + 1);
    return this.revision;
  }

  async config(): Promise<HostConfig> {
    const [settings, identity, blockList, trustList, daily, trial] = await Promise.all([
      this.settings(),
      this.identity.load(),
      this.blockList.state(),
      this.trustList.state(),
      this.local.get(HISTORY_STORAGE) as Promise<StatsPoint[] | undefined>,
      this.trials.current(),
    ]);
    const shared = await this.pairing.shared(await deriveId('n', fromBase64Url(identity.node.pub)), await this.blockList.all());
    return { revision: this.nextRevision(), settings, identity, blockList, trustList, daily: daily ?? [], trial: redactTrial(trial), problems: this.problems(), shared };
  }

  private async pushConfig(): Promise<void> {
    try {
      await this.deps.host.configure(await this.config());
    } catch (error) {
      this.watchdog.failed(errorText(error));
      throw error;
    }
    this.watchdog.succeeded();
    // Lines that waited for a host go now; a failure keeps them for the next delivery.
    await this.log.flush().catch(() => undefined);
  }

  /** Pushes the configuration without waiting; a failure is logged and counted by the watchdog. */
  pushConfigLater(): void {
    this.pushConfig().catch((error: unknown) =>
      this.report('warn', 'background:configure', `the node host did not take its configuration: ${errorText(error)}`),
    );
  }
}
