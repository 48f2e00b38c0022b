import type { DiagnosticsModel } from './diagnostics-model';

interface HealthListProps {
  diagnostics: Pick<DiagnosticsModel, 'health'>;
}

const MARKS = { true: '✓', false: '✕', null: '–' } as const;
const WORDS = { true: 'OK', false: 'Problem', null: 'Not applicable' } as const;

/** The health indicators, each with its state in a word (not colour alone) and what it means. */
export function HealthList({ diagnostics }: HealthListProps) {
  return (
    <ul class="health">
      {diagnostics.health.value.map((item) => {
        const state = String(item.ok) as 'true' | 'false' | 'null';
        return (
          <li key={item.key} class={`health-item health-${state}`} data-health={item.key} data-ok={state}>
            <span class="health-mark" aria-hidden="true">
              {MARKS[state]}
            </span>
            <span class="health-label">{item.label}</span>
            <span class="health-state">{WORDS[state]}</span>
            <span class="health-text">{item.text}</span>
          </li>
        );
      })}
    </ul>
  );
}
