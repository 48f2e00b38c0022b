import { useId } from 'preact/hooks';

interface SwitchProps {
  /** The accessible name (docs/ui-contract.md): keep it exact. */
  label: string;
  /** The desired state; null while unknown (the switch is disabled then). */
  on: boolean | null;
  /** Text beside the switch: the state, or where the node has not caught up yet. */
  state: string;
  /** `data-transition` of the state text, for styling an in-between state. */
  transition?: string;
  /** Id of extra describing text (a hint) placed by the caller. */
  describedBy?: string;
  onClick: () => void;
}

/**
 * The switch row shared by `Enable P2P network` and the dashboard's setting switches: a native
 * <button role="switch"> (Space and Enter for free) labelled by its visible label and described by
 * the state text. `aria-checked` is the desired state.
 */
export function Switch({ label, on, state, transition, describedBy, onClick }: SwitchProps) {
  const id = useId();
  return (
    <div class="switch-row">
      <label id={`${id}-label`} for={`${id}-switch`} class="switch-label">
        {label}
      </label>
      <span id={`${id}-state`} class="switch-state" data-transition={transition}>
        {state}
      </span>
      <button
        type="button"
        role="switch"
        id={`${id}-switch`}
        class="switch"
        aria-checked={on === true}
        aria-labelledby={`${id}-label`}
        aria-describedby={describedBy ? `${id}-state ${describedBy}` : `${id}-state`}
        // Unknown until the settings or the first snapshot arrive: nothing sensible to flip yet.
        disabled={on === null}
        onClick={onClick}
      >
        <span class="switch-thumb" aria-hidden="true" />
      </button>
    </div>
  );
}
