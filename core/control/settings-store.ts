/**
 * The user's settings as the background keeps them in storage.local: read back validated (fields a
 * newer build added take their defaults), and when what is stored no longer validates, the last
 * settings that did, or the defaults with the user's on/off choice kept, never guessed on. The problem
 * is reported once and shown in Diagnostics until the settings validate again.
 */
import { errorText } from '../lib/error-text';
import type { KeyValueStore, StorageArea } from '../lib/storage';
import { validateSettings, type Settings } from '../settings/settings';

export const SETTINGS_STORAGE = 'meshdeck:settings';
/** The last settings that validated, kept beside them: a corrupted copy never flips the user's choices. */
export const LAST_GOOD_SETTINGS_STORAGE = 'meshdeck:settings:last-good';

interface SettingsStoreDeps {
  local: KeyValueStore;
  /** The same area, for a write of both keys in one step. */
  area: StorageArea;
  /** Build-time defaults, used until the user changes something. */
  defaults: Settings;
  now(): number;
  /** A warning for the event log. */
  warn(message: string): void;
}

export class SettingsStore {
  /** Why the stored settings were not used, or null: shown in Diagnostics. */
  private problem: string | null = null;

  constructor(private readonly deps: SettingsStoreDeps) {}

  /**
   * The desired settings. Stored settings that fail validation (a bug, a downgrade, a hand edit) are
   * not used: the last settings that validated are, and the reason is reported in Diagnostics. Never
   * the defaults in their place: the default is `enabled: true`, which would switch on a node the
   * user switched off.
   */
  async current(): Promise<Settings> {
    const stored = await this.deps.local.get(SETTINGS_STORAGE);
    if (!stored) return this.deps.defaults;
    try {
      // Fields added by a newer build take their defaults.
      const settings = validateSettings({ ...this.deps.defaults, ...(stored as Partial<Settings>) }, this.deps.now());
      this.problem = null;
      return settings;
    } catch (error) {
      return this.fallBackFrom(stored, error);
    }
  }

  /** Stores `settings`, and keeps them as the last good ones. */
  store(settings: Settings): Promise<void> {
    return this.deps.area.set({ [SETTINGS_STORAGE]: settings, [LAST_GOOD_SETTINGS_STORAGE]: settings });
  }

  /** Desired state as the background found it: problems the user should see in Diagnostics. */
  problems(): string[] {
    return this.problem ? [this.problem] : [];
  }

  private async fallBackFrom(stored: unknown, error: unknown): Promise<Settings> {
    const field = (error as { field?: unknown }).field;
    const reason = typeof field === 'string' ? `${field}: ${errorText(error)}` : errorText(error);
    const lastGood = await this.lastGood();
    const enabled = (stored as Partial<Settings> | null)?.enabled;
    // Nothing valid to go back to: the defaults, but the user's on/off choice is never guessed on.
    const fallback = lastGood ?? { ...this.deps.defaults, enabled: typeof enabled === 'boolean' ? enabled : false };
    const source = lastGood
      ? 'the last settings that validated are used'
      : typeof enabled === 'boolean'
        ? 'defaults are used, with your on/off choice kept'
        : 'defaults are used, with P2P off';
    const problem = `stored settings are invalid (${reason}): ${source}`;
    if (problem !== this.problem) this.deps.warn(problem);
    this.problem = problem;
    return fallback;
  }

  private async lastGood(): Promise<Settings | null> {
    const lastGood = await this.deps.local.get(LAST_GOOD_SETTINGS_STORAGE);
    if (!lastGood) return null;
    try {
      return validateSettings({ ...this.deps.defaults, ...(lastGood as Partial<Settings>) }, this.deps.now());
    } catch {
      return null;
    }
  }
}
