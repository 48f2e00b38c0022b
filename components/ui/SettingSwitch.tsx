import { useId } from 'preact/hooks';
import type { NodeModel, SwitchSetting } from '../client/node-model';
import { Switch } from './Switch';
import './setting-switch.css';

interface SettingSwitchProps {
  model: Pick<NodeModel, 'switches' | 'observedSwitches' | 'hostReachable'>;
  /** Sets the switch (controls-model.ts: with `Undo`). */
  onToggle: (on: boolean) => void;
  field: Exclude<SwitchSetting, 'enabled'>;
  /** The switch's accessible name (docs/ui-contract.md): keep it exact. */
  label: string;
  /** What "on" and "off" mean here, shown beside the switch. */
  onText?: string;
  offText?: string;
  /** A sentence under the switch saying what it does. */
  hint?: string;
}

/**
 * A settings switch of the dashboard (`Mesh routing`, `Pause incoming connections`, …), built like the
 * `Enable P2P network` switch: `aria-checked` is the desired state and flips at once; the text beside
 * it says when the node has not applied it yet.
 */
export function SettingSwitch({ model, onToggle, field, label, onText = 'On', offText = 'Off', hint }: SettingSwitchProps) {
  const id = useId();
  const on = model.switches[field].value;
  const applied = model.observedSwitches[field].value;
  const behind = applied !== null && applied !== on;
  const state =
    on === null
      ? 'Loading…'
      : behind && !model.hostReachable.value
        ? `${on ? onText : offText}: will apply when connected`
        : behind
          ? 'Applying…'
          : on
            ? onText
            : offText;
  return (
    <div class="switch-block">
      <Switch
        label={label}
        on={on}
        state={state}
        transition={behind ? 'applying' : undefined}
        describedBy={hint ? `${id}-hint` : undefined}
        onClick={() => {
          if (on !== null) onToggle(!on);
        }}
      />
      {hint && (
        <p id={`${id}-hint`} class="hint">
          {hint}
        </p>
      )}
    </div>
  );
}
