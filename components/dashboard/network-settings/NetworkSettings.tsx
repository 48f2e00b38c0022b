import { useId, useRef } from 'preact/hooks';
import type { IceServerCheck, NodeSnapshot } from '../../../core/node/observed-state';
import type { ReadonlySignal } from '@preact/signals';
import { FormField } from '../../ui/FormField';
import { Panel } from '../../ui/Panel';
import { StatusLine } from '../../ui/StatusLine';
import type { IcePart, IceServerRow, NetworkSettingsModel } from './network-settings-model';
import './network-settings.css';

interface NetworkSettingsProps {
  settings: NetworkSettingsModel;
  node: { snapshot: ReadonlySignal<NodeSnapshot | null> };
}

const CHECK_WORDS: Record<IceServerCheck['state'], string> = { checking: 'Checking…', ok: 'Answered', failed: 'Failed' };

/**
 * The `Network settings` region: room, maximum peers and ICE servers. A refused value is reported at
 * its field (aria-invalid, the message tied with aria-describedby) and the focus moves there. Each
 * saved server shows the node's last check of it, so a wrong TURN credential is said here.
 */
export function NetworkSettings({ settings, node }: NetworkSettingsProps) {
  const uid = useId();
  const form = useRef<HTMLFormElement>(null);
  const errors = settings.errors.value;
  const rows = settings.servers.value;
  const checks = node.snapshot.value?.ice ?? [];

  async function submit(event: Event) {
    event.preventDefault();
    if (await settings.apply()) return;
    form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }

  return (
    <Panel title="Network settings" area="netset">
      <form ref={form} class="network-form" noValidate aria-label="Network settings" onSubmit={(event) => void submit(event)}>
        <FormField label="Room" hint={'Nodes meet only nodes of the same room: 1–64 letters, digits, ".", "_" or "-".'} error={errors.room}>
          {(control) => <input {...control} type="text" autoComplete="off" spellcheck={false} value={settings.room.value} onInput={(e) => settings.setRoom(e.currentTarget.value)} />}
        </FormField>
        <FormField label="Maximum peers" hint="The node stops dialling at this many connections (0–64)." error={errors.maxPeers}>
          {(control) => <input {...control} type="number" min={0} max={64} step={1} inputMode="numeric" value={settings.maxPeers.value} onInput={(e) => settings.setMaxPeers(e.currentTarget.value)} />}
        </FormField>
        <fieldset class="ice-servers">
          <legend>ICE servers</legend>
          <p class="hint">STUN finds this node's public address; TURN relays connections that cannot go direct (behind strict NAT). None by default: no public server is ever used unless you add it.</p>
          {rows.map((row, i) => (
            <IceServerFields key={row.key} row={row} index={i} settings={settings} errors={errors.ice?.[row.key] ?? {}} check={checks.find((c) => [row.urls.split(/[\r\n,]+/)[0]?.trim()].includes(c.url))} />
          ))}
          {errors.iceList && (
            <p id={`${uid}-ice-error`} class="field-error">
              {errors.iceList}
            </p>
          )}
          <button type="button" class="button" onClick={() => settings.addServer()}>
            Add ICE server
          </button>
        </fieldset>
        <p role="alert" class="action-error">
          {errors.form ?? ''}
        </p>
        <div class="form-actions">
          <button type="submit" class="button button-primary" aria-disabled={settings.saving.value || undefined}>
            Apply network settings
          </button>
          <button type="button" class="button" onClick={() => settings.reset()}>
            Reset
          </button>
        </div>
      </form>
      <StatusLine status={settings.status} />
    </Panel>
  );
}

interface IceServerFieldsProps {
  row: IceServerRow;
  index: number;
  settings: NetworkSettingsModel;
  errors: Partial<Record<IcePart, string>>;
  check: IceServerCheck | undefined;
}

function IceServerFields({ row, index, settings, errors, check }: IceServerFieldsProps) {
  const name = `ICE server ${index + 1}`;
  const edit = (part: IcePart) => (e: Event) => settings.setServer(row.key, part, (e.currentTarget as HTMLInputElement).value);
  return (
    <fieldset class="ice-server" data-ice-server={index}>
      <legend>{name}</legend>
      <FormField label={`URLs of ${name}`} error={errors.urls}>
        {(control) => <textarea {...control} rows={1} autoComplete="off" spellcheck={false} placeholder="turn:<host>:3478" value={row.urls} onInput={edit('urls')} />}
      </FormField>
      <FormField label={`Username of ${name}`} error={errors.username}>
        {(control) => <input {...control} type="text" autoComplete="off" spellcheck={false} value={row.username} onInput={edit('username')} />}
      </FormField>
      <FormField label={`Credential of ${name}`} error={errors.credential}>
        {(control) => (
          <input {...control} type="password" autoComplete="new-password" value={row.credential} placeholder={row.hasCredential ? 'saved — leave empty to keep it' : ''} onInput={edit('credential')} />
        )}
      </FormField>
      {check && (
        <p class={`ice-check ice-check-${check.state}`} data-ice-check={check.state}>
          {CHECK_WORDS[check.state]}
          {check.error ? `: ${check.error}` : ''}
        </p>
      )}
      <button type="button" class="button button-small" onClick={() => settings.removeServer(row.key)}>
        Remove {name}
      </button>
    </fieldset>
  );
}
