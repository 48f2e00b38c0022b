import type { SignalingModel } from './signaling-model';

interface StopStateProps {
  signaling: Pick<SignalingModel, 'stop'>;
}

/**
 * Where `Stop signaling` stands, in words: "Stopping…", "Signaling stopped: resumes in 14:32",
 * "…until you resume", "will apply when connected". A polite status announces a new state; the
 * countdown inside it is a `timer` (not live), so it is not read out every second.
 */
export function StopState({ signaling }: StopStateProps) {
  const stop = signaling.stop.value;
  return (
    <p role="status" class="stop-state" data-field="signaling-stop">
      {stop?.text ?? ''}
      {stop?.countdown && (
        <>
          {' '}
          <span role="timer">{stop.countdown}</span>
        </>
      )}
    </p>
  );
}
