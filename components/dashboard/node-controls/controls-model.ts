/**
 * The dashboard's switches as reversible actions (issue 6): turning mesh routing, pausing or
 * `Trusted peers only` on or off applies at once (node-model.ts) and offers `Undo` for a few seconds
 * beside the switch, which sets the previous value again.
 */
import type { NodeModel, SwitchSetting } from '../../client/node-model';
import { createUndoSlot, type UndoSlot } from '../../ui/undo-model';

export type ReversibleSwitch = Exclude<SwitchSetting, 'enabled'>;

export interface ControlsModel {
  /** The Mesh controls region's Undo (mesh routing). */
  readonly routingUndo: UndoSlot;
  /** The Node controls region's Undo (pausing). */
  readonly pauseUndo: UndoSlot;
  /** The Trusted peers region's Undo (`Trusted peers only`). */
  readonly trustUndo: UndoSlot;
  /** Sets the switch and offers Undo. */
  toggle(field: ReversibleSwitch, on: boolean): void;
  dispose(): void;
}

/** "Mesh routing turned off.", "Incoming connections paused." */
export function switchChangeText(field: ReversibleSwitch, on: boolean): string {
  switch (field) {
    case 'routing':
      return `Mesh routing turned ${on ? 'on' : 'off'}.`;
    case 'pauseIncoming':
      return on ? 'Incoming connections paused.' : 'Incoming connections accepted again.';
    case 'pauseOutgoing':
      return on ? 'Outgoing connections paused.' : 'Outgoing connections dialled again.';
    case 'trustedOnly':
      return on ? 'Trusted peers only: other peers are disconnected and refused.' : 'Any peer may connect again, not only trusted ones.';
  }
}

export function createControlsModel(node: Pick<NodeModel, 'setSwitch'>): ControlsModel {
  const routingUndo = createUndoSlot();
  const pauseUndo = createUndoSlot();
  const trustUndo = createUndoSlot();
  return {
    routingUndo,
    pauseUndo,
    trustUndo,
    toggle(field, on) {
      void node.setSwitch(field, on);
      const slot = field === 'routing' ? routingUndo : field === 'trustedOnly' ? trustUndo : pauseUndo;
      slot.show(switchChangeText(field, on), () => node.setSwitch(field, !on));
    },
    dispose() {
      routingUndo.dispose();
      pauseUndo.dispose();
      trustUndo.dispose();
    },
  };
}
