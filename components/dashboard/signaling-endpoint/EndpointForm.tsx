import { useEffect, useRef } from 'preact/hooks';
import { FormField } from '../../ui/FormField';
import type { EndpointField, EndpointModel } from './endpoint-model';

interface EndpointFormProps {
  id: string;
  endpoint: EndpointModel;
}

/**
 * The inline `Change endpoint` form. A refused value is reported at its field (aria-invalid, the
 * message tied with aria-describedby) and the focus moves there; nothing is saved. Escape cancels.
 */
export function EndpointForm({ id, endpoint }: EndpointFormProps) {
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

  const edit = (name: EndpointField) => (event: Event) => endpoint.setField(name, (event.currentTarget as HTMLInputElement).value);

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
      <FormField label="Signaling URL" hint="The PeerJS server, for example http://127.0.0.1:9000/peerjs" error={errors.signalingUrl}>
        {(control) => (
          <input
            {...control}
            ref={urlInput}
            type="text"
            inputMode="url"
            autoComplete="off"
            spellcheck={false}
            value={endpoint.signalingUrl.value}
            onInput={edit('signalingUrl')}
          />
        )}
      </FormField>
      <FormField
        label="More signaling URLs"
        hint={
          <>
            Optional: up to 3 more PeerJS servers, one URL a line. The node registers on every one; a peer
            reaches it through any server you both use, and a server that goes down leaves the others.
          </>
        }
        error={errors.backupSignalingUrls}
      >
        {(control) => (
          <textarea
            {...control}
            ref={backupInput}
            rows={2}
            autoComplete="off"
            spellcheck={false}
            value={endpoint.backupSignalingUrls.value}
            onInput={edit('backupSignalingUrls')}
          />
        )}
      </FormField>
      <FormField label="Relay URLs" hint="GUN relays of the rendezvous mesh, one URL a line." error={errors.relayUrls}>
        {(control) => (
          <textarea
            {...control}
            ref={relayInput}
            rows={3}
            autoComplete="off"
            spellcheck={false}
            value={endpoint.relayUrls.value}
            onInput={edit('relayUrls')}
          />
        )}
      </FormField>
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
