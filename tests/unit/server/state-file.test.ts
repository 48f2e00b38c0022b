import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SETTINGS_STORAGE } from '../../../core/control/settings-store';
import { TRIAL_STORAGE } from '../../../core/control/endpoint-trial';
import type { Settings } from '../../../core/settings/settings';
import { openStateFile, STATE_FILE_MAX_BYTES } from '../../../server/headless/state-file';
import { nodeDefaults } from '../../../server/node-options';
import { SETTING_KEYS, type OperatorSource, type SettingSources } from '../../../server/setting-sources';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'state-file-'));
  file = path.join(dir, 'state.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The settings of a config file naming `room office`, everything else by default. */
const base: Settings = { ...nodeDefaults(), room: 'office' };
const sources = Object.fromEntries(SETTING_KEYS.map((key) => [key, key === 'room' ? 'config' : 'default'])) as SettingSources<OperatorSource>;

/** A storage.local as the lists file gives it: an in-memory area. */
function memoryArea(seed: Record<string, unknown> = {}) {
  const values = new Map(Object.entries(seed));
  return {
    get: async (keys: string[] | null) => Object.fromEntries([...values].filter(([key]) => !keys || keys.includes(key))),
    set: async (items: Record<string, unknown>) => void Object.entries(items).forEach(([key, value]) => values.set(key, value)),
  };
}

/** What the controller does on `settings:update`: stores the whole settings. */
async function dashboardSets(patch: Partial<Settings>, start: Settings = base) {
  const state = await openStateFile(file, base, sources);
  const local = state.persist(memoryArea({ [SETTINGS_STORAGE]: state.settings }));
  await local.set({ [SETTINGS_STORAGE]: { ...start, ...state.settings, ...patch } });
  await state.flushed();
  return { state, local };
}

const stored = async () => JSON.parse(await readFile(file, 'utf8')) as { version: number; settings: Record<string, { value: unknown; replaced: unknown }> };

describe('the state file', () => {
  it('keeps only what the dashboard changed, with the value it replaced, in a 0600 file; a restart starts with it', async () => {
    const fresh = await openStateFile(file, base, sources);
    expect(fresh.settings).toEqual(base);
    expect(fresh.notes).toEqual([]);
    await expect(stat(file)).rejects.toThrow();

    await dashboardSets({ trustedOnly: true, maxPeers: 3, room: 'office' });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await stored()).toEqual({ version: 1, settings: { maxPeers: { value: 3, replaced: 8 }, trustedOnly: { value: true, replaced: false } } });
    expect(await readdir(dir)).toEqual(['state.json']);

    const again = await openStateFile(file, base, sources);
    expect(again.settings).toEqual({ ...base, trustedOnly: true, maxPeers: 3 });
    expect(again.notes).toEqual([]);
  });

  it('is replaced by a rename on every change, and a change back to the config file’s value leaves nothing', async () => {
    await dashboardSets({ pauseIncoming: true });
    const first = await stat(file);
    await dashboardSets({ pauseIncoming: false });
    expect((await stat(file)).ino).not.toBe(first.ino);
    expect(await stored()).toEqual({ version: 1, settings: {} });
  });

  it('writes an endpoint change only once its trial keeps it: a restart mid-trial goes back to the endpoints that worked', async () => {
    const state = await openStateFile(file, base, sources);
    const local = state.persist(memoryArea({ [SETTINGS_STORAGE]: base }));
    const previous = { signalingUrl: base.signalingUrl, backupSignalingUrls: [], relayUrls: base.relayUrls, room: 'office', iceServers: [] };
    await local.set({ [TRIAL_STORAGE]: { id: 't', previous, next: { ...previous, room: 'lab' }, startedAt: 0, deadline: 15_000 } });
    await local.set({ [SETTINGS_STORAGE]: { ...base, room: 'lab', maxPeers: 5 } });
    await state.flushed();
    expect((await stored()).settings).toEqual({ maxPeers: { value: 5, replaced: 8 } });
    await local.set({ [TRIAL_STORAGE]: null });
    await state.flushed();
    expect((await stored()).settings).toEqual({ room: { value: 'lab', replaced: 'office' }, maxPeers: { value: 5, replaced: 8 } });
  });

  it('keeps a signaling stop until it ends, and no longer', async () => {
    let now = 1000;
    const state = await openStateFile(file, base, sources, { now: () => now });
    const local = state.persist(memoryArea());
    await local.set({ [SETTINGS_STORAGE]: { ...base, signalingStop: { until: 5000 } } });
    expect((await stored()).settings).toEqual({ signalingStop: { value: { until: 5000 }, replaced: null } });
    expect((await openStateFile(file, base, sources, { now: () => now })).settings.signalingStop).toEqual({ until: 5000 });
    now = 5000;
    const ended = await openStateFile(file, base, sources, { now: () => now });
    expect(ended.settings.signalingStop).toBeNull();
    expect((await stored()).settings).toEqual({});
  });

  it.each([
    ['not JSON', '{"version": 1, "settings": {', /is not valid JSON/],
    ['another version', '{"version": 2, "settings": {}}', /is not a version 1 state file/],
    ['settings not an object', '{"version": 1, "settings": [1]}', /is not a version 1 state file/],
    ['over its bound', `{"version": 1, "settings": {}, "pad": "${'x'.repeat(STATE_FILE_MAX_BYTES)}"}`, new RegExp(`is larger than ${STATE_FILE_MAX_BYTES} bytes`)],
  ])('that is %s is reported and ignored, left as it is until the dashboard’s next change replaces it', async (_what, text, problem) => {
    await writeFile(file, text, { mode: 0o600 });
    const state = await openStateFile(file, base, sources);
    expect(state.settings).toEqual(base);
    expect(state.notes).toHaveLength(1);
    expect(state.notes[0]!.warning).toBe(true);
    expect(state.notes[0]!.text).toMatch(problem);
    expect(state.notes[0]!.text).toContain(`the state file ${file} `);
    expect(await readFile(file, 'utf8')).toBe(text);
    const local = state.persist(memoryArea());
    await local.set({ [SETTINGS_STORAGE]: { ...base, routing: false } });
    expect((await stored()).settings).toEqual({ routing: { value: false, replaced: true } });
  });

  it('drops, with a warning naming it, an entry the settings’ own validation refuses or that is no setting, and keeps the rest', async () => {
    await writeFile(
      file,
      JSON.stringify({
        version: 1,
        settings: {
          room: { value: 'a room with spaces', replaced: 'office' },
          iceServers: { value: [{ urls: 'turn:127.0.0.1:3478' }], replaced: [] },
          maxPeers: { value: 'many', replaced: 8 },
          relayUrls: 'not an entry',
          colour: { value: 'blue' },
          pauseOutgoing: { replaced: false, value: true },
          trustedOnly: { value: 'DEEP', replaced: false },
        },
        // Nested past any setting's depth (written as text: JSON.stringify itself would overflow): dropped
        // before anything compares it, which once overflowed the stack at start.
      }).replace('"DEEP"', '['.repeat(30_000) + ']'.repeat(30_000)),
      { mode: 0o600 },
    );
    const state = await openStateFile(file, base, sources);
    expect(state.settings).toEqual({ ...base, pauseOutgoing: true });
    expect(state.notes.map((note) => note.text)).toEqual([
      `the state file ${file}: "relayUrls" is not a setting: dropped`,
      `the state file ${file}: "colour" is not a setting: dropped`,
      `the state file ${file}: "trustedOnly" is not a setting: dropped`,
      `the state file ${file}: room: must be 1–64 letters, digits, ".", "_" or "-": dropped`,
      `the state file ${file}: ICE servers: ICE server 1: a TURN server needs a username: dropped`,
      `the state file ${file}: max peers: must be a whole number from 0 to 64: dropped`,
    ]);
    // Rewritten without them, so that they cannot come back.
    expect(await stored()).toEqual({ version: 1, settings: { pauseOutgoing: { value: true, replaced: false } } });
  });

  it('drops a change the config file has given a new value since, saying so', async () => {
    await dashboardSets({ room: 'lab', trustedOnly: true });
    const moved: Settings = { ...base, room: 'hall' };
    const state = await openStateFile(file, moved, sources);
    expect(state.settings).toEqual({ ...moved, trustedOnly: true });
    expect(state.notes).toEqual([{ warning: false, text: "settings: the dashboard's room gives way to the config file's new value" }]);
    expect((await stored()).settings).toEqual({ trustedOnly: { value: true, replaced: false } });
    // The config file's old value back: the dropped change stays dropped.
    expect((await openStateFile(file, base, sources)).settings.room).toBe('office');
  });

  it('reads a symbolic link as the lists file does: refused (reported, ignored), and the next write replaces the link, not its target', async () => {
    const target = path.join(dir, 'elsewhere.json');
    const text = JSON.stringify({ version: 1, settings: { trustedOnly: { value: true, replaced: false } } });
    await writeFile(target, text, { mode: 0o600 });
    await symlink(target, file);
    const state = await openStateFile(file, base, sources);
    expect(state.settings).toEqual(base);
    expect(state.notes[0]!.text).toBe(`the state file ${file} is a symbolic link: give the real file: ignored (the dashboard's next change replaces it)`);
    await state.persist(memoryArea()).set({ [SETTINGS_STORAGE]: { ...base, routing: false } });
    expect(await readFile(target, 'utf8')).toBe(text);
    expect((await stored()).settings).toEqual({ routing: { value: false, replaced: true } });
  });

  it('does not hang on a FIFO at its name', async () => {
    execFileSync('mkfifo', [file]);
    const state = await openStateFile(file, base, sources);
    expect(state.notes[0]!.text).toMatch(/is not a regular file/);
  });
});
