/**
 * The controller's test bench: a Controller over memory storage areas and a fake host that records
 * what it is handed.
 */
import { Controller } from '../../core/control/controller';
import type { BackgroundLogLine, HostHandle } from '../../core/control/host-handle';
import type { HostConfig } from '../../core/control/protocol';
import { deriveId } from '../../core/identity/identity';
import type { SyncArrivals } from '../../core/identity/identity-store';
import { memoryNodeKeyStore } from '../../core/identity/node-key-store';
import { fromBase64Url } from '../../core/lib/encoding';
import { defaultSettings } from '../../core/settings/settings';
import { memoryArea } from './memory-store';

export function setupController(options: { arrivals?: SyncArrivals; sync?: Map<string, unknown> } = {}) {
  const configured: HostConfig[] = [];
  const logged: BackgroundLogLine[] = [];
  let ensured = 0;
  const requested: string[] = [];
  const host = fakeHost({
    ensure: async () => void ensured++,
    configure: async (config) => void configured.push(config),
    log: async (entries) => void logged.push(...entries),
    request: async (action) => {
      requested.push(action.type);
      return null as never;
    },
  });
  const local = memoryArea();
  const sync = memoryArea(options.sync);
  const controller = new Controller({ local, sync, host, keys: memoryNodeKeyStore(), arrivals: options.arrivals, defaults: defaultSettings() });
  return { controller, local, sync, configured, logged, requested, ensured: () => ensured };
}

/** A host that exists and takes everything; `overrides` replace what a test watches. */
export function fakeHost(overrides: Partial<HostHandle> = {}): HostHandle {
  return {
    ensure: async () => undefined,
    exists: async () => true,
    close: async () => undefined,
    configure: async () => undefined,
    log: async () => undefined,
    request: async () => null as never,
    ...overrides,
  };
}

export const userIdOf = (pub: string) => deriveId('u', fromBase64Url(pub));
export const nodeIdOf = (pub: string) => deriveId('n', fromBase64Url(pub));
