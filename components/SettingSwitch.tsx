import { useId } from 'preact/hooks';
import type { NodeModel, SwitchSetting } from './node-model';

export interface SettingSwitchProps {
  model: Pick<NodeModel, 'switches' | 'observedSwitches' | 'setSwitch'>;
  field: Exclude<SwitchSetting, 'enabled'>;
  /** The switch's accessible name (UI-CONTRACT.md): keep it exact. */
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
export function SettingSwitch({ model, field, label, onText = 'On', offText = 'Off', hint }: SettingSwitchProps) {
  const id = useId();
  const on = model.switches[field].value;
  const applied = model.observedSwitches[field].value;
  const state = on === null ? 'Loading…' : applied !== null && applied !== on ? 'Applying…' : on ? onText : offText;
  return (
    <div class="switch-block">
      <div class="switch-row">
        <label id={`${id}-label`} for={`${id}-switch`} class="switch-label">
          {label}
        </label>
        <span id={`${id}-state`} class="switch-state" data-transition={state === 'Applying…' ? 'applying' : undefined}>
          {state}
        </span>
        <button
          type="button"
          role="switch"
          id={`${id}-switch`}
          class="switch"
          aria-checked={on === true}
          aria-labelledby={`${id}-label`}
          aria-describedby={hint ? `${id}-state ${id}-hint` : `${id}-state`}
          disabled={on === null}
          onClick={() => {
            if (on !== null) void model.setSwitch(field, !on);
          }}
        >
          <span class="switch-thumb" aria-hidden="true" />
        </button>
      </div>
      {hint && (
        <p id={`${id}-hint`} class="hint">
          {hint}
        </p>
      )}
    </div>
  );
}
