/**
 * The `Change endpoint` form of the Signaling endpoint panel: the signaling URL and the relay list.
 * Checked here with the very rules the background applies (core/settings/settings.ts validateSettings), so a
 * malformed URL is refused at its field and nothing is sent; a refusal from the background (it names
 * the field too) lands at the same place.
 */
import { batch, signal, type ReadonlySignal } from '@preact/signals';
import { validateSettings, type Settings } from '../../../core/settings/settings';
import type { ActionStatus } from '../../ui/action-status';
import { describeError, type NodeModel } from '../../client/node-model';

export type EndpointField = 'signalingUrl' | 'backupSignalingUrls' | 'relayUrls';

export interface EndpointErrors {
  signalingUrl?: string;
  backupSignalingUrls?: string;
  relayUrls?: string;
  /** A failure that is not about one field (not loaded, no answer). */
  form?: string;
}

export interface EndpointModel {
  readonly editing: ReadonlySignal<boolean>;
  readonly signalingUrl: ReadonlySignal<string>;
  /** More PeerJS servers to register on as well, one URL a line. */
  readonly backupSignalingUrls: ReadonlySignal<string>;
  /** One relay URL a line. */
  readonly relayUrls: ReadonlySignal<string>;
  readonly errors: ReadonlySignal<EndpointErrors>;
  readonly saving: ReadonlySignal<boolean>;
  /** The outcome of the last save, shown once the form closed. */
  readonly status: ReadonlySignal<ActionStatus | null>;
  /** Opens the form filled with the desired settings (or what the node uses, before they loaded). */
  open(): void;
  cancel(): void;
  setField(field: EndpointField, value: string): void;
  /** Checks and saves; resolves true when saved (the form closes), false when refused. Never rejects. */
  save(): Promise<boolean>;
  dispose(): void;
}

/** The lines of a URL box (relays, more signaling servers) that hold something, trimmed. */
export function parseRelayLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/**
 * Checks the form against the current settings. Returns the clean values to send, or the error at its
 * field; a SettingsError about another field (the stored settings themselves are broken) is a form error.
 */
export function checkEndpoint(
  current: Settings,
  signalingUrl: string,
  relayText: string,
  backupText = (current.backupSignalingUrls ?? []).join('\n'),
): { ok: true; patch: Required<Pick<Settings, EndpointField>> } | { ok: false; errors: EndpointErrors } {
  try {
    const clean = validateSettings({ ...current, signalingUrl: signalingUrl.trim(), backupSignalingUrls: parseRelayLines(backupText), relayUrls: parseRelayLines(relayText) });
    return { ok: true, patch: { signalingUrl: clean.signalingUrl, backupSignalingUrls: clean.backupSignalingUrls ?? [], relayUrls: clean.relayUrls } };
  } catch (error) {
    return { ok: false, errors: errorsFrom(error) ?? { form: describeError('save the endpoint', error) } };
  }
}

function errorsFrom(error: unknown): EndpointErrors | null {
  const e = error as { name?: string; field?: unknown; message?: string };
  if (e?.name !== 'SettingsError' || (e.field !== 'signalingUrl' && e.field !== 'backupSignalingUrls' && e.field !== 'relayUrls')) return null;
  const message = String(e.message ?? 'is not valid');
  return { [e.field]: `${message[0]!.toUpperCase()}${message.slice(1).replace(/\.$/, '')}.` };
}

export function createEndpointModel(node: Pick<NodeModel, 'settings' | 'snapshot' | 'updateSettings'>): EndpointModel {
  const editing = signal(false);
  const signalingUrl = signal('');
  const backupSignalingUrls = signal('');
  const relayUrls = signal('');
  const errors = signal<EndpointErrors>({});
  const saving = signal(false);
  const status = signal<ActionStatus | null>(null);
  /** Aborted by dispose(): a save still on its way then writes nothing. */
  const scope = new AbortController();

  return {
    editing,
    signalingUrl,
    backupSignalingUrls,
    relayUrls,
    errors,
    saving,
    status,
    open() {
      const settings = node.settings.peek();
      const snapshot = node.snapshot.peek();
      batch(() => {
        signalingUrl.value = settings?.signalingUrl ?? snapshot?.signaling.url ?? '';
        backupSignalingUrls.value = (settings?.backupSignalingUrls ?? snapshot?.signaling.endpoints.slice(1).map((e) => e.url) ?? []).join('\n');
        relayUrls.value = (settings?.relayUrls ?? snapshot?.rendezvous.relays.map((r) => r.url) ?? []).join('\n');
        errors.value = {};
        status.value = null;
        editing.value = true;
      });
    },
    cancel() {
      batch(() => {
        editing.value = false;
        errors.value = {};
      });
    },
    setField(field, value) {
      batch(() => {
        ({ signalingUrl, backupSignalingUrls, relayUrls })[field].value = value;
        if (errors.peek()[field] || errors.peek().form) errors.value = {};
      });
    },
    async save() {
      if (saving.peek()) return false;
      const current = node.settings.peek();
      if (!current) {
        errors.value = { form: 'The settings have not loaded yet: wait a moment and save again.' };
        return false;
      }
      const check = checkEndpoint(current, signalingUrl.peek(), relayUrls.peek(), backupSignalingUrls.peek());
      if (!check.ok) {
        errors.value = check.errors;
        return false;
      }
      const unchanged =
        check.patch.signalingUrl === current.signalingUrl &&
        check.patch.backupSignalingUrls.join('\n') === (current.backupSignalingUrls ?? []).join('\n') &&
        check.patch.relayUrls.join('\n') === current.relayUrls.join('\n');
      if (unchanged) {
        batch(() => {
          editing.value = false;
          status.value = { kind: 'ok', text: 'Nothing changed: the node keeps its endpoint.' };
        });
        return true;
      }
      batch(() => {
        saving.value = true;
        errors.value = {};
      });
      try {
        await node.updateSettings(check.patch);
      } catch (error) {
        if (scope.signal.aborted) return false;
        batch(() => {
          saving.value = false;
          errors.value = errorsFrom(error) ?? { form: describeError('save the endpoint', error) };
        });
        return false;
      }
      if (scope.signal.aborted) return true;
      batch(() => {
        saving.value = false;
        editing.value = false;
        status.value = { kind: 'ok', text: 'Saved: the node is switching to the new endpoint.' };
      });
      return true;
    },
    dispose() {
      scope.abort();
    },
  };
}
