import { useEffect, useId, useRef } from 'preact/hooks';
import type { EndpointField, EndpointModel } from './endpoint-model';

export interface EndpointFormProps {
  id: string;
  endpoint: EndpointModel;
}

/**
 * The inline `Change endpoint` form. A refused value is reported at its field (aria-invalid, the
 * message tied with aria-describedby) and the focus moves there; nothing is saved. Escape cancels.
 */
export function EndpointForm({ id, endpoint }: EndpointFormProps) {
  const uid = useId();
  const urlInput = useRef<HTMLInputElement>(null);
  const backupInput = useRef<HTMLTextAreaElement>(null);
  const relayInput = useRef<HTMLTextAreaElement>(null);
  const errors = endpoint.errors.value;
  const saving = endpoint.saving.value;

  useEffect(() => urlInput.current?.focus(), []);

  async function submit(event: Event) {
    event.preventDefault();
    const saved = await endpoint.save();
    if (saved) return;
    const bad = endpoint.errors.peek();
    if (bad.signalingUrl) urlInput.current?.focus();
    else if (bad.backupSignalingUrls) backupInput.current?.focus();
    else if (bad.relayUrls) relayInput.current?.focus();
  }

  const field = (name: EndpointField) => ({
    'aria-invalid': errors[name] ? true : undefined,
    'aria-describedby': errors[name] ? `${uid}-${name}-error ${uid}-${name}-hint` : `${uid}-${name}-hint`,
    onInput: (event: Event) => endpoint.setField(name, (event.currentTarget as HTMLInputElement).value),
  });

  return (
    <form
      id={id}
      class="endpoint-form"
      noValidate
      aria-label="Change endpoint"
      onSubmit={(event) => void submit(event)}
      onKeyDown={(event) => {
        if (event.key === 'Escape') endpoint.cancel();
      }}
    >
      <div class="field">
        <label for={`${uid}-signalingUrl`}>Signaling URL</label>
        <input
          id={`${uid}-signalingUrl`}
          ref={urlInput}
          type="text"
          inputMode="url"
          autoComplete="off"
          spellcheck={false}
          value={endpoint.signalingUrl.value}
          {...field('signalingUrl')}
        />
        <p id={`${uid}-signalingUrl-hint`} class="hint">
          The PeerJS server, for example http://127.0.0.1:9000/peerjs
        </p>
        {errors.signalingUrl && (
          <p id={`${uid}-signalingUrl-error`} class="field-error">
            {errors.signalingUrl}
          </p>
        )}
      </div>
      <div class="field">
        <label for={`${uid}-backupSignalingUrls`}>More signaling URLs</label>
        <textarea
          id={`${uid}-backupSignalingUrls`}
          ref={backupInput}
          rows={2}
          autoComplete="off"
          spellcheck={false}
          value={endpoint.backupSignalingUrls.value}
          {...field('backupSignalingUrls')}
        />
        <p id={`${uid}-backupSignalingUrls-hint`} class="hint">
          Optional: up to 3 more PeerJS servers, one URL a line. The node registers on every one; a peer
          reaches it through any server you both use, and a server that goes down leaves the others.
        </p>
        {errors.backupSignalingUrls && (
          <p id={`${uid}-backupSignalingUrls-error`} class="field-error">
            {errors.backupSignalingUrls}
          </p>
        )}
      </div>
      <div class="field">
        <label for={`${uid}-relayUrls`}>Relay URLs</label>
        <textarea
          id={`${uid}-relayUrls`}
          ref={relayInput}
          rows={3}
          autoComplete="off"
          spellcheck={false}
          value={endpoint.relayUrls.value}
          {...field('relayUrls')}
        />
        <p id={`${uid}-relayUrls-hint`} class="hint">
          GUN relays of the rendezvous mesh, one URL a line.
        </p>
        {errors.relayUrls && (
          <p id={`${uid}-relayUrls-error`} class="field-error">
            {errors.relayUrls}
          </p>
        )}
      </div>
      <p role="status" class="action-status action-pending">
        {saving ? 'Saving…' : ''}
      </p>
      <p role="alert" class="action-error">
        {errors.form ?? ''}
      </p>
      <div class="form-actions">
        <button type="submit" class="button button-primary" aria-disabled={saving || undefined}>
          Save
        </button>
        <button type="button" class="button" onClick={() => endpoint.cancel()}>
          Cancel
        </button>
      </div>
    </form>
  );
}
