import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';
import './form-field.css';

/** What the field's control spreads on itself: the id its label names, and its ties to the hint and error. */
export interface FieldControl {
  id: string;
  'aria-invalid': true | undefined;
  /** The error first, then the hint: screen readers read the reason a value was refused first. */
  'aria-describedby': string | undefined;
}

export interface FormFieldProps {
  /** The control's accessible name (docs/ui-contract.md): keep it exact. */
  label: string;
  /** Under the control: what it takes. */
  hint?: ComponentChildren;
  /** Why the value was refused; the control is marked invalid while there is one. */
  error?: string | null;
  /** Beside the control, on its row: the button that submits it. */
  action?: ComponentChildren;
  /** The control (an input, select or textarea), given the attributes to spread on it. */
  children: (control: FieldControl) => ComponentChildren;
}

/**
 * A labelled form control with its hint and its error. A refused value is reported at the field:
 * aria-invalid on the control, and the message tied to it with aria-describedby (the e2e accessibility
 * tests read the error through the first id).
 */
export function FormField({ label, hint, error, action, children }: FormFieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const control = children({
    id: `${id}-control`,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': [errorId, hintId].filter(Boolean).join(' ') || undefined,
  });
  return (
    <div class="field">
      <label for={`${id}-control`}>{label}</label>
      {action ? (
        <div class="field-row">
          {control}
          {action}
        </div>
      ) : (
        control
      )}
      {hintId && (
        <p id={hintId} class="hint">
          {hint}
        </p>
      )}
      {errorId && (
        <p id={errorId} class="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
