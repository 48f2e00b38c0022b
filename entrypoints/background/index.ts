/**
 * The controller context: owns desired state and keeps the node host alive (core/control/controller.ts).
 * Thin on purpose: everything here is wiring of browser events to the controller.
 */
import browser from 'webextension-polyfill';
import { defineBackground } from 'wxt/utils/define-background';
import { SHARD_PREFIX } from '../../core/blocklist/block-list';
import { Controller } from '../../core/control/controller';
import { USER_KEY_STORAGE } from '../../core/identity/identity';
import { errorReply, HOST_CHECK_MS, okReply, parseRequest } from '../../core/control/protocol';
import { defaultSettings, type BuildEnvironment } from '../../core/control/settings';
import { createOffscreenHost } from './offscreen-host';
import { storageArea } from './storage-area';

const WATCHDOG_ALARM = 'meshdeck:watchdog';

export default defineBackground(() => {
  const controller = new Controller({
    local: storageArea(browser.storage.local),
    sync: storageArea(browser.storage.sync),
    host: createOffscreenHost(),
    defaults: defaultSettings(import.meta.env as BuildEnvironment),
  });

  const ensureHost = (): void => {
    controller.ensureHost().catch((error: unknown) => console.error('meshdeck: cannot start the node host', error));
  };
  browser.runtime.onStartup.addListener(ensureHost);
  browser.runtime.onInstalled.addListener(ensureHost);

  // A block list edit (or the user key) from another tab or browser reaches the node host within a second.
  browser.storage.onChanged.addListener((changes, area) => {
    if (area !== 'sync' && area !== 'local') return;
    if (!Object.keys(changes).some((key) => key.startsWith(SHARD_PREFIX) || key === USER_KEY_STORAGE)) return;
    controller.onStorageChanged(area, changes).catch((error: unknown) => console.error('meshdeck: block list sync failed', error));
  });

  browser.runtime.onMessage.addListener((raw: unknown) => {
    let request;
    try {
      request = parseRequest(raw);
    } catch (error) {
      return Promise.resolve(errorReply(error));
    }
    // Not ours (host commands, state): let other contexts answer.
    if (!request) return undefined;
    return controller.handle(request).then(okReply, errorReply);
  });

  // The host keeps this worker awake (host:alive); while awake, it checks the host is still there and
  // re-creates it if it crashed or was closed. The alarm covers a worker stopped with its host.
  setInterval(() => void controller.checkHost().catch(() => undefined), HOST_CHECK_MS);
  browser.alarms.create(WATCHDOG_ALARM, { periodInMinutes: 0.5 });
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === WATCHDOG_ALARM) ensureHost();
  });

  // Every wake of the worker checks the host too: it may have died while the worker slept.
  ensureHost();
});
