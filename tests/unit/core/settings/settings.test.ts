import { describe, expect, it } from 'vitest';
import { applySettingsPatch, defaultSettings, MAX_SIGNALING_STOP_MS, validateSettings, type Settings } from '../../../../core/settings/settings';

const valid = defaultSettings();
const withField = (patch: Record<string, unknown>) => ({ ...valid, ...patch }) as Settings;

describe('validateSettings', () => {
  it('returns a clean copy of valid settings, trimming the room and normalising URLs', () => {
    const clean = validateSettings(withField({ room: '  lab ', signalingUrl: 'http://127.0.0.1:9000/peerjs/' }));
    expect(clean).toMatchObject({ room: 'lab', signalingUrl: 'http://127.0.0.1:9000/peerjs' });
    expect(clean).not.toBe(valid);
  });

  it.each([
    ['enabled', 'yes'],
    ['signalingUrl', 'ftp://127.0.0.1/peerjs'],
    ['signalingUrl', 'not a url'],
    ['relayUrls', []],
    ['relayUrls', ['http://127.0.0.1:9000/gun', 42]],
    ['room', 'has spaces'],
    ['room', 'x'.repeat(65)],
    ['iceServers', [{ urls: 'http://example.invalid' }]],
    ['iceServers', 'stun:127.0.0.1'],
    ['maxPeers', 65],
    ['maxPeers', 2.5],
    ['routing', 1],
    ['pauseIncoming', null],
    ['trustedOnly', 'yes'],
    ['trustedOnly', undefined],
    ['signalingStop', { until: 'later' }],
    ['trackerUrls', ['http://127.0.0.1:9000/tracker']],
    ['trackerUrls', ['ws://127.0.0.1:1/a', 'ws://127.0.0.1:2/a', 'ws://127.0.0.1:3/a', 'ws://127.0.0.1:4/a']],
    ['trackerUrls', 'ws://127.0.0.1:9000/tracker'],
  ])('refuses %s = %j, naming the field', (field, value) => {
    expect(() => validateSettings(withField({ [field]: value }))).toThrow(expect.objectContaining({ name: 'SettingsError', field }));
  });

  it('takes WebSocket tracker URLs, without repeats; none when absent', () => {
    const clean = validateSettings(withField({ trackerUrls: ['ws://127.0.0.1:9000/tracker/', 'ws://127.0.0.1:9000/tracker', 'wss://t.example.org/x'] }));
    expect(clean.trackerUrls).toEqual(['ws://127.0.0.1:9000/tracker', 'wss://t.example.org/x']);
    expect(validateSettings(withField({ trackerUrls: undefined })).trackerUrls).toEqual([]);
  });

  it('builds with the local tracker unless told other trackers, or none', () => {
    expect(defaultSettings().trackerUrls).toEqual(['ws://127.0.0.1:9000/tracker']);
    expect(defaultSettings({ WXT_TRACKER_URLS: 'wss://a.example.org/t, wss://b.example.org/t' }).trackerUrls).toEqual(['wss://a.example.org/t', 'wss://b.example.org/t']);
    expect(defaultSettings({ WXT_TRACKER_URLS: 'none' }).trackerUrls).toEqual([]);
  });

  it('has Trusted peers only off by default, and takes it on as a patch', () => {
    expect(defaultSettings().trustedOnly).toBe(false);
    expect(applySettingsPatch(valid, { trustedOnly: true })).toMatchObject({ trustedOnly: true, pauseIncoming: false });
  });

  it('takes a signaling stop that ends within a year, or never; refuses a patch further ahead, and brings a stored one back to the bound (issue 23, item 12)', () => {
    const now = Date.UTC(2025, 0, 1);
    const stopUntil = (until: number | null) => withField({ signalingStop: { until } });
    expect(validateSettings(stopUntil(null), now).signalingStop).toEqual({ until: null });
    expect(validateSettings(stopUntil(now + MAX_SIGNALING_STOP_MS), now).signalingStop).toEqual({ until: now + MAX_SIGNALING_STOP_MS });
    // An ended stop is still valid (the node resumed); setTimeout's limit is some 24.8 days.
    expect(validateSettings(stopUntil(now - 1), now).signalingStop).toEqual({ until: now - 1 });
    for (const until of [now + MAX_SIGNALING_STOP_MS + 1, now + 2 ** 40, Number.MAX_SAFE_INTEGER]) {
      // Stored (say before the clock was set back): kept, ending at the bound, not refused with every other setting.
      expect(validateSettings(stopUntil(until), now).signalingStop).toEqual({ until: now + MAX_SIGNALING_STOP_MS });
      expect(() => applySettingsPatch(valid, { signalingStop: { until } }, now)).toThrow(expect.objectContaining({ name: 'SettingsError', field: 'signalingStop' }));
    }
  });

  it('validates a patch as a whole against the current settings', () => {
    expect(applySettingsPatch(valid, { maxPeers: 3 }).maxPeers).toBe(3);
    expect(() => applySettingsPatch(valid, { maxPeers: -1 })).toThrow(/maxPeers|whole number/);
  });
});
