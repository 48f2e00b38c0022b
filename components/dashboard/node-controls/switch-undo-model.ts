/**
 * The dashboard's switches as reversible actions (issue 6): turning mesh routing or pausing on or off
 * applies at once (node-model.ts) and offers `Undo` for a few seconds beside the switch, which sets
 * the previous value again.
 */
import type { NodeModel, SwitchSetting } from '../../client/node-model';
import { createUndoSlot, type UndoSlot } from '../../ui/undo-model';

export type ReversibleSwitch = Exclude<SwitchSetting, 'enabled'>;

export interface ControlsModel {
  /** The Mesh controls region's Undo (mesh routing). */
  readonly routingUndo: UndoSlot;
  /** The Node controls region's Undo (pausing). */
  readonly pauseUndo: UndoSlot;
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
  }
}

export function createControlsModel(node: Pick<NodeModel, 'setSwitch'>): ControlsModel {
  const routingUndo = createUndoSlot();
  const pauseUndo = createUndoSlot();
  return {
    routingUndo,
    pauseUndo,
    toggle(field, on) {
      void node.setSwitch(field, on);
      const slot = field === 'routing' ? routingUndo : pauseUndo;
      slot.show(switchChangeText(field, on), () => node.setSwitch(field, !on));
    },
    dispose() {
      routingUndo.dispose();
      pauseUndo.dispose();
    },
  };
}
