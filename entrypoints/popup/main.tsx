// The browser's own promise-based API (chrome.* in MV3, browser.* in Firefox): the popup needs no
// polyfill, and its 20 KB budget has no room for one (polish.json).
import { browser } from 'wxt/browser';
import { effect } from '@preact/signals';
import { render } from 'preact';
import { Popup } from '../../components/popup/Popup';
import { createConfirmModel } from '../../components/ui/confirm-model';
import { createNodeModel } from '../../components/client/node-model';
import { createViewClient } from '../../components/client/view-client';
import { countFaults } from '../../core/lib/fault-counter';
import '../../assets/meshdeck.css';

// Test builds count what escaped every handler here (the e2e suites fail on any).
if (import.meta.env.WXT_INSTRUMENT === '1') Object.assign(globalThis, { meshdeckFaults: countFaults(globalThis) });

// The popup shows no history and no log: it observes a summary.
const client = createViewClient(browser.runtime, { scope: 'summary' });
const model = createNodeModel(client);
const confirm = createConfirmModel();

function openDashboard(): void {
  // openOptionsPage focuses the dashboard tab when it is already open (options_ui.open_in_tab).
  browser.runtime.openOptionsPage().catch((error: unknown) => model.reportError('open the Node Dashboard', error));
}

const app = document.getElementById('app');
if (app) render(<Popup model={model} confirm={confirm} onOpenDashboard={openDashboard} />, app);

if (import.meta.env.WXT_INSTRUMENT === '1') markFirstStats();

addEventListener('pagehide', () => {
  confirm.dispose();
  model.dispose();
  client.close();
});

// For the benchmark (bench/): when the first real snapshot's figures are on screen. Preact re-renders
// on a microtask after the signal changes, so look in the next frame (a hidden page gets no frames:
// use a timer there), and keep looking until they are.
function markFirstStats(): void {
  const nextFrame = (fn: () => void) => (document.hidden ? setTimeout(fn, 16) : requestAnimationFrame(fn));
  const stopWatching = effect(() => {
    if (!model.snapshot.value) return;
    queueMicrotask(() => stopWatching());
    const mark = () => {
      if (!document.querySelector('[data-stat="peers"]')) return void nextFrame(mark);
      document.documentElement.dataset.firstStatsAt ??= String(performance.now());
    };
    nextFrame(mark);
  });
}
