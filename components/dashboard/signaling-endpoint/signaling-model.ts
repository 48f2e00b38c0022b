/**
 * `Stop signaling` / `Resume signaling` and `Retry now` of the Signaling endpoint region (issue 6).
 * Stopping asks first (for 15 minutes, for 1 hour, until resumed); the desired stop applies at once
 * (optimistic, node-model.ts) and the region says where the node is on its way there ("Stopping…",
 * "will apply when connected") and when signaling resumes by itself ("resumes in 14:32").
 */
import { computed, signal, type ReadonlySignal } from '@preact/signals';
import { runAction, type ActionStatus } from '../../ui/action-status';
import type { ConfirmModel } from '../../ui/confirm-model';
import { formatCountdown, formatSpan } from '../../ui/format';
import { stopInForce } from '../../client/node-model';
import type { DashboardNodeModel } from '../snapshot-parts';
import type { ViewClient } from '../../client/view-client';

function timedStop<V extends string>(value: V, ms: number) {
  return { value, label: `for ${formatSpan(ms)}`, ms };
}

const STOP_CHOICES = [
  timedStop('15m', 15 * 60_000),
  timedStop('1h', 60 * 60_000),
  { value: 'resume', label: 'until I resume', ms: null },
] as const;

type StopChoice = (typeof STOP_CHOICES)[number]['value'];

export interface SignalingStopView {
  /** Signaling stopped by the user, as desired (or as the node reports before the settings load). */
  stopped: boolean;
  /** What to say about it; '' when signaling runs as it should. */
  text: string;
  /** The countdown part of `text`, shown in its own timer element; '' without one. */
  countdown: string;
}

export interface SignalingModel {
  /** null until the settings or the first snapshot say anything. */
  readonly stop: ReadonlySignal<SignalingStopView | null>;
  /** `Retry now` is offered: signaling is down, not by the user's choice. */
  readonly canRetry: ReadonlySignal<boolean>;
  readonly status: ReadonlySignal<ActionStatus | null>;
  /** Asks how long, then stops. Resolves true when stopped. Never rejects. */
  stopSignaling(): Promise<boolean>;
  resume(): Promise<void>;
  retry(): Promise<void>;
  dispose(): void;
}

/** The desired stop for a choice made at `now`. */
export function stopFor(choice: StopChoice, now: number): { until: number | null } {
  const option = STOP_CHOICES.find((c) => c.value === choice) ?? STOP_CHOICES[0];
  return { until: option.ms === null ? null : now + option.ms };
}

export function createSignalingModel(
  node: Pick<DashboardNodeModel, 'signaling' | 'signalingStop' | 'setSignalingStop' | 'hostReachable' | 'enabled' | 'now'>,
  client: Pick<ViewClient, 'request'>,
  confirm: Pick<ConfirmModel, 'ask'>,
  options: { now?: () => number } = {},
): SignalingModel {
  const readNow = options.now ?? Date.now;
  const status = signal<ActionStatus | null>(null);
  /** Aborted by dispose(): replies still on their way then write nothing. */
  const scope = new AbortController();

  const stop = computed<SignalingStopView | null>(() => {
    const observed = node.signaling.value;
    const desired = node.signalingStop.value;
    if (!observed && desired === undefined) return null;
    const now = node.now.value;
    // Before the settings load the node's own report is the best guess of what is desired.
    const wanted = desired === undefined ? (observed?.stoppedByUser ?? false) : stopInForce(desired, now);
    const applied = observed?.stoppedByUser ?? null;
    const later = !node.hostReachable.value && applied !== null && applied !== wanted;
    if (!wanted) {
      if (applied === true) return { stopped: false, text: later ? 'Resume: will apply when connected to the node.' : 'Resuming…', countdown: '' };
      return { stopped: false, text: '', countdown: '' };
    }
    if (applied === false) return { stopped: true, text: later ? 'Stop: will apply when connected to the node.' : 'Stopping…', countdown: '' };
    const until = desired === undefined ? (observed?.stoppedUntil ?? null) : (desired?.until ?? null);
    if (until === null) return { stopped: true, text: 'Signaling stopped until you resume.', countdown: '' };
    return { stopped: true, text: 'Signaling stopped: resumes in', countdown: formatCountdown(until - now) };
  });

  const canRetry = computed(() => {
    const s = node.signaling.value;
    if (!s || node.enabled.value === false || stop.value?.stopped || s.stoppedByUser) return false;
    return s.state === 'disconnected' || s.state === 'error' || (s.state === 'connecting' && s.attempts > 0);
  });

  return {
    stop,
    canRetry,
    status,
    async stopSignaling() {
      const answer = await confirm.ask({
        title: 'Stop signaling?',
        message: 'This node leaves the signaling server: open connections stay, but no new peer can reach it and it dials no one.',
        destructive: true,
        choices: { legend: 'Stop signaling', options: STOP_CHOICES, initial: '15m' },
      });
      if (!answer.confirmed || scope.signal.aborted) return false;
      status.value = null;
      await node.setSignalingStop(stopFor((answer.choice ?? '15m') as StopChoice, readNow()));
      return true;
    },
    async resume() {
      status.value = null;
      await node.setSignalingStop(null);
    },
    async retry() {
      await runAction(
        status,
        { action: 'retry signaling', pending: 'Retrying the signaling server now…', done: () => 'Retrying now: the state above follows.', signal: scope.signal },
        () => client.request({ type: 'node:retry-signaling' }, { signal: scope.signal }),
      );
    },
    dispose() {
      scope.abort();
    },
  };
}
