import type { TrialModel } from './trial-model';
import { trialText } from './trial-model';

interface TrialPromptProps {
  trial: Pick<TrialModel, 'trial' | 'secondsLeft' | 'keep' | 'revert'>;
}

/**
 * "Keep these settings? Rolling back in 12 s" while new endpoints are on trial (issue 6), with
 * `Keep these settings` and `Revert now`. The question is a polite status (announced once when it
 * appears); the seconds are a `timer`, not read out every second.
 */
export function TrialPrompt({ trial }: TrialPromptProps) {
  const t = trial.trial.value;
  const left = trial.secondsLeft.value;
  const [question, rest] = splitQuestion(trialText(left));
  return (
    <div class="trial" data-field="trial">
      <p role="status">
        {t && (
          <>
            <strong>{question}</strong> <span role="timer">{rest}</span>
          </>
        )}
      </p>
      {t && (
        <>
          <p class="hint">
            Trying <code class="id">{t.next.signalingUrl}</code>; if the node cannot connect it goes back to{' '}
            <code class="id">{t.previous.signalingUrl}</code>.
          </p>
          <div class="form-actions">
            <button type="button" class="button button-primary" onClick={() => void trial.keep()}>
              Keep these settings
            </button>
            <button type="button" class="button" onClick={() => void trial.revert()}>
              Revert now
            </button>
          </div>
        </>
      )}
    </div>
  );
}

function splitQuestion(text: string): [string, string] {
  const at = text.indexOf('?') + 1;
  return [text.slice(0, at), text.slice(at).trim()];
}
