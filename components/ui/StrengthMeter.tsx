import { useId } from 'preact/hooks';
import { clampStrength, formatStrength, strengthWord } from './format';

interface StrengthMeterProps {
  /** totals.strength; null while there is no snapshot. */
  strength: number | null;
}

const BARS = [1, 2, 3, 4] as const;

/** The `Connection strength` meter, 0–4; the word beside the bars keeps it from being colour-only. */
export function StrengthMeter({ strength }: StrengthMeterProps) {
  const id = useId();
  const value = strength === null ? 0 : clampStrength(strength);
  const word = strength === null ? '—' : strengthWord(value);
  return (
    <div class="strength">
      <span id={`${id}-label`} class="strength-label">
        Connection strength
      </span>
      <div
        role="meter"
        class="meter"
        aria-labelledby={`${id}-label`}
        aria-valuemin={0}
        aria-valuemax={4}
        aria-valuenow={value}
        aria-valuetext={strength === null ? 'unknown — not connected to the node yet' : formatStrength(value)}
        data-strength={strength === null ? undefined : value}
      >
        {BARS.map((bar) => (
          <span key={bar} class={bar <= value ? 'bar bar-on' : 'bar'} aria-hidden="true" />
        ))}
      </div>
      <span class="strength-word" aria-hidden="true">
        {word}
      </span>
    </div>
  );
}
