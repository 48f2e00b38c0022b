/**
 * Probes that measure, during an attack, how the views and the node host fare: a view's requests timed
 * by the page's own clock, the longest stall of a page's or this process's main thread, and a bound on
 * waiting that counts only time this process could have heard an answer in.
 */
import type { Page } from 'puppeteer';

/**
 * Rejects if `promise` has not settled within `ms`: a view that stops answering fails the test, not the
 * run. Only time this process could have heard an answer in counts: a stall of our own event loop (a
 * GUN relay and a Node peer run in it) is not the view's silence.
 */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let waited = 0;
    let last = Date.now();
    const timer = setInterval(() => {
      const now = Date.now();
      waited += Math.min(now - last, 1000);
      last = now;
      if (waited >= ms) {
        clearInterval(timer);
        reject(new Error(`${what}: no answer within ${ms} ms`));
      }
    }, 250);
    promise.then(
      (value) => {
        clearInterval(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearInterval(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

interface ViewProbe {
  rounds: number;
  slowestMs: number;
  /** How long the request in flight has waited, ms (0 when none is). */
  pendingMs: number;
  failures: string[];
}

/**
 * Starts, inside an extension page, a request to the background every 250 ms (settings:get), timed by
 * the page's own clock: how the view fares, whatever this process is busy with.
 */
export async function startViewProbe(page: Page): Promise<() => Promise<ViewProbe>> {
  await page.evaluate(() => {
    type Probe = { rounds: number; slowestMs: number; since: number | null; failures: string[]; stop: boolean };
    const probe: Probe = { rounds: 0, slowestMs: 0, since: null, failures: [], stop: false };
    (globalThis as unknown as { hostileProbe: Probe }).hostileProbe = probe;
    const tick = async () => {
      if (probe.stop) return;
      const t = performance.now();
      probe.since = t;
      try {
        const reply = (await chrome.runtime.sendMessage({ v: 1, to: 'background', type: 'settings:get' })) as { ok?: boolean } | undefined;
        if (!reply?.ok) probe.failures.push(JSON.stringify(reply));
      } catch (error) {
        probe.failures.push(String(error));
      }
      const took = performance.now() - t;
      // A generous bound on "answers": far past any answer on a loaded machine.
      if (took > 15_000) probe.failures.push(`settings:get answered after ${Math.round(took)} ms`);
      probe.slowestMs = Math.max(probe.slowestMs, took);
      probe.rounds++;
      probe.since = null;
      setTimeout(tick, 250);
    };
    void tick();
  });
  return () =>
    page.evaluate(() => {
      const probe = (globalThis as unknown as { hostileProbe: { rounds: number; slowestMs: number; since: number | null; failures: string[]; stop: boolean } }).hostileProbe;
      probe.stop = true;
      return { rounds: probe.rounds, slowestMs: Math.round(probe.slowestMs), pendingMs: probe.since === null ? 0 : Math.round(performance.now() - probe.since), failures: probe.failures };
    });
}

/** Measures the longest stall of a page's main thread (a 50 ms timer that fires late). */
export async function startStallProbe(page: Page): Promise<() => Promise<number>> {
  await page.evaluate(() => {
    const state = { last: performance.now(), worst: 0, timer: 0 as unknown };
    (globalThis as unknown as { hostileStall: typeof state }).hostileStall = state;
    state.timer = setInterval(() => {
      const now = performance.now();
      state.worst = Math.max(state.worst, now - state.last - 50);
      state.last = now;
    }, 50);
  });
  return () =>
    page.evaluate(() => {
      const state = (globalThis as unknown as { hostileStall: { worst: number; timer: ReturnType<typeof setInterval> } }).hostileStall;
      clearInterval(state.timer);
      return Math.round(state.worst);
    });
}

/** The same for this process. */
export function startOwnStallProbe(): () => number {
  let last = Date.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = Date.now();
    worst = Math.max(worst, now - last - 50);
    last = now;
  }, 50);
  return () => {
    clearInterval(timer);
    return worst;
  };
}
