/**
 * Endpoint changes on trial (issue 6; core/control/endpoint-trial.ts): while the node tries new endpoints the
 * Signaling endpoint region asks "Keep these settings? Rolling back in 12 s" with `Keep these
 * settings` and `Revert now`; the settings history lists configurations that worked, each with
 * `Restore`.
 */
import { batch, computed, signal, type ReadonlySignal } from '@preact/signals';
import { endpointsOf, sameEndpoints, TRIAL_MS, type EndpointTrial, type Endpoints, type WorkingEndpoints } from '../../../core/control/endpoint-trial';
import type { Settings } from '../../../core/settings/settings';
import { runAction, type ActionStatus } from '../../ui/action-status';
import { describeError, type NodeModel } from '../../client/node-model';
import { formatDuration } from '../../ui/format';
import type { ViewClient } from '../../client/view-client';

export interface TrialModel {
  /** The trial on screen; null when none runs (or once the user answered it). */
  readonly trial: ReadonlySignal<EndpointTrial | null>;
  /** Whole seconds until the rollback; 0 once it is due. */
  readonly secondsLeft: ReadonlySignal<number>;
  readonly status: ReadonlySignal<ActionStatus | null>;
  /** Working configurations, newest first; null until loaded. */
  readonly history: ReadonlySignal<readonly WorkingEndpoints[] | null>;
  readonly historyStatus: ReadonlySignal<ActionStatus | null>;
  /** The desired endpoints (to mark the history entry in use). */
  readonly current: ReadonlySignal<Endpoints | null>;
  /** `Keep these settings`. Never rejects. */
  keep(): Promise<void>;
  /** `Revert now`. Never rejects. */
  revert(): Promise<void>;
  /** Reads the history (when the disclosure opens, and again after a trial ends). Never rejects. */
  loadHistory(): Promise<void>;
  /** Puts a configuration from the history back (a new trial). Never rejects. */
  restore(entry: WorkingEndpoints): Promise<void>;
  dispose(): void;
}

/** "Keep these settings? Rolling back in 12 s", or "…Rolling back now" once due. */
export function trialText(secondsLeft: number): string {
  return secondsLeft > 0 ? `Keep these settings? Rolling back in ${secondsLeft} s` : 'Keep these settings? Rolling back now…';
}

export function createTrialModel(
  node: Pick<NodeModel, 'now' | 'settings' | 'updateSettings'>,
  client: Pick<ViewClient, 'request' | 'onTrial'>,
): TrialModel {
  const reported = signal<EndpointTrial | null>(null);
  /** The deadline of a trial the user answered: hidden at once, before the host's word arrives. */
  const answered = signal<number | null>(null);
  const status = signal<ActionStatus | null>(null);
  const history = signal<readonly WorkingEndpoints[] | null>(null);
  const historyStatus = signal<ActionStatus | null>(null);
  /** Aborted by dispose(): replies still on their way then write nothing. */
  const scope = new AbortController();

  const trial = computed(() => {
    const t = reported.value;
    return t && t.deadline !== answered.value ? t : null;
  });
  const secondsLeft = computed(() => {
    const t = trial.value;
    return t ? Math.max(0, Math.ceil((t.deadline - node.now.value) / 1000)) : 0;
  });
  const current = computed(() => {
    const s = node.settings.value;
    return s ? endpointsOf(s) : null;
  });

  async function loadHistory(): Promise<void> {
    try {
      const list = await client.request({ type: 'settings:history' }, { signal: scope.signal });
      if (!scope.signal.aborted) batch(() => {
        history.value = list;
        historyStatus.value = null;
      });
    } catch (error) {
      if (!scope.signal.aborted) historyStatus.value = { kind: 'error', text: describeError('read the settings history', error) };
    }
  }

  const stop = client.onTrial((next) => {
    const ended = reported.peek() !== null && next === null;
    reported.value = next;
    // A trial that ended added its endpoints to the history (or not): show the history as it is now.
    if (ended && history.peek() !== null) void loadHistory();
  });

  async function answer(type: 'settings:keep' | 'settings:revert'): Promise<void> {
    const t = trial.peek();
    if (t) answered.value = t.deadline;
    const keep = type === 'settings:keep';
    await runAction(
      status,
      {
        action: keep ? 'keep the new endpoints' : 'go back to the previous endpoints',
        pending: keep ? 'Keeping the new endpoints…' : 'Going back to the previous endpoints…',
        done: () => (keep ? 'Kept: the new endpoints stay.' : 'Reverted: the node is back on the previous endpoints.'),
        signal: scope.signal,
      },
      () => client.request({ type }, { signal: scope.signal }),
    ).then((value) => {
      // Refused or unanswered: the question comes back while the trial runs.
      if (value === null && !scope.signal.aborted) answered.value = null;
    });
  }

  return {
    trial,
    secondsLeft,
    status,
    history,
    historyStatus,
    current,
    keep: () => answer('settings:keep'),
    revert: () => answer('settings:revert'),
    loadHistory,
    async restore(entry) {
      const endpoints = endpointsOf(entry as unknown as Settings);
      const now = current.peek();
      if (now && sameEndpoints(now, endpoints)) {
        historyStatus.value = { kind: 'ok', text: 'These are the endpoints in use already.' };
        return;
      }
      await runAction(
        historyStatus,
        {
          action: 'restore those endpoints',
          pending: `Restoring ${entry.signalingUrl}…`,
          done: () => `Restored ${entry.signalingUrl}: on trial for ${formatDuration(TRIAL_MS)}.`,
          signal: scope.signal,
        },
        () => node.updateSettings(endpoints),
      );
    },
    dispose() {
      scope.abort();
      stop();
    },
  };
}
