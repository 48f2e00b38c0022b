/**
 * The background's logic: owns desired state in storage, answers every view request, keeps a node
 * host alive and hands it its configuration. It keeps nothing in memory that storage cannot rebuild,
 * because a Chrome service worker may be stopped at any moment.
 */
import { loadOrCreateIdentity, type KeyValueStore } from './identity';
import type { HostConfig, ReplyValues, Request } from './protocol';
import { applySettingsPatch, validateSettings, type Settings } from './settings';

export const SETTINGS_STORAGE = 'meshdeck:settings';

/** The node host as the background sees it (an offscreen document, or Firefox's background page). */
export interface HostHandle {
  /** Makes sure a host exists, creating it if it is gone. */
  ensure(): Promise<void>;
  /** Hands the running host new configuration; a host that is not up yet asks for it on boot. */
  configure(config: HostConfig): Promise<void>;
}

export interface ControllerDeps {
  local: KeyValueStore;
  sync: KeyValueStore;
  host: HostHandle;
  /** Build-time defaults, used until the user changes something. */
  defaults: Settings;
}

export class Controller {
  /** Serialises settings writes so two quick toggles cannot interleave their read-modify-write. */
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
      case 'host:ensure':
        await this.deps.host.ensure();
        void this.pushConfig();
        return null as Out;
      case 'host:boot':
        return (await this.config()) as Out;
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

  async config(): Promise<HostConfig> {
    this.identity ??= loadOrCreateIdentity(this.deps).catch((error: unknown) => {
      this.identity = null;
      throw error;
    });
    const [settings, identity] = await Promise.all([this.settings(), this.identity]);
    return { settings, identity };
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
