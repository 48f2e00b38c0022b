import { useId } from 'preact/hooks';
import type { NodeModel } from './node-model';

export interface P2PSwitchProps {
  model: Pick<NodeModel, 'enabled' | 'transition' | 'setEnabled'>;
}

/**
 * The `Enable P2P network` switch (UI-CONTRACT.md). `aria-checked` is the DESIRED state, so it flips
 * the moment it is pressed; the text beside it says when the node has not caught up yet. A native
 * <button> gives Space and Enter for free.
 */
export function P2PSwitch({ model }: P2PSwitchProps) {
  const id = useId();
  const on = model.enabled.value;
  const transition = model.transition.value;
  const state =
    transition === 'turning-on' ? 'Turning on…' : transition === 'turning-off' ? 'Turning off…' : on === null ? 'Loading…' : on ? 'On' : 'Off';
  return (
    <div class="switch-row">
      <label id={`${id}-label`} for={`${id}-switch`} class="switch-label">
        Enable P2P network
      </label>
      <span id={`${id}-state`} class="switch-state" data-transition={transition ?? undefined}>
        {state}
      </span>
      <button
        type="button"
        role="switch"
        id={`${id}-switch`}
        class="switch"
        aria-checked={on === true}
        aria-labelledby={`${id}-label`}
        aria-describedby={`${id}-state`}
        // Unknown until the settings or the first snapshot arrive: nothing sensible to flip yet.
        disabled={on === null}
        onClick={() => {
          if (on !== null) void model.setEnabled(!on);
        }}
      >
        <span class="switch-thumb" aria-hidden="true" />
      </button>
    </div>
  );
}
