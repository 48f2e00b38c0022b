import type { ControlsModel } from '../node-controls/controls-model';
import type { MeshModel } from '../rendezvous-mesh/mesh-model';
import type { DashboardNodeModel } from '../snapshot-parts';
import { Panel } from '../../ui/Panel';
import { SettingSwitch } from '../../ui/SettingSwitch';
import { StatusLine } from '../../ui/StatusLine';
import { UndoStatus } from '../../ui/UndoStatus';

interface MeshControlsProps {
  node: Pick<DashboardNodeModel, 'switches' | 'observedSwitches' | 'hostReachable' | 'routingStats'>;
  mesh: MeshModel;
  controls: Pick<ControlsModel, 'toggle' | 'routingUndo'>;
}

/** The `Mesh controls` region: the `Mesh routing` switch and `Refresh peers`, with the route counters. */
export function MeshControls({ node, mesh, controls }: MeshControlsProps) {
  const routing = node.routingStats.value;
  return (
    <Panel title="Mesh controls" area="meshctl">
      <SettingSwitch
        model={node}
        field="routing"
        onToggle={(on) => controls.toggle('routing', on)}
        label="Mesh routing"
        hint="Forward route messages (such as mesh pings) between other nodes."
      />
      <UndoStatus slot={controls.routingUndo} />
      <div class="panel-actions">
        <button type="button" class="button" onClick={() => void mesh.refresh()}>
          Refresh peers
        </button>
      </div>
      <StatusLine status={mesh.refreshStatus} />
      <h3>Route messages</h3>
      <dl class="facts facts-compact">
        <div>
          <dt>Delivered here</dt>
          <dd>{routing?.delivered ?? '—'}</dd>
        </div>
        <div>
          <dt>Forwarded</dt>
          <dd>{routing?.forwarded ?? '—'}</dd>
        </div>
        <div>
          <dt>Sent along a known path</dt>
          <dd>{routing?.directed ?? '—'}</dd>
        </div>
        <div>
          <dt>Sent to random neighbours (no path known)</dt>
          <dd>{routing?.flooded ?? '—'}</dd>
        </div>
        <div>
          <dt>Not forwarded (routing off)</dt>
          <dd>{routing?.notForwarded ?? '—'}</dd>
        </div>
        <div>
          <dt>Dropped (invalid)</dt>
          <dd>{routing?.dropped ?? '—'}</dd>
        </div>
      </dl>
    </Panel>
  );
}
