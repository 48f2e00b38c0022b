import type { CopyModel } from './copy-model';
import './copy-button.css';

interface CopyButtonProps {
  copy: CopyModel;
  /** What is copied. */
  text: string;
  /** Which button this is, for "Copied" beside the right one. */
  copyKey: string;
  /** The visible text. */
  label: string;
  /** The accessible name when it differs from `label` (it must start with it). */
  ariaLabel?: string;
  small?: boolean;
}

/**
 * Copies `text` to the clipboard. The button's name never changes; "Copied" appears beside it in a
 * status region, so it is announced too.
 */
export function CopyButton({ copy, text, copyKey, label, ariaLabel, small = true }: CopyButtonProps) {
  const copied = copy.copied.value === copyKey;
  return (
    <span class="copy">
      <button
        type="button"
        class={small ? 'button button-small' : 'button'}
        aria-label={ariaLabel}
        onClick={() => void copy.copy(copyKey, text)}
      >
        {label}
      </button>
      <span role="status" class="copied">
        {copied ? 'Copied' : ''}
      </span>
    </span>
  );
}
