/**
 * Starts Debian's Chromium with the built extension (.output/chrome-mv3) and the flags WebRTC on
 * loopback needs (docs/chromium.md). Used by the e2e tests, the benchmarks and `npm start`.
 */
import path from 'node:path';
import puppeteer, { type Browser } from 'puppeteer';

export const EXTENSION_DIR = path.resolve('.output/chrome-mv3');

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

export interface ChromiumOptions {
  userDataDir: string;
  headless: boolean;
}

export async function launchChromiumWithExtension({ userDataDir, headless }: ChromiumOptions): Promise<{ browser: Browser; extensionId: string }> {
  const browser = await puppeteer.launch({
    executablePath: chromiumPath(),
    headless,
    enableExtensions: true,
    userDataDir,
    defaultViewport: headless ? undefined : null,
    // Callers close the browser themselves (npm start's Ctrl-C handler stops peers and server too);
    // puppeteer's own handlers would kill it and exit the process first.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    // CDP over the browser's stdin/stdout, not a port: Chromium exits when that pipe closes, so a
    // browser cannot outlive a test process that died (a crashed worker's browser once joined the
    // next suites' mesh on the same port).
    pipe: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--allow-loopback-in-peer-connection',
      '--disable-features=WebRtcHideLocalIpsWithMdns',
      // gc() for heap measurements after a collection (leak test, robustness benchmark).
      '--js-flags=--expose-gc',
      `--disable-extensions-except=${EXTENSION_DIR}`,
      `--load-extension=${EXTENSION_DIR}`,
    ],
  });
  const worker = await browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'), { timeout: 20_000 });
  return { browser, extensionId: new URL(worker.url()).host };
}
