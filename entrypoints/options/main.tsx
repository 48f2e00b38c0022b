// The sheets first: each view's own styles, imported with it, come after them and may refine them.
import '../../assets/meshdeck.css';
import '../../assets/dashboard.css';
import { browser } from 'wxt/browser';
import { dashboardSections } from '../../components/dashboard/overview/SectionNav';
import { effect } from '@preact/signals';
import { render } from 'preact';
import { Dashboard } from '../../components/dashboard/Dashboard';
import { createDashboardModel } from '../../components/dashboard/dashboard-model';
import { createViewClient, firstHeard } from '../../components/client/view-client';
import { pageSocketRuntime } from '../../components/client/socket-runtime';
import { countFaults } from '../../core/lib/fault-counter';
import { indexedDbBlobStore } from '../../core/files/blob-store';

// Test builds count what escaped every handler here (the e2e suites fail on any).
if (import.meta.env.WXT_INSTRUMENT === '1') Object.assign(globalThis, { meshdeckFaults: countFaults(globalThis) });

// In the extension, the runtime; served by meshdeck-node (a plain page), its view socket.
const headless = !browser?.runtime?.id;
const client = createViewClient(headless ? pageSocketRuntime(window) : browser.runtime);
// Files go to the node host through IndexedDB, which this page and the host share (one origin).
const model = createDashboardModel(client, { blobs: indexedDbBlobStore(indexedDB), headless });

// Chrome runs the node host (the offscreen document) on this page's renderer thread: rendering the
// whole dashboard before the host's first snapshot would hold that snapshot back, then render every
// panel twice. So render once the host is heard from, or proves unreachable, or is slow to answer.
const HOST_ANSWER_WAIT_MS = 300;
const app = document.getElementById('app');
if (app) void firstHeard(client, HOST_ANSWER_WAIT_MS).then(() => render(<Dashboard model={model} />, app));

if (import.meta.env.WXT_INSTRUMENT === '1') markFirstRender();

addEventListener('pagehide', () => {
  model.dispose();
  client.close();
});

// For the benchmark (bench/dashboard.ts): when the first real snapshot is on screen in every panel.
// Preact re-renders on a microtask after the signal changes and bound texts a microtask later, so look
// in the next frame (a hidden page gets no frames: use a timer there) and keep looking until they are.
function markFirstRender(): void {
  // Every section of the navigation, and the overview.
  const panels = dashboardSections(model).length + 1;
  const nextFrame = (fn: () => void) => (document.hidden ? setTimeout(fn, 16) : requestAnimationFrame(fn));
  const stopWatching = effect(() => {
    if (!model.node.snapshot.value) return;
    queueMicrotask(() => stopWatching());
    const mark = () => {
      const rendered =
        document.querySelectorAll('section.panel[aria-labelledby]').length >= panels &&
        document.querySelector('[data-overview="health"]') !== null &&
        document.querySelector('[data-field="node-id"] code') !== null &&
        document.querySelector('.connections tbody tr[data-node-id], .connections tbody td.empty') !== null &&
        !document.querySelector('[data-field="signaling-state"]')?.textContent?.startsWith('unknown');
      if (!rendered) return void nextFrame(mark);
      document.documentElement.dataset.firstRenderAt ??= String(performance.now());
    };
    nextFrame(mark);
  });
}
