/**
 * meshdeck-node's state file (issue 22): the settings changed in the Node Dashboard, kept so that they
 * outlive a restart, as Syncthing's GUI writes its config. It holds only those changes, each with the
 * value it replaced, which decides whether it still wins over the config file and flags
 * (setting-sources.ts). Beside the lists file by default; mode 0600, replaced atomically and read with
 * care (server/private-file.ts). A file or entry that cannot be used is reported and ignored, never a reason
 * not to start: the node then runs on the config file and flags.
 *
 * Format: { "version": 1, "settings": { "<setting>": { "value": …, "replaced": … }, … } }
 *
 * An endpoint change on trial (core/control/endpoint-trial.ts) is written once it is kept: until then
 * the file holds the endpoints that last worked, so a restart during a trial never keeps endpoints
 * that had not proved themselves, as the trial would not have either.
 */
import { SETTINGS_STORAGE } from '../../core/control/settings-store';
import { TRIAL_STORAGE, type EndpointTrial } from '../../core/control/endpoint-trial';
import { SettingsError, validateSettings, type Settings } from '../../core/settings/settings';
import { errorText } from '../../core/lib/error-text';
import { SerialQueue } from '../../core/lib/serial-queue';
import type { StorageArea } from '../../core/lib/storage';
import {
  applicableChanges,
  changesOf,
  isSettingKey,
  SETTING_LABELS,
  withoutEndedStop,
  type DashboardChanges,
  type OperatorSource,
  type SettingSources,
} from '../setting-sources';
import { readPrivateFile, replacePrivateFile } from '../private-file';

const STATE_FILE_VERSION = 1;
/** Thirteen settings, with at most 8 ICE servers: a few KiB. */
export const STATE_FILE_MAX_BYTES = 64 * 1024;

/** Something the operator should hear about the state file: a warning (unusable content) or a note (a change overridden). */
export interface StateFileNote {
  warning: boolean;
  text: string;
}

interface StateFile {
  /** The settings to start with: the config file's and flags' (`base`), with the dashboard's changes still in force. */
  settings: Settings;
  notes: StateFileNote[];
  /** `local` (the controller's storage.local), writing the file after every change of the settings or of a trial. */
  persist(local: StorageArea): StorageArea;
  /** Resolves once every write begun so far is on disk. */
  flushed(): Promise<void>;
}

const render = (changes: DashboardChanges): string => JSON.stringify({ version: STATE_FILE_VERSION, settings: changes }, null, 2) + '\n';

/**
 * Reads `file` (when there is one) over `base`, the settings the config file and flags give, whose
 * `sources` say which of them the operator gave. Never throws for the file's content.
 */
export async function openStateFile(
  file: string,
  base: Settings,
  sources: SettingSources<OperatorSource>,
  { now = Date.now }: { now?: () => number } = {},
): Promise<StateFile> {
  const notes: StateFileNote[] = [];
  const warn = (text: string) => notes.push({ warning: true, text });
  const read = await readChanges(file);
  if (read.problem) warn(`the state file ${file} ${read.problem}: ignored (the dashboard's next change replaces it)`);
  for (const key of read.unknown) warn(`the state file ${file}: "${key}" is not a setting: dropped`);

  const { kept, overridden } = applicableChanges(read.changes, base, sources);
  for (const key of overridden) {
    notes.push({ warning: false, text: `settings: the dashboard's ${SETTING_LABELS[key]} gives way to the ${sources[key] === 'flag' ? "flag's" : "config file's"} new value` });
  }
  const settings = withoutEndedStop(validOver(base, kept, (key, message) => warn(`the state file ${file}: ${SETTING_LABELS[key]}: ${message}: dropped`)), now());

  // What the file says from now on: a dropped entry must not come back when the operator reverts the
  // config file's value. Left as it is when it could not be read at all: the operator may want it back.
  let written: string | null = read.problem ? null : render(changesOf(settings, base));
  if (read.text !== null && written !== null && written !== read.text) {
    await replacePrivateFile(file, written).catch((error: unknown) => {
      written = null;
      warn(`the state file ${file} could not be rewritten: ${errorText(error)}`);
    });
  }

  const writes = new SerialQueue();
  let last: Promise<void> = Promise.resolve();
  const save = (local: StorageArea): Promise<void> =>
    (last = writes.run(async () => {
      const stored = await local.get([SETTINGS_STORAGE, TRIAL_STORAGE]);
      const current = (stored[SETTINGS_STORAGE] as Settings | undefined) ?? settings;
      const trial = stored[TRIAL_STORAGE] as EndpointTrial | null | undefined;
      const text = render(changesOf(withoutEndedStop(trial ? { ...current, ...trial.previous } : current, now()), base));
      if (text === written) return;
      await replacePrivateFile(file, text);
      written = text;
    }));

  return {
    settings,
    notes,
    persist: (local) => ({
      get: (keys) => local.get(keys),
      async set(items) {
        await local.set(items);
        if (SETTINGS_STORAGE in items || TRIAL_STORAGE in items) await save(local);
      },
    }),
    flushed: () => last.catch(() => undefined),
  };
}

/** The stored changes, the names that are not settings, and why the file as a whole cannot be used (null: it can). */
async function readChanges(file: string): Promise<{ text: string | null; changes: DashboardChanges; unknown: string[]; problem: string | null }> {
  const none = (problem: string | null, text: string | null = null) => ({ text, changes: {}, unknown: [], problem });
  let text: string | null;
  try {
    text = await readPrivateFile(file, STATE_FILE_MAX_BYTES);
  } catch (error) {
    return none(errorText(error));
  }
  if (text === null) return none(null);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return none(`is not valid JSON (${errorText(error)})`, text);
  }
  const v = parsed as { version?: unknown; settings?: unknown } | null;
  if (typeof v !== 'object' || v === null || v.version !== STATE_FILE_VERSION || typeof v.settings !== 'object' || v.settings === null || Array.isArray(v.settings)) {
    return none(`is not a version ${STATE_FILE_VERSION} state file`, text);
  }
  const changes: DashboardChanges = {};
  const unknown: string[] = [];
  for (const [key, entry] of Object.entries(v.settings)) {
    const e = entry as Partial<Record<'value' | 'replaced', unknown>> | null;
    // No setting nests deeper than a few levels (ICE servers: a list of objects with a list of URLs):
    // a deeper value is not a setting, and comparing it (canonical JSON) would recurse without end.
    if (isSettingKey(key) && typeof e === 'object' && e !== null && 'value' in e && depthOf(e) <= MAX_SETTING_DEPTH) changes[key] = { value: e.value, replaced: e.replaced };
    else unknown.push(key);
  }
  return { text, changes, unknown, problem: null };
}

/** How deep a state file entry ({value, replaced}) may nest. */
const MAX_SETTING_DEPTH = 8;

/** How deeply `value` nests (0 for a scalar); counting stops past MAX_SETTING_DEPTH. */
function depthOf(value: unknown, depth = 0): number {
  if (typeof value !== 'object' || value === null || depth > MAX_SETTING_DEPTH) return depth;
  let deepest = depth;
  for (const child of Object.values(value)) deepest = Math.max(deepest, depthOf(child, depth + 1));
  return deepest;
}

/**
 * `base` with `changes`, checked by the extension's own rules (validateSettings); a change they refuse
 * is left out and reported, and the rest checked again. `base` alone is valid (node-options.ts checked it).
 */
function validOver(base: Settings, changes: Partial<Settings>, refused: (key: keyof Settings, message: string) => void): Settings {
  const left: Partial<Settings> = { ...changes };
  for (;;) {
    try {
      return validateSettings({ ...base, ...left });
    } catch (error) {
      const key = error instanceof SettingsError && error.field in left ? error.field : null;
      if (key) {
        refused(key, error instanceof Error ? error.message : String(error));
        delete left[key];
        continue;
      }
      // Not one field's fault (it cannot be base's): none of the changes is trusted.
      for (const other of Object.keys(left) as (keyof Settings)[]) refused(other, errorText(error));
      return base;
    }
  }
}
