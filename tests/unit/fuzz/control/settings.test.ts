/**
 * Fuzzing validateSettings (core/settings/settings.ts) the way the controller calls it: on whatever
 * storage.local held, spread over the defaults, and on a view's patch over the current settings. It
 * returns clean settings (every field of its declared type and range) or throws SettingsError naming
 * a field.
 */
import { describe, expect } from 'vitest';
import { fc, it } from '@fast-check/vitest';
import { applySettingsPatch, defaultSettings, SettingsError, validateSettings, type Settings } from '../../../../core/settings/settings';
import { decode, fuzzTally } from '../../../support/fuzz-tally';
import { hostileField, hostileString, hostileValue, mutate, mutation, type Mutation } from '../../../support/fuzz-arbitraries';

const tally = fuzzTally(__filename);
const DEFAULTS = defaultSettings();
const KEYS = Object.keys(DEFAULTS).sort();

const isHttpUrl = (v: unknown) => {
  if (typeof v !== 'string') return false;
  try {
    const url = new URL(v);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
};

/** What is wrong with validated settings, or null. */
function settingsProblem(s: Settings): string | null {
  if (Object.keys(s).sort().join() !== KEYS.join()) return `keys ${Object.keys(s).join()}`;
  for (const field of ['enabled', 'routing', 'pauseIncoming', 'pauseOutgoing', 'trustedOnly'] as const) if (typeof s[field] !== 'boolean') return `${field} is not a boolean`;
  if (!isHttpUrl(s.signalingUrl)) return `signalingUrl ${String(s.signalingUrl)}`;
  if (!Array.isArray(s.relayUrls) || s.relayUrls.length === 0 || !s.relayUrls.every(isHttpUrl)) return 'relayUrls';
  if (typeof s.room !== 'string' || !/^[\w.-]{1,64}$/.test(s.room)) return `room ${String(s.room)}`;
  if (!Number.isInteger(s.maxPeers) || s.maxPeers < 0 || s.maxPeers > 64) return `maxPeers ${s.maxPeers}`;
  if (s.signalingStop !== null && !(typeof s.signalingStop === 'object' && (s.signalingStop.until === null || Number.isFinite(s.signalingStop.until)))) return 'signalingStop';
  if (!Array.isArray(s.iceServers)) return 'iceServers is not a list';
  for (const server of s.iceServers) {
    if (server === null || typeof server !== 'object') return 'an ICE server is not an object';
    const urls = typeof server.urls === 'string' ? [server.urls] : server.urls;
    if (!Array.isArray(urls) || !urls.every((u) => typeof u === 'string' && /^(stun|turns?):/.test(u))) return 'ICE server urls';
  }
  return null;
}

/** The declared IceServer type: username and credential, where given, are text. */
function iceCredentialsProblem(s: Settings): string | null {
  for (const server of s.iceServers) {
    for (const field of ['username', 'credential'] as const) {
      if (server[field] !== undefined && typeof server[field] !== 'string') return `ICE server ${field} of type ${typeof server[field]}`;
    }
  }
  return null;
}

function check(run: () => Settings, problems: ((s: Settings) => string | null)[] = [settingsProblem]): void {
  const outcome = decode('validateSettings', [SettingsError], run);
  if ('error' in outcome) {
    expect(KEYS).toContain((outcome.error as SettingsError).field);
    return;
  }
  for (const problemOf of problems) {
    const problem = problemOf(outcome.value);
    if (problem) expect.fail(`validateSettings returned malformed settings: ${problem}`);
  }
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

/** What storage.local held under the settings key, as the controller reads it. */
const fromStorage = (stored: unknown) => () => validateSettings({ ...DEFAULTS, ...(stored as Partial<Settings>) });

const url = fc.oneof(fc.constantFrom('http://127.0.0.1:9000/peerjs', 'https://example.test/gun', ' http://x/ ', 'ftp://x', 'http://', 'javascript:alert(1)', 'http://[::1]:9000', 'http://a b'), fc.webUrl(), hostileString);
const iceServer = fc.record({
  urls: fc.oneof(fc.constantFrom('stun:127.0.0.1', 'turn:x', 'turns:x', 'http://x'), fc.array(fc.constantFrom('stun:a', 'turn:b', 'x'), { maxLength: 3 }), hostileField),
  username: fc.oneof(fc.string({ maxLength: 8 }), hostileField),
  credential: fc.oneof(fc.string({ maxLength: 8 }), hostileField),
}, { requiredKeys: ['urls'] });
const either = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: hostileField });
/** Settings-shaped objects: each field of the right type most of the time. */
const shapedSettings = fc.record({
  enabled: either(fc.boolean()), signalingUrl: either(url), relayUrls: either(fc.array(url, { maxLength: 3 })),
  room: either(fc.oneof(fc.constantFrom('default', 'lab', ' a ', '', 'x'.repeat(64), 'x'.repeat(65), 'a/b', '__proto__'), fc.string({ maxLength: 70 }))),
  iceServers: either(fc.array(fc.oneof(iceServer, hostileField), { maxLength: 3 })), maxPeers: either(fc.oneof(fc.integer({ min: -2, max: 66 }), fc.double())),
  routing: either(fc.boolean()), pauseIncoming: either(fc.boolean()), pauseOutgoing: either(fc.boolean()), trustedOnly: either(fc.boolean()),
  signalingStop: either(fc.oneof(fc.constant(null), fc.record({ until: fc.oneof(fc.constant(null), fc.integer(), fc.double()) }, { requiredKeys: [] }))),
}, { requiredKeys: [] }).chain((settings) =>
  // Own `__proto__` and `constructor` keys, as JSON.parse makes them.
  fc.record({ proto: fc.option(hostileField, { freq: 5 }), ctor: fc.option(hostileField, { freq: 5 }) }).map(({ proto, ctor }) => {
    const out: Record<string, unknown> = { ...settings };
    const own = (key: string, value: unknown) => Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    if (proto !== null) own('__proto__', proto);
    if (ctor !== null) own('constructor', ctor);
    return out;
  }),
);

describe('validateSettings under fuzzing', () => {
  it('keeps valid settings as they are (positive control)', () => {
    expect(validateSettings(DEFAULTS)).toEqual(DEFAULTS);
    expect(settingsProblem(DEFAULTS)).toBeNull();
    const custom: Settings = { ...DEFAULTS, room: 'lab', maxPeers: 64, iceServers: [{ urls: ['stun:127.0.0.1:3478'], username: 'u', credential: 'c' }], signalingStop: { until: null } };
    expect(validateSettings(custom)).toEqual(custom);
  });

  it.prop([hostileValue], { seed: 0x5eed + 50, numRuns: 4_000 })(
    'whatever storage held, spread over the defaults: clean settings or a SettingsError',
    tally.property((stored: unknown) => check(fromStorage(stored))),
    60_000,
  );

  it.prop([shapedSettings], { seed: 0x5eed + 51, numRuns: 5_000 })(
    'settings-shaped objects from storage: clean settings or a SettingsError',
    tally.property((stored: Record<string, unknown>) => check(fromStorage(stored))),
    60_000,
  );

  it.prop([shapedSettings], { seed: 0x5eed + 52, numRuns: 4_000 })(
    'a view\'s patch over the current settings: clean settings or a SettingsError',
    tally.property((patch: Record<string, unknown>) => check(() => applySettingsPatch(DEFAULTS, patch as Partial<Settings>))),
    60_000,
  );

  it.prop([mutation], { seed: 0x5eed + 53, numRuns: 3_000 })(
    'valid settings with one field dropped, retyped, flipped or added: clean settings or a SettingsError',
    tally.property((m: Mutation) => check(() => validateSettings(mutate({ ...DEFAULTS, iceServers: [{ urls: 'stun:127.0.0.1:3478', username: 'u', credential: 'c' }], signalingStop: { until: 1 } }, m)))),
    60_000,
  );

  it.prop([fc.array(iceServer, { minLength: 1, maxLength: 3 })], { seed: 0x5eed + 54, numRuns: 2_000 })(
    'ICE servers as storage held them: clean settings have text usernames and credentials, or none',
    tally.property((iceServers: unknown[]) => check(fromStorage({ iceServers }), [settingsProblem, iceCredentialsProblem])),
    60_000,
  );
});
