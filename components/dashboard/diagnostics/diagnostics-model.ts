/**
 * The Diagnostics panel's model: health indicators, each with a status in words (issue 4: signaling,
 * relays, peers ≥ 1, host alive, handshakes failing), and `Download diagnostics`.
 */
import { FALLBACK_NAMES } from '../connections/connections-model';
import { signal, type ReadonlySignal } from '@preact/signals';
import type { DiagnosticsReport } from '../../../core/control/protocol';
import { runAction, type ActionStatus } from '../../ui/action-status';
import { countOf, formatDuration, formatPeriod } from '../../ui/format';
import { RECENT_STEP_MS } from '../networking-stats/stats-history-model';
import type { DashboardNodeModel } from '../snapshot-parts';
import { stableComputed } from '../../ui/stable';
import type { ViewClient } from '../../client/view-client';

type HealthKey = 'signaling' | 'fallback-gun' | 'fallback-tracker' | 'relays' | 'peers' | 'host' | 'handshakes' | 'settings';

export interface HealthIndicator {
  key: HealthKey;
  label: string;
  /** true healthy, false a problem, null not applicable now (the node is off, nothing known yet). */
  ok: boolean | null;
  text: string;
}

export interface DiagnosticsModel {
  readonly health: ReadonlySignal<readonly HealthIndicator[]>;
  readonly exportStatus: ReadonlySignal<ActionStatus | null>;
  /** Asks the node for its diagnostics and saves them as a JSON file. Never rejects. */
  download(): Promise<void>;
  dispose(): void;
}

/** The host posts a history tick every second: silence for longer than this means it is stuck or gone. */
const HOST_SILENCE_MS = 5000;
/** "Handshakes failing": refusals counted within this window. */
const REFUSAL_WINDOW_MS = 60_000;

export type SaveFile = (filename: string, text: string) => void;

/** Saves `text` as a download (Blob + a[download]): no `downloads` permission needed. */
export const saveWithLink: SaveFile = (filename, text) => {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later: Chromium starts the download asynchronously after click().
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
};

/** "meshdeck-diagnostics-2026-05-01T12-30-05.json" (UTC). */
export function diagnosticsFilename(at: number): string {
  return `meshdeck-diagnostics-${new Date(at).toISOString().slice(0, 19).replace(/:/g, '-')}.json`;
}

/**
 * Counts refusals within the window from samples of the running total `[at, total]` (oldest first).
 * A total lower than before means the host restarted and counts from 0 again.
 */
export function refusalsWithin(samples: readonly (readonly [number, number])[], now: number, windowMs = REFUSAL_WINDOW_MS): number {
  let count = 0;
  for (let i = 1; i < samples.length; i++) {
    const [at, total] = samples[i]!;
    const before = samples[i - 1]![1];
    if (at > now - windowMs) count += total >= before ? total - before : total;
  }
  return count;
}

export function createDiagnosticsModel(
  node: Pick<DashboardNodeModel, 'signaling' | 'rendezvous' | 'totals' | 'enabled' | 'hostReachable' | 'snapshotReceivedAt' | 'now'>,
  lastTickAt: ReadonlySignal<number | null>,
  client: Pick<ViewClient, 'request' | 'onProblems'>,
  options: { save?: SaveFile; now?: () => number } = {},
): DiagnosticsModel {
  /** Null until the node host told us: the background's verdict on the stored desired state. */
  const problems = signal<readonly string[] | null>(null);
  const stopProblems = client.onProblems((list) => (problems.value = list));
  const save = options.save ?? saveWithLink;
  const readNow = options.now ?? Date.now;
  const exportStatus = signal<ActionStatus | null>(null);
  /** Aborted by dispose(): replies still on their way then write nothing. */
  const scope = new AbortController();

  // Samples of handshakesRefused, kept for the window; the first is the baseline.
  let samples: [number, number][] = [];
  const stopSampling = node.totals.subscribe((totals) => {
    if (!totals) return;
    const last = samples[samples.length - 1];
    if (last && last[1] === totals.handshakesRefused) return;
    const at = readNow();
    samples.push([at, totals.handshakesRefused]);
    // Keep one sample older than the window as the baseline for the first change within it.
    const cut = samples.findIndex(([t]) => t > at - REFUSAL_WINDOW_MS);
    if (cut > 1) samples = samples.slice(cut - 1);
  });

  const health = stableComputed<readonly HealthIndicator[]>(() => {
    const now = node.now.value;
    const enabled = node.enabled.value;
    const signaling = node.signaling.value;
    const rendezvous = node.rendezvous.value;
    const totals = node.totals.value;
    const off = enabled === false;
    const list: HealthIndicator[] = [];

    if (!signaling) list.push({ key: 'signaling', label: 'Signaling', ok: null, text: 'Not known yet: waiting for the node.' });
    else if (off) list.push({ key: 'signaling', label: 'Signaling', ok: null, text: `${cap(signaling.state)}: the P2P network is off.` });
    else {
      const open = signaling.state === 'open';
      const attempts = signaling.attempts > 0 ? ` after ${countOf(signaling.attempts, 'attempt')}` : '';
      const error = !open && signaling.lastError ? ` Last error: ${signaling.lastError}` : '';
      list.push({ key: 'signaling', label: 'Signaling', ok: open, text: open ? 'Open.' : `${cap(signaling.state)}${attempts}.${error}` });
    }
    // A fallback is healthy while it can carry signals; the node needs it only when PeerJS is down.
    for (const fallback of signaling?.fallbacks ?? []) {
      const ready = fallback.state === 'open';
      const refused = fallback.refused > 0 ? ` ${countOf(fallback.refused, 'signal')} refused; last: ${fallback.lastError ?? 'unknown'}.` : '';
      const text = `${ready ? 'Ready' : cap(fallback.state)}: ${countOf(fallback.setUp, 'connection')} set up through the ${FALLBACK_NAMES[fallback.path]}.${refused}`;
      list.push({ key: fallback.path === 'tracker' ? 'fallback-tracker' : 'fallback-gun', label: `Fallback: ${FALLBACK_NAMES[fallback.path]}`, ok: off ? null : ready, text });
    }

    if (!rendezvous) list.push({ key: 'relays', label: 'Relays', ok: null, text: 'Not known yet: waiting for the node.' });
    else {
      const total = rendezvous.relays.length;
      const open = rendezvous.relays.filter((relay) => relay.state === 'open').length;
      const text = total === 0 ? 'No relay configured: use Change endpoint to add one.' : `${open} of ${countOf(total, 'relay')} open.`;
      list.push({ key: 'relays', label: 'Relays', ok: off ? null : open >= 1, text });
    }

    if (!totals) list.push({ key: 'peers', label: 'Peers', ok: null, text: 'Not known yet: waiting for the node.' });
    else {
      const text = totals.peers > 0 ? `${countOf(totals.peers, 'peer')} ready.` : 'No peer ready: is the signaling server reachable?';
      list.push({ key: 'peers', label: 'Peers', ok: off ? null : totals.peers >= 1, text });
    }

    const heard = Math.max(lastTickAt.value ?? 0, node.snapshotReceivedAt.value ?? 0);
    if (!node.hostReachable.value) {
      list.push({ key: 'host', label: 'Node host', ok: false, text: heard ? 'Not reachable: reconnecting…' : 'Not reachable yet: starting it…' });
    } else if (lastTickAt.value !== null && now - heard > HOST_SILENCE_MS) {
      list.push({ key: 'host', label: 'Node host', ok: false, text: `Silent for ${formatDuration(now - heard)}.` });
    } else {
      list.push({ key: 'host', label: 'Node host', ok: true, text: `Alive: reporting every ${formatPeriod(RECENT_STEP_MS)}.` });
    }

    if (!totals) list.push({ key: 'handshakes', label: 'Handshakes', ok: null, text: 'Not known yet: waiting for the node.' });
    else {
      const recent = refusalsWithin(samples, now);
      const within = `in the last ${formatPeriod(REFUSAL_WINDOW_MS)}`;
      const total = ` (${totals.handshakesRefused} since the node started)`;
      list.push({
        key: 'handshakes',
        label: 'Handshakes',
        ok: recent === 0,
        text: recent === 0 ? `None refused ${within}${total}.` : `${countOf(recent, 'handshake')} refused ${within}${total}.`,
      });
    }

    const stored = problems.value;
    if (!stored) list.push({ key: 'settings', label: 'Stored settings', ok: null, text: 'Not known yet: waiting for the node.' });
    else if (stored.length === 0) list.push({ key: 'settings', label: 'Stored settings', ok: true, text: 'Valid.' });
    else list.push({ key: 'settings', label: 'Stored settings', ok: false, text: `${cap(stored.join('; '))}.` });
    return list;
  });

  return {
    health,
    exportStatus,
    async download() {
      await runAction(
        exportStatus,
        { action: 'export the diagnostics', pending: 'Collecting the diagnostics…', done: (filename) => `Saved ${filename}.`, signal: scope.signal },
        async () => {
          const report: DiagnosticsReport = await client.request({ type: 'diagnostics:export' }, { signal: scope.signal });
          const filename = diagnosticsFilename(readNow());
          save(filename, `${JSON.stringify(report, null, 2)}\n`);
          return filename;
        },
      );
    },
    dispose() {
      scope.abort();
      stopSampling();
      stopProblems();
    },
  };
}

function cap(text: string): string {
  return text ? `${text[0]!.toUpperCase()}${text.slice(1)}` : text;
}
