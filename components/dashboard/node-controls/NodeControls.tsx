import type { BlockModel } from './block-box-model';
import type { ControlsModel } from './controls-model';
import { BlockBox } from './BlockBox';
import type { DashboardNodeModel } from '../snapshot-parts';
import { Panel } from '../../ui/Panel';
import { SettingSwitch } from '../../ui/SettingSwitch';
import { UndoStatus } from '../../ui/UndoStatus';

interface NodeControlsProps {
  node: Pick<DashboardNodeModel, 'switches' | 'observedSwitches' | 'hostReachable' | 'controls'>;
  block: BlockModel;
  controls: Pick<ControlsModel, 'toggle' | 'pauseUndo'>;
}

/** The `Node controls` region: pausing incoming and outgoing connections, and blocking an ID. */
export function NodeControls({ node, block, controls }: NodeControlsProps) {
  return (
    <Panel title="Node controls" area="nodectl">
      <SettingSwitch
        model={node}
        field="pauseIncoming"
        onToggle={(on) => controls.toggle('pauseIncoming', on)}
        label="Pause incoming connections"
        onText="Paused"
        offText="Accepting"
        hint="New incoming connections are refused; existing ones stay."
      />
      <SettingSwitch
        model={node}
        field="pauseOutgoing"
        onToggle={(on) => controls.toggle('pauseOutgoing', on)}
        label="Pause outgoing connections"
        onText="Paused"
        offText="Dialling"
        hint="No new dials; existing connections stay."
      />
      <UndoStatus slot={controls.pauseUndo} />
      <BlockBox block={block} node={node} />
    </Panel>
  );
}
