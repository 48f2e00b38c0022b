/**
 * Real headless Firefox ESR with the built extension (.output/firefox-mv2), driven by puppeteer over
 * WebDriver BiDi (scripts/firefox-extension.ts). The node runs in the background page, which is no
 * puppeteer target: the tests reach its debug hook from an extension page through
 * `runtime.getBackgroundPage()`. A browser that cannot start throws: e2e tests never skip silently.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer';
import { launchFirefoxWithExtension, openExtensionPage } from '../../scripts/firefox-extension';
import { closeOrKill } from './extension-browser';
import { until } from './until';
import type { NodeSnapshot } from '../../core/node/observed-state';

/** The WebExtension API as an extension page sees it (named apart from puppeteer's Browser). */
interface WebExtGlobal {
  browser: {
    runtime: { getBackgroundPage(): Promise<unknown>; sendMessage(message: unknown): Promise<unknown> };
    storage: { local: { get(key: string): Promise<Record<string, unknown>> } };
  };
}

export interface FirefoxExtensionBrowser {
  browser: Browser;
  userDataDir: string;
  /**
   * An extension page kept open to read the background page from. Its `globalThis.meshdeck` is the
   * background page's debug hook, so helpers written for Chrome's offscreen document work on it.
   */
  probe(): Promise<Page>;
  openPopup(): Promise<Page>;
  openDashboard(): Promise<Page>;
  /** The node's observed state, read through the background page's debug hook. */
  snapshot(): Promise<NodeSnapshot>;
  /** Calls `method` of the background page's node (`meshdeck.host.node`); the result is copied as JSON. */
  callNode<T>(method: string, ...args: unknown[]): Promise<T>;
  /**
   * Resolves, in the background page's clock (performance.timeOrigin + now), when the node next reports
   * `event` about `nodeId`. Arm it before the action it should time.
   */
  nextPeerEvent(event: 'peer:ready' | 'peer:close', nodeId: string): Promise<number>;
  /** Sends a request to the background from an extension page, as a view would (core/control/protocol.ts). */
  request<T = unknown>(message: Record<string, unknown>): Promise<T>;
  /** How many times the background page started in this profile (test builds count it in storage.local). */
  backgroundBoots(): Promise<number>;
  /** Closes the browser; throws if the background page or a page counted a fault. */
  close(options?: { keepProfile?: boolean }): Promise<void>;
}

export async function launchFirefoxExtension(options: { userDataDir?: string } = {}): Promise<FirefoxExtensionBrowser> {
  const userDataDir = options.userDataDir ?? (await mkdtemp(path.join(tmpdir(), 'meshdeck-firefox-')));
  const browser = await launchFirefoxWithExtension({ userDataDir, headless: true });
  let probePage: Page | null = null;

  const probe = async (): Promise<Page> => {
    if (probePage) return probePage;
    const page = await openExtensionPage(browser, 'popup.html');
    // A getter, since a re-created host replaces the hook. Sent as text: a bundler that keeps function
    // names (tsx) would wrap the getter in a helper the page does not have.
    await page.evaluate(
      `browser.runtime.getBackgroundPage().then((background) => Object.defineProperty(globalThis, 'meshdeck', { get: () => background.meshdeck, configurable: true }))`,
    );
    probePage = page;
    return page;
  };

  // Runs in the probe page, which reaches the background page's objects directly (same extension).
  // The extension's CSP forbids eval there, so only fixed reads and node method calls are offered.
  const callNode = async <T,>(method: string, ...args: unknown[]): Promise<T> => {
    const page = await probe();
    const text = await page.evaluate(
      async (name: string, values: unknown[]) => {
        type Node = Record<string, (...a: unknown[]) => unknown>;
        const background = (await (globalThis as unknown as WebExtGlobal).browser.runtime.getBackgroundPage()) as unknown as { meshdeck?: { host?: { node?: Node | null } } };
        const node = background.meshdeck?.host?.node;
        if (!node) return 'null';
        return JSON.stringify((await node[name]!(...values)) ?? null);
      },
      method,
      args,
    );
    return JSON.parse(text) as T;
  };

  const readFaults = async (): Promise<{ count: number; samples: string[] } | null> => {
    const page = await probe();
    const text = await page.evaluate(async () => {
      const background = (await (globalThis as unknown as WebExtGlobal).browser.runtime.getBackgroundPage()) as unknown as { meshdeckFaults?: { count: number; samples: string[] } };
      const faults = background.meshdeckFaults;
      return JSON.stringify(faults ? { count: faults.count, samples: [...faults.samples] } : null);
    });
    return JSON.parse(text) as { count: number; samples: string[] } | null;
  };

  // Why there is no node: the host's last failed step and its recent log, read as the test sees them.
  const describeHost = async (): Promise<string> => {
    const page = await probe();
    return page
      .evaluate(async () => {
        type Log = { all(): { level: string; type: string; message: string }[] };
        const background = (await (globalThis as unknown as WebExtGlobal).browser.runtime.getBackgroundPage()) as unknown as {
          meshdeck?: { host?: { health: { failure: string | null }; log: Log } };
        };
        const host = background.meshdeck?.host;
        if (!host) return 'no node host in the background page';
        const log = host.log.all().slice(-8).map((entry) => `${entry.level} ${entry.type}: ${entry.message}`);
        return `host failure: ${host.health.failure ?? 'none'}; last log: ${log.join(' | ') || 'empty'}`;
      })
      .catch((error: unknown) => `the background page could not be read (${String(error)})`);
  };

  const host = {
    browser,
    userDataDir,
    probe,
    openPopup: () => openExtensionPage(browser, 'popup.html'),
    openDashboard: () => openExtensionPage(browser, 'options.html'),
    callNode,
    async snapshot() {
      const read = () => callNode<NodeSnapshot | null>('snapshot').catch(() => null);
      const snapshot = await until(read, 20_000, 'a running node in the Firefox background page').catch(async (error: Error) => {
        throw new Error(`${error.message}: ${await describeHost()}`);
      });
      return snapshot!;
    },
    async nextPeerEvent(event: 'peer:ready' | 'peer:close', nodeId: string): Promise<number> {
      const page = await probe();
      return page.evaluate(
        async (name: string, id: string) => {
          type Events = { on(name: string, listener: (payload: { remoteId?: string; nodeId?: string }) => void): () => void };
          const background = (await (globalThis as unknown as WebExtGlobal).browser.runtime.getBackgroundPage()) as unknown as { meshdeck: { host: { node: { events: Events } } } };
          return new Promise<number>((resolve) => {
            const off = background.meshdeck.host.node.events.on(name, (payload) => {
              if ((payload.remoteId ?? payload.nodeId) !== id) return;
              off();
              resolve(performance.timeOrigin + performance.now());
            });
          });
        },
        event,
        nodeId,
      );
    },
    async request<T = unknown>(message: Record<string, unknown>): Promise<T> {
      const page = await probe();
      const reply = (await page.evaluate((m) => (globalThis as unknown as WebExtGlobal).browser.runtime.sendMessage({ v: 1, to: 'background', ...m }), message)) as
        | { ok: true; value: T }
        | { ok: false; error: { message: string } };
      if (!reply.ok) throw new Error(reply.error.message);
      return reply.value;
    },
    async backgroundBoots() {
      const page = await probe();
      return page.evaluate(async () => Number((await (globalThis as unknown as WebExtGlobal).browser.storage.local.get('meshdeck:test:background-boots'))['meshdeck:test:background-boots'] ?? 0));
    },
    async close({ keepProfile = false } = {}) {
      const faults = await readFaults().catch((error: unknown) => ({
        count: 1,
        samples: [`reading faults: ${String(error)}`],
      }));
      await closeOrKill(browser);
      if (!keepProfile && !options.userDataDir) await rm(userDataDir, { recursive: true, force: true });
      if (!faults) throw new Error('the Firefox background page has no fault counter: not a test build?');
      if (faults.count > 0) throw new Error(`unhandled errors in the Firefox background page: ${faults.count} (${faults.samples.join(' | ')})`);
    },
  };
  return host;
}

/** The ready connections and their handshake times, sorted: the same list means the same connections. */
export const readyHandshakes = (snapshot: NodeSnapshot): [string, number | null][] =>
  snapshot.peers
    .filter((p) => p.state === 'ready')
    .map((p): [string, number | null] => [p.nodeId, p.lastHandshakeAt])
    .sort();

/**
 * Waits until `count` connections are ready and stay the same ones over `quietMs`: when two nodes
 * dial each other at once, the connection dialled by the smaller ID replaces the other a moment after
 * both were ready, with a new handshake.
 */
export async function settledConnections(node: Pick<FirefoxExtensionBrowser, 'snapshot'>, count: number, timeoutMs = 60_000, quietMs = 5000): Promise<NodeSnapshot> {
  const read = async () => {
    const first = await node.snapshot();
    if (readyHandshakes(first).length !== count) return { handshakes: readyHandshakes(first), settled: null };
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const second = await node.snapshot();
    const same = JSON.stringify(readyHandshakes(second)) === JSON.stringify(readyHandshakes(first));
    return { handshakes: readyHandshakes(first), settled: same ? second : null };
  };
  const { settled } = await until(read, timeoutMs, `${count} settled connections`, (r) => r.settled !== null, { everyMs: 250 });
  return settled!;
}
