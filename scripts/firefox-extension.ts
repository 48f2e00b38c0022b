/**
 * Starts Debian's Firefox ESR with the built extension (.output/firefox-mv2), driven by puppeteer over
 * WebDriver BiDi, with the prefs WebRTC on loopback needs and Firefox's own traffic turned off
 * (docs/firefox.md). While it runs, the namespace's lo carries the default route, which
 * Firefox's ICE needs (holdLoopbackDefaultRoute). Used by the e2e tests and the benchmarks.
 */
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer';
import { GECKO_ID } from './firefox-addon.mjs';
import { holdLoopbackDefaultRoute } from './loopback-namespace.mjs';

export const FIREFOX_EXTENSION_DIR = path.resolve('.output/firefox-mv2');
/** The moz-extension:// host of the extension in every test profile (pref extensions.webextensions.uuids). */
export const FIREFOX_EXTENSION_UUID = '6d1f7a52-4c1e-4b8e-9a51-6d6573686465';
export const FIREFOX_ORIGIN = `moz-extension://${FIREFOX_EXTENSION_UUID}`;

export function firefoxPath(): string {
  return process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
}

export interface FirefoxOptions {
  userDataDir: string;
  headless: boolean;
}

export async function launchFirefoxWithExtension({ userDataDir, headless }: FirefoxOptions): Promise<Browser> {
  const releaseRoute = holdLoopbackDefaultRoute();
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: firefoxPath(),
    headless,
    userDataDir,
    defaultViewport: headless ? undefined : null,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    // Lets a page opened by puppeteer load moz-extension:// URLs.
    args: ['--remote-allow-system-access'],
    // Release builds ignore services.settings.server without it and keep resolving Mozilla's hosts.
    env: { ...process.env, MOZ_DISABLE_NONLOCAL_CONNECTIONS: '1' },
    extraPrefsFirefox: {
      'media.peerconnection.ice.loopback': true,
      'media.peerconnection.ice.obfuscate_host_addresses': false,
      'services.settings.server': 'http://127.0.0.1:9/',
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: FIREFOX_EXTENSION_UUID }),
      // A temporary add-on is uninstalled when Firefox closes: keep its storage and its UUID so that a
      // restarted profile finds its block list, as an installed add-on would.
      'extensions.webextensions.keepStorageOnUninstall': true,
      'extensions.webextensions.keepUuidOnUninstall': true,
    },
  }).catch((error: unknown) => {
    releaseRoute();
    throw error;
  });
  browser.once('disconnected', releaseRoute);
  // Firefox is driven over a WebSocket, not a pipe (as Chromium is): it would outlive a launcher that
  // dies on an uncaught error, and join the next suite's mesh. Killed with it instead.
  const killOnExit = (): void => void browser.process()?.kill('SIGKILL');
  process.once('exit', killOnExit);
  browser.once('disconnected', () => process.off('exit', killOnExit));
  try {
    await browser.installExtension(FIREFOX_EXTENSION_DIR);
  } catch (error) {
    await browser.close();
    throw error;
  }
  return browser;
}

/**
 * Opens an extension page in a new tab. With --remote-allow-system-access the navigation loads but
 * never resolves (docs/firefox.md): start it, then wait until the page is there.
 */
export async function openExtensionPage(browser: Browser, file: string): Promise<Page> {
  const page = await browser.newPage();
  const url = `${FIREFOX_ORIGIN}/${file}`;
  page.goto(url, { timeout: 1000 }).catch(() => undefined);
  const end = Date.now() + 20_000;
  for (;;) {
    const href = await page.evaluate(() => location.href).catch(() => '');
    if (href.startsWith(url) && (await page.evaluate(() => document.readyState).catch(() => '')) === 'complete') return page;
    if (Date.now() > end) throw new Error(`${url} did not load within 20 s (at ${href || 'nothing'})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
