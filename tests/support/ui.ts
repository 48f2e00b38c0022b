/**
 * Driving the extension's views as a user does, through the accessible names of docs/ui-contract.md, for
 * e2e tests that need more than one click: turning the P2P network off now asks for confirmation
 * (issue 6), so tests that switch it use toggleP2P.
 */
import type { ElementHandle, Page } from 'puppeteer';
import type { ExtensionBrowser } from './extension-browser';
import { until } from './until';

export const P2P_SWITCH = '::-p-aria([name="Enable P2P network"][role="switch"])';

interface DashboardOptions {
  /**
   * The page's viewport: 1280 × 1000 unless given; null keeps the browser's own (800 × 600 headless),
   * which the benchmarks measured with.
   */
  viewport?: { width: number; height: number } | null;
  /**
   * `window` opens it in a window of its own, where it stays visible while another page is opened: a
   * tab behind another is hidden, gets no animation frames, and puppeteer's selectors (which poll on
   * them) would wait forever there.
   */
  type?: 'tab' | 'window';
}

/** Opens the Node Dashboard of `extension` in a new tab (or window); resolves once its first snapshot is on screen in every panel. */
export async function openDashboard(extension: ExtensionBrowser, { viewport = { width: 1280, height: 1000 }, type = 'tab' }: DashboardOptions = {}): Promise<Page> {
  const page = await extension.browser.newPage(type === 'window' ? { type: 'window' } : undefined);
  if (viewport) await page.setViewport(viewport);
  await page.goto(`chrome-extension://${extension.extensionId}/options.html`);
  await page.waitForFunction(() => document.documentElement.dataset.firstRenderAt, { timeout: 15_000, polling: 50 });
  return page;
}

/**
 * Sets the `Enable P2P network` switch of `page` (popup or dashboard) to `on`: clicks it and, when a
 * confirmation dialog opens (turning off), presses its `Confirm`. Resolves once the switch shows the
 * new desired state (aria-checked); does nothing when it shows it already.
 */
export async function toggleP2P(page: Page, on: boolean, timeoutMs = 5000): Promise<void> {
  const toggle = (await page.waitForSelector(P2P_SWITCH, { timeout: timeoutMs }))!;
  const checked = () => toggle.evaluate((el) => el.getAttribute('aria-checked') === 'true');
  // Disabled until the settings or the first snapshot arrive.
  await page.waitForFunction((el) => !(el as HTMLButtonElement).disabled, { timeout: timeoutMs }, toggle);
  if ((await checked()) === on) return;
  await toggle.click();
  const outcome = await page.waitForFunction(
    (el, want) => (document.querySelector('dialog[open]') ? 'dialog' : el.getAttribute('aria-checked') === String(want) ? 'done' : false),
    { timeout: timeoutMs, polling: 'mutation' },
    toggle,
    on,
  );
  if ((await outcome.jsonValue()) === 'dialog') await confirmDialog(page, timeoutMs);
  await page.waitForFunction((el, want) => el.getAttribute('aria-checked') === String(want), { timeout: timeoutMs, polling: 'mutation' }, toggle, on);
}

/** The open confirmation dialog (`dialog` or `alertdialog`). */
export async function openDialog(page: Page, timeoutMs = 5000): Promise<ElementHandle<HTMLDialogElement>> {
  return (await page.waitForSelector('dialog[open]', { timeout: timeoutMs })) as ElementHandle<HTMLDialogElement>;
}

/** Presses `Confirm` in the open dialog and waits for it to close. */
export async function confirmDialog(page: Page, timeoutMs = 5000): Promise<void> {
  await pressInDialog(page, 'Confirm', timeoutMs);
}

/** Presses `Cancel` in the open dialog and waits for it to close. */
export async function cancelDialog(page: Page, timeoutMs = 5000): Promise<void> {
  await pressInDialog(page, 'Cancel', timeoutMs);
}

async function pressInDialog(page: Page, name: 'Confirm' | 'Cancel', timeoutMs: number): Promise<void> {
  const dialog = await openDialog(page, timeoutMs);
  const button = (await dialog.waitForSelector(`::-p-aria([name="${name}"][role="button"])`, { timeout: timeoutMs }))!;
  await button.click();
  // Asked from here, not with page.waitForFunction, which a Firefox extension page refuses: over
  // WebDriver BiDi puppeteer builds its poller in the page with Function(), and the extension's CSP
  // blocks it ("call to Function() blocked by CSP", Firefox 140 ESR).
  await until(() => page.evaluate(() => !document.querySelector('dialog[open]')), timeoutMs, 'the dialog closes');
}
