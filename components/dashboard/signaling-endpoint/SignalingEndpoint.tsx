import { useComputed } from '@preact/signals';
import { useEffect, useId, useRef } from 'preact/hooks';
import type { CopyModel } from '../../ui/copy-model';
import { CopyButton } from '../../ui/CopyButton';
import { EndpointForm } from './EndpointForm';
import type { EndpointModel } from './endpoint-model';
import { countOf, formatDuration } from '../../ui/format';
import type { DashboardNodeModel } from '../snapshot-parts';
import { Panel } from '../../ui/Panel';
import { SettingsHistory } from './SettingsHistory';
import type { SignalingModel } from './signaling-model';
import { StatusLine } from '../../ui/StatusLine';
import { StopState } from './StopState';
import type { TrialModel } from './trial-model';
import { TrialPrompt } from './TrialPrompt';
import { FALLBACK_NAMES } from '../connections/connections-model';
import type { FallbackSignalingSnapshot } from '../../../core/node/observed-state';
import './signaling-endpoint.css';

interface SignalingEndpointProps {
  node: Pick<DashboardNodeModel, 'signaling' | 'settings' | 'identity' | 'now' | 'enabled'>;
  endpoint: EndpointModel;
  copy: CopyModel;
  signaling: SignalingModel;
  trial: TrialModel;
}

/** A fallback path in one line: whether it can set connections up, what it did, what it refused. */
function describeFallback(f: FallbackSignalingSnapshot): string {
  const waiting = f.path === 'tracker' ? 'waiting for a tracker' : 'waiting for a relay';
  const state = f.state === 'open' ? 'ready for nodes PeerJS cannot reach' : f.state === 'stopped' ? 'stopped' : waiting;
  const refused = f.refused > 0 ? `; ${countOf(f.refused, 'signal')} refused (last: ${f.lastError ?? 'unknown'})` : '';
  return `${state}; ${countOf(f.setUp, 'connection')} set up${refused}`;
}

const STATE_WORDS = { stopped: 'stopped', connecting: 'connecting', open: 'open', disconnected: 'disconnected', error: 'failed' } as const;

/**
 * The `Signaling endpoint` region: the PeerJS server in use, its state and for how long, this node's
 * and its user's IDs, reconnect attempts and the last error; `Stop signaling`/`Resume signaling`,
 * `Retry now` while it is down, and `Change endpoint` (the signaling URL and the relays, applied on a
 * 15 s trial with "Keep these settings?"); the settings history.
 */
export function SignalingEndpoint({ node, endpoint, copy, signaling: control, trial }: SignalingEndpointProps) {
  const id = useId();
  const changeButton = useRef<HTMLButtonElement>(null);
  const signaling = node.signaling.value;
  const identity = node.identity.value;
  const url = signaling?.url ?? node.settings.value?.signalingUrl ?? null;
  const editing = endpoint.editing.value;
  // The only part that changes every second: bound as text, so the panel does not re-render for it.
  const stateText = useComputed(() => {
    const s = node.signaling.value;
    if (!s) return 'unknown: connecting to the node…';
    return `${STATE_WORDS[s.state] ?? s.state} for ${formatDuration(Math.max(0, node.now.value - s.since))}`;
  });

  // Closing the form (saved or cancelled) puts the focus back on the button that opened it.
  const wasEditing = useRef(editing);
  useEffect(() => {
    if (wasEditing.current && !editing) changeButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  return (
    <Panel title="Signaling endpoint" area="signaling">
      <dl class="facts">
        <div>
          <dt>Endpoint</dt>
          <dd data-field="endpoint">{url ? <code class="id">{url}</code> : 'unknown'}</dd>
        </div>
        {(signaling?.endpoints ?? []).slice(1).map((endpoint) => (
          <div key={endpoint.url}>
            <dt>Also on</dt>
            <dd data-field="signaling-endpoint-more" data-state={endpoint.state}>
              <code class="id">{endpoint.url}</code> {STATE_WORDS[endpoint.state] ?? endpoint.state}
              {endpoint.lastError && endpoint.state !== 'open' ? `: ${endpoint.lastError}` : ''}
            </dd>
          </div>
        ))}
        <div>
          <dt>State</dt>
          <dd data-field="signaling-state" data-state={signaling?.state}>
            {stateText}
          </dd>
        </div>
        <div>
          <dt>Reconnects</dt>
          <dd data-field="signaling-attempts">
            {signaling ? (signaling.attempts > 0 ? `${countOf(signaling.attempts, 'attempt')} since it was last open` : 'none') : '—'}
          </dd>
        </div>
        <div>
          <dt>Last error</dt>
          <dd data-field="signaling-error">{signaling?.lastError ?? 'none'}</dd>
        </div>
        {(signaling?.fallbacks ?? []).map((fallback) => (
          <div key={fallback.path}>
            <dt>Fallback: {FALLBACK_NAMES[fallback.path]}</dt>
            <dd data-field={`fallback-${fallback.path}`} data-state={fallback.state}>
              {describeFallback(fallback)}
            </dd>
          </div>
        ))}
        <div>
          <dt>Node ID</dt>
          <dd data-field="node-id" class="id-line">
            {identity ? (
              <>
                <code class="id">{identity.nodeId}</code>
                <CopyButton copy={copy} text={identity.nodeId} copyKey="node-id" label="Copy node ID" />
              </>
            ) : (
              'unknown'
            )}
          </dd>
        </div>
        <div>
          <dt>User ID</dt>
          <dd data-field="user-id">{identity ? <code class="id">{identity.userId}</code> : 'unknown'}</dd>
        </div>
      </dl>
      <StopState signaling={control} />
      <div class="panel-actions">
        <StopButton signaling={control} />
        <RetryButton signaling={control} />
        <button
          type="button"
          class="button"
          ref={changeButton}
          aria-expanded={editing}
          aria-controls={editing ? `${id}-form` : undefined}
          onClick={() => (editing ? endpoint.cancel() : endpoint.open())}
        >
          Change endpoint
        </button>
      </div>
      <StatusLine status={control.status} />
      {editing ? <EndpointForm id={`${id}-form`} endpoint={endpoint} /> : <StatusLine status={endpoint.status} />}
      <TrialPrompt trial={trial} />
      <StatusLine status={trial.status} />
      <SettingsHistory trial={trial} now={node.now} />
    </Panel>
  );
}

/** `Stop signaling` (asks how long) or, while stopped, `Resume signaling`. */
function StopButton({ signaling }: { signaling: Pick<SignalingModel, 'stop' | 'stopSignaling' | 'resume'> }) {
  const stop = signaling.stop.value;
  const stopped = stop?.stopped ?? false;
  return (
    <button
      type="button"
      class="button"
      disabled={stop === null}
      onClick={() => void (stopped ? signaling.resume() : signaling.stopSignaling())}
    >
      {stopped ? 'Resume signaling' : 'Stop signaling'}
    </button>
  );
}

/** `Retry now`, while signaling is down by no choice of the user's: skips the reconnect backoff. */
function RetryButton({ signaling }: { signaling: Pick<SignalingModel, 'canRetry' | 'retry'> }) {
  if (!signaling.canRetry.value) return null;
  return (
    <button type="button" class="button" onClick={() => void signaling.retry()}>
      Retry now
    </button>
  );
}
