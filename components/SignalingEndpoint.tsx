import { useId } from 'preact/hooks';
import type { Settings } from '../core/settings';
import type { SignalingSnapshot } from '../core/observed-state';
import { formatRelativeTime } from './format';

export interface SignalingEndpointProps {
  signaling: SignalingSnapshot | null;
  settings: Settings | null;
  nodeId: string | null;
  userId: string | null;
  now: number;
}

/** The dashboard's `Signaling endpoint` region: the endpoint, its state, and who this node is. */
export function SignalingEndpoint({ signaling, settings, nodeId, userId, now }: SignalingEndpointProps) {
  const id = useId();
  const url = signaling?.url ?? settings?.signalingUrl ?? null;
  return (
    <section class="panel" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Signaling endpoint</h2>
      <dl class="facts">
        <div>
          <dt>Endpoint</dt>
          <dd data-field="endpoint">{url ? <code>{url}</code> : 'unknown'}</dd>
        </div>
        <div>
          <dt>State</dt>
          <dd data-field="signaling-state">
            {signaling ? (
              <>
                {signaling.state} <span class="muted">(since {formatRelativeTime(signaling.since, now)}
                {signaling.attempts > 0 ? `, ${signaling.attempts} attempt${signaling.attempts === 1 ? '' : 's'}` : ''})</span>
              </>
            ) : (
              'unknown — connecting to the node…'
            )}
          </dd>
        </div>
        <div>
          <dt>Node ID</dt>
          <dd data-field="node-id">{nodeId ? <code class="id">{nodeId}</code> : 'unknown'}</dd>
        </div>
        <div>
          <dt>User ID</dt>
          <dd data-field="user-id">{userId ? <code class="id">{userId}</code> : 'unknown'}</dd>
        </div>
        <div>
          <dt>Last error</dt>
          <dd data-field="signaling-error">{signaling?.lastError ?? 'none'}</dd>
        </div>
      </dl>
    </section>
  );
}
