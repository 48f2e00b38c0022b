import type { BlockModel } from './block-model';
import { BlockBox } from './BlockBox';
import type { DashboardNodeModel } from './snapshot-parts';
import { Panel } from './Panel';
import { SettingSwitch } from './SettingSwitch';

export interface NodeControlsProps {
  node: Pick<DashboardNodeModel, 'switches' | 'observedSwitches' | 'setSwitch' | 'controls'>;
  block: BlockModel;
}

/** The `Node controls` region: pausing incoming and outgoing connections, and blocking an ID. */
export function NodeControls({ node, block }: NodeControlsProps) {
  return (
    <Panel title="Node controls" area="nodectl">
      <SettingSwitch
        model={node}
        field="pauseIncoming"
        label="Pause incoming connections"
        onText="Paused"
        offText="Accepting"
        hint="New incoming connections are refused; existing ones stay."
      />
      <SettingSwitch
        model={node}
        field="pauseOutgoing"
        label="Pause outgoing connections"
        onText="Paused"
        offText="Dialling"
        hint="No new dials; existing connections stay."
      />
      <BlockBox block={block} node={node} />
    </Panel>
  );
}
