import type { BlockModel } from './block-box-model';
import { countOf } from '../../ui/format';
import type { DashboardNodeModel } from '../snapshot-parts';
import { IdBox } from './IdBox';
import './node-controls.css';

interface BlockBoxProps {
  block: BlockModel;
  node: Pick<DashboardNodeModel, 'controls'>;
}

/** The `Node or user ID` box and its `Block` button. */
export function BlockBox({ block, node }: BlockBoxProps) {
  const blocked = node.controls.value?.blocked.length;
  return (
    <IdBox
      box={block}
      class="block-box"
      label="Node or user ID"
      action="Block"
      hint={
        <>
          A node ID blocks one browser; a user ID blocks all browsers of that user.
          {blocked !== undefined && ` Blocked now: ${countOf(blocked, 'ID')}.`}
        </>
      }
    />
  );
}
