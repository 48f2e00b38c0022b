/**
 * The controller context: owns desired state and keeps the node host alive (core/control/controller.ts).
 * Thin on purpose: everything here is wiring of browser events to the controller.
 */
import browser from 'webextension-polyfill';
import { defineBackground } from 'wxt/utils/define-background';
import { isIdListKey } from '../../core/blocklist/block-list';
import { Controller } from '../../core/control/controller';
import { USER_KEY_STORAGE } from '../../core/identity/identity-store';
import { indexedDbNodeKeyStore } from '../../core/identity/node-key-store';
import { errorReply, HOST_CHECK_MS, okReply, type Reply, type Request } from '../../core/control/protocol';
import { parseRequest } from '../../core/control/protocol-guard';
import { defaultSettings, type BuildEnvironment } from '../../core/settings/settings';
import { countFaults } from '../../core/lib/fault-counter';
// The offscreen document (Chrome) or this very page (Firefox): chosen by the build, in wxt.config.ts.
import { createNodeHostPlace } from '#node-host-place';
import { storageArea } from './storage-area';
import { syncArrivals } from './sync-arrivals';
import { browserToolbar } from './toolbar';
import { errorText } from '../../core/lib/error-text';

const WATCHDOG_ALARM = 'meshdeck:watchdog';

export default defineBackground({
  // Firefox (MV2): the node lives in this page, and an MV3 event page would be suspended after 30 s
  // idle with its connections open (docs/firefox.md). Chrome's MV3 service worker ignores it.
  persistent: true,
  main,
});

function main(): void {
  // Test builds count what escaped every handler here (the e2e suites fail on any).
  // A host in this page installed them already (host-place/instrument.ts).
  if (import.meta.env.WXT_INSTRUMENT === '1' && !('meshdeckFaults' in globalThis)) Object.assign(globalThis, { meshdeckFaults: countFaults(globalThis) });
  // Test builds count the background's starts: in Firefox each one is a restart of the node host,
  // which the idle e2e must see (an attached DevTools would stop the suspension it looks for).
  if (import.meta.env.WXT_INSTRUMENT === '1') countBackgroundBoot().catch((error: unknown) => console.error('meshdeck: boot not counted', error));

  const controller: Controller = new Controller({
    local: storageArea(browser.storage.local),
    sync: storageArea(browser.storage.sync),
    host: createNodeHostPlace((request: Request): Promise<Reply> => controller.handle(request).then(okReply, errorReply)),
    keys: indexedDbNodeKeyStore(indexedDB),
    arrivals: syncArrivals(),
    defaults: defaultSettings(import.meta.env as BuildEnvironment),
    toolbar: browserToolbar(),
  });
  /** Runs background work whose failure nobody awaits: it goes to the event log, never nowhere. */
  const logFailure = (what: string) => (error: unknown) =>
    controller.report('error', 'background:fault', `${what} failed: ${errorText(error)}`);

  const ensureHost = (): void => {
    controller.ensureHost().catch(logFailure('starting the node host'));
  };
  browser.runtime.onStartup.addListener(ensureHost);
  browser.runtime.onInstalled.addListener(ensureHost);

  // A block or trust list edit (or the user key) from another tab or browser reaches the node host within a second.
  browser.storage.onChanged.addListener((changes, area) => {
    if (area !== 'sync' && area !== 'local') return;
    if (!Object.keys(changes).some((key) => isIdListKey(key) || key === USER_KEY_STORAGE)) return;
    controller.onStorageChanged(area, changes).catch(logFailure('merging a storage change'));
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

  // The host keeps this worker awake (host:alive); while awake, it checks the host is still there,
  // beating and applying its configuration, and re-creates it if not. The alarm covers a worker
  // stopped with its host.
  setInterval(() => controller.checkHost().catch(logFailure('checking the node host')), HOST_CHECK_MS);
  browser.alarms.create(WATCHDOG_ALARM, { periodInMinutes: 0.5 }).catch(logFailure('setting the watchdog alarm'));
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === WATCHDOG_ALARM) ensureHost();
  });

  // Every wake of the worker checks the host too: it may have died while the worker slept.
  ensureHost();
}

const BOOTS_KEY = 'meshdeck:test:background-boots';

async function countBackgroundBoot(): Promise<void> {
  const boots = Number((await browser.storage.local.get(BOOTS_KEY))[BOOTS_KEY] ?? 0);
  await browser.storage.local.set({ [BOOTS_KEY]: boots + 1 });
}
