import { useComputed } from '@preact/signals';
import { formatRelativeTime } from '../../ui/format';
import type { MeshModel } from './mesh-model';
import type { DashboardNodeModel } from '../snapshot-parts';
import { Panel } from '../../ui/Panel';
import { TopologyPicture } from './TopologyPicture';
import './rendezvous-mesh.css';

interface RendezvousMeshProps {
  node: Pick<DashboardNodeModel, 'rendezvous' | 'now'>;
  mesh: MeshModel;
}

const RELAY_WORDS = { connecting: 'connecting…', open: 'open', closed: 'closed' } as const;

/**
 * The `Rendezvous mesh` region: the topology picture, each relay with its state, and the discovery
 * status (records seen, valid, stale, rejected; last announce and last discovery, relative).
 */
export function RendezvousMesh({ node, mesh }: RendezvousMeshProps) {
  const rendezvous = node.rendezvous.value;
  const lastAnnounce = useComputed(() => formatRelativeTime(node.rendezvous.value?.lastAnnounceAt, node.now.value));
  const lastDiscovery = useComputed(() => formatRelativeTime(node.rendezvous.value?.lastDiscoveryAt, node.now.value));
  return (
    <Panel title="Rendezvous mesh" area="mesh">
      <TopologyPicture topology={mesh.topology} summary={mesh.summary} />
      <h3>Relays</h3>
      {rendezvous ? (
        rendezvous.relays.length > 0 ? (
          <ul class="relays">
            {rendezvous.relays.map((relay) => (
              <li key={relay.url} data-relay-state={relay.state}>
                <code class="id">{relay.url}</code> <span class={`relay-state relay-${relay.state}`}>{RELAY_WORDS[relay.state] ?? relay.state}</span>
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">No relay configured: add one with Change endpoint.</p>
        )
      ) : (
        <p class="muted">Connecting to the node…</p>
      )}
      <h3>Discovery</h3>
      <dl class="facts facts-compact">
        <div>
          <dt>Room</dt>
          <dd>{rendezvous ? <code>{rendezvous.room}</code> : '—'}</dd>
        </div>
        <div>
          <dt>Records seen</dt>
          <dd data-field="records-seen">{rendezvous?.seen ?? '—'}</dd>
        </div>
        <div>
          <dt>Valid</dt>
          <dd data-field="records-valid">{rendezvous?.valid ?? '—'}</dd>
        </div>
        <div>
          <dt>Stale</dt>
          <dd data-field="records-stale">{rendezvous?.stale ?? '—'}</dd>
        </div>
        <div>
          <dt>Rejected</dt>
          <dd data-field="records-rejected">{rendezvous?.invalid ?? '—'}</dd>
        </div>
        <div>
          <dt>Last announce</dt>
          <dd data-field="last-announce">{lastAnnounce}</dd>
        </div>
        <div>
          <dt>Last discovery</dt>
          <dd data-field="last-discovery">{lastDiscovery}</dd>
        </div>
      </dl>
    </Panel>
  );
}
