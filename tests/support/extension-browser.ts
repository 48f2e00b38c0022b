/**
 * Real Chromium with the built extension (.output/chrome-mv3), one profile per call, with the flags
 * that WebRTC on loopback needs (see docs/chromium.md). A browser that cannot start throws:
 * e2e tests never skip silently.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page, WebWorker } from 'puppeteer';
import { launchChromiumWithExtension } from '../../scripts/chromium-extension';
import type { NodeSnapshot } from '../../core/node/observed-state';

;

export interface ExtensionBrowser {
  browser: Browser;
  extensionId: string;
  userDataDir: string;
  worker(): Promise<WebWorker>;
  /** The offscreen document running the node. */
  host(): Promise<Page>;
  /** Opens the popup in a tab (the P2P tab, as the toolbar would show it). */
  openPopup(): Promise<Page>;
  /** The node's observed state, read through the extension's debug hook. */
  snapshot(): Promise<NodeSnapshot>;
  /** Uncaught errors and unhandled rejections counted so far in every live extension context. */
  faults(): Promise<ContextFaults[]>;
  /** Closes the browser; throws if any extension context counted a fault (issue 9: none may escape). */
  close(options?: { keepProfile?: boolean }): Promise<void>;
}

export interface ContextFaults {
  url: string;
  count: number;
  samples: string[];
}

export async function launchExtensionBrowser(options: { userDataDir?: string; headless?: boolean } = {}): Promise<ExtensionBrowser> {
  const userDataDir = options.userDataDir ?? (await mkdtemp(path.join(tmpdir(), 'meshdeck-profile-')));
  const { browser, extensionId } = await launchChromiumWithExtension({ userDataDir, headless: options.headless ?? true });
  const offscreenUrl = `chrome-extension://${extensionId}/offscreen.html`;
  const backgroundLines = await recordBackgroundConsole(browser, extensionId);

  const findHost = async (): Promise<Page> => {
    const target = await browser.waitForTarget((t) => t.url() === offscreenUrl, { timeout: 20_000 });
    const page = await target.asPage();
    // Offscreen documents get no animation frames: poll on a timer, not puppeteer's default rAF.
    await page.waitForFunction(() => Boolean((globalThis as { meshdeck?: { host?: { node?: unknown } } }).meshdeck?.host?.node), {
      timeout: 20_000,
      polling: 100,
    });
    return page;
  };
  const host = async (): Promise<Page> => {
    try {
      return await findHost();
    } catch (error) {
      // The background's watchdog re-creates a host that went away (a CI run once lost one while four
      // browsers started on two cores): the new one is the host now. The recovery is printed, never silent.
      const said = `the background said:\n${backgroundLines.join('\n') || '(nothing)'}`;
      if (!HOST_REPLACED.test((error as Error).message)) throw new Error(`the node host is not there: ${(error as Error).message}\n${said}`);
      console.warn(`meshdeck e2e: the node host was replaced while a test waited for it (${(error as Error).message})\n${said}`);
      return findHost();
    }
  };

  return {
    browser,
    extensionId,
    userDataDir,
    async worker() {
      const target = await browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().startsWith(`chrome-extension://${extensionId}/`));
      return (await target.worker())!;
    },
    host,
    async openPopup() {
      const page = await browser.newPage();
      await page.goto(`chrome-extension://${extensionId}/popup.html`);
      return page;
    },
    async snapshot() {
      const page = await host();
      return page.evaluate(() => (globalThis as unknown as { meshdeck: { host: { node: { snapshot(): NodeSnapshot } } } }).meshdeck.host.node.snapshot());
    },
    faults: () => readFaults(browser, extensionId),
    async close({ keepProfile = false } = {}) {
      const faults = await readFaults(browser, extensionId).catch((error: unknown) => [{ url: 'reading faults', count: 1, samples: [String(error)] }]);
      await closeOrKill(browser);
      if (!keepProfile && !options.userDataDir) await rm(userDataDir, { recursive: true, force: true });
      const found = faults.filter((f) => f.count > 0);
      if (found.length) throw new Error(`unhandled errors in the extension:\n${found.map((f) => `${f.url}: ${f.count} (${f.samples.join(' | ')})`).join('\n')}`);
    },
  };
}

/** What puppeteer says when the page it waited in has closed. */
const HOST_REPLACED = /frame got detached|target closed|session closed/i;
/** The last lines kept of the background's console. */
const BACKGROUND_LINES_KEPT = 40;

/** Keeps the last warnings and errors the extension's service worker printed, each with its time. */
async function recordBackgroundConsole(browser: Browser, extensionId: string): Promise<string[]> {
  const lines: string[] = [];
  const target = await browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().startsWith(`chrome-extension://${extensionId}/`));
  const worker = await target.worker();
  worker?.on('console', (message) => {
    if (message.type() !== 'warn' && message.type() !== 'error') return;
    lines.push(`${new Date().toISOString()} ${message.type()}: ${message.text()}`);
    if (lines.length > BACKGROUND_LINES_KEPT) lines.shift();
  });
  return lines;
}

/** A context that does not answer within this long is counted as a fault, not waited for. */
const FAULT_READ_TIMEOUT_MS = 5000;
/** A browser that has not closed within this long is killed: a leftover browser would join the next suite's mesh. */
const BROWSER_CLOSE_TIMEOUT_MS = 10_000;

/** Closes `browser`, or kills it when it has not closed within BROWSER_CLOSE_TIMEOUT_MS. */
export async function closeOrKill(browser: Browser): Promise<void> {
  const closed = browser.close().then(() => true, () => false);
  const timedOut = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), BROWSER_CLOSE_TIMEOUT_MS).unref());
  if (await Promise.race([closed, timedOut])) return;
  browser.process()?.kill('SIGKILL');
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

type FaultHolder = { meshdeckFaults?: { count: number; samples: string[] } };

/**
 * Reads the fault counters of the service worker, the offscreen document and every extension page
 * (core/lib/fault-counter.ts, installed in test builds). A context that closes while being read is
 * skipped; one that has no counter is reported, since every context of a test build installs one.
 */
async function readFaults(browser: Browser, extensionId: string): Promise<ContextFaults[]> {
  const origin = `chrome-extension://${extensionId}/`;
  const read = () => (globalThis as FaultHolder).meshdeckFaults ?? null;
  const results: ContextFaults[] = [];
  for (const target of browser.targets()) {
    if (!target.url().startsWith(origin)) continue;
    const kind = target.type();
    if (kind !== 'service_worker' && kind !== 'page' && kind !== 'background_page') continue;
    const reading = (async () => (kind === 'service_worker' ? (await target.worker())!.evaluate(read) : (await target.asPage())!.evaluate(read)))();
    try {
      const faults = await withTimeout(reading, FAULT_READ_TIMEOUT_MS, target.url());
      results.push(faults ? { url: target.url(), ...faults } : { url: target.url(), count: 1, samples: ['no fault counter: not a test build?'] });
    } catch (error) {
      // A context that went away while we read it (a test closed it) has nothing to count; one that is
      // still there but silent is a fault in itself.
      if (error instanceof Error && error.message.includes('did not answer')) results.push({ url: target.url(), count: 1, samples: [error.message] });
    }
  }
  return results;
}

/** What the popup shows, found by the accessible names of docs/ui-contract.md. */
export async function readPopup(page: Page): Promise<{ enabled: boolean; peers: number | null; strength: number }> {
  const toggle = await page.waitForSelector('::-p-aria([name="Enable P2P network"][role="switch"])');
  const stats = await page.waitForSelector('::-p-aria([name="Network stats"][role="region"])');
  const meter = await page.waitForSelector('::-p-aria([name="Connection strength"][role="meter"])');
  const enabled = await toggle!.evaluate((el) => el.getAttribute('aria-checked') === 'true');
  const peers = await stats!.evaluate((el) => el.querySelector('[data-stat="peers"]')?.textContent ?? null);
  const strength = await meter!.evaluate((el) => Number(el.getAttribute('aria-valuenow')));
  return { enabled, peers: peers === null ? null : Number(peers), strength };
}

/** Sends a request to the background from an extension page, as a view would (core/control/protocol.ts). */
export function request(page: Page, message: Record<string, unknown>): Promise<unknown> {
  return page.evaluate((m) => chrome.runtime.sendMessage({ v: 1, to: 'background', ...m }), message);
}

/**
 * Resolves, in the node host's clock (performance.timeOrigin + now), when the node next reports
 * `event` about `nodeId`. Arm it before the action it should time.
 */
export function nextPeerEvent(host: Page, event: 'peer:ready' | 'peer:close', nodeId: string): Promise<number> {
  return host.evaluate(
    (name, id) =>
      new Promise<number>((resolve) => {
        type Events = { on(name: string, listener: (payload: { remoteId?: string; nodeId?: string }) => void): () => void };
        const { node } = (globalThis as unknown as { meshdeck: { host: { node: { events: Events } } } }).meshdeck.host;
        const off = node.events.on(name, (payload) => {
          if ((payload.remoteId ?? payload.nodeId) !== id) return;
          off();
          resolve(performance.timeOrigin + performance.now());
        });
      }),
    event,
    nodeId,
  );
}
