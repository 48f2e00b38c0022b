import { useRef } from 'preact/hooks';
import { FormField } from '../../ui/FormField';
import { Panel } from '../../ui/Panel';
import { StatusLine } from '../../ui/StatusLine';
import { PairingQr } from './PairingQr';
import type { PairingModel } from './pairing-model';
import './pairing.css';

interface PairingProps {
  pairing: PairingModel;
}

/**
 * The `Pair browsers` region: one user across Chrome and Firefox. `Pair a browser` shows a one-time
 * code (and its QR) for the other browser; `Join with a code` takes the user key and block list of
 * the browser showing one.
 */
export function Pairing({ pairing }: PairingProps) {
  const input = useRef<HTMLInputElement>(null);
  const offer = pairing.offer.value;
  const error = pairing.draftError.value;
  const left = pairing.secondsLeft.value;
  const paired = pairing.paired.value;
  return (
    <Panel title="Pair browsers" area="pairing">
      <p class="hint">Use one user ID and one block list in your browsers of different vendors (Chrome and Firefox): sync carries them only within one vendor.</p>
      {paired?.paired && (
        <div class="pairing-state">
          <p>Paired: this browser’s block list is shared with your paired browsers through the relays, sealed so that only your user key opens it.</p>
          <button type="button" class="button" onClick={() => void pairing.unpair()}>
            Unpair
          </button>
        </div>
      )}
      <StatusLine status={pairing.unpairStatus} />
      <div class="pairing-offer">
        {offer ? (
          <>
            <p>
              Type this code in the other browser, under <strong>Join with a code</strong>. It works once, for{' '}
              <span aria-live="off">{`${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`}</span> more.
            </p>
            <output class="pairing-code" aria-label="Code to type in the other browser">
              {offer.code}
            </output>
            <PairingQr code={offer.code} />
            <button type="button" class="button" onClick={() => void pairing.cancelOffer()}>
              Cancel code
            </button>
          </>
        ) : (
          <button type="button" class="button" onClick={() => void pairing.createOffer()}>
            Pair a browser
          </button>
        )}
        <StatusLine status={pairing.offerStatus} />
      </div>
      <form
        class="pairing-join"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void pairing.join().then((ok) => {
            if (!ok) input.current?.focus();
          });
        }}
      >
        <FormField
          label="Pairing code"
          hint="The code from the other browser’s Pair a browser. Both must be on, in the same room."
          error={error}
          action={
            <button type="submit" class="button">
              Join with a code
            </button>
          }
        >
          {(control) => (
            <input
              {...control}
              ref={input}
              type="text"
              autoComplete="off"
              spellcheck={false}
              placeholder="abcd-efgh-ijkl-mnop"
              value={pairing.draft.value}
              onInput={(event) => pairing.setDraft((event.currentTarget as HTMLInputElement).value)}
            />
          )}
        </FormField>
        <StatusLine status={pairing.joinStatus} />
      </form>
    </Panel>
  );
}
