import { describe, expect, it } from 'vitest';
import { applySettingsPatch, defaultSettings, validateSettings, type Settings } from '../../../../core/control/settings';

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
    ['signalingStop', { until: 'later' }],
  ])('refuses %s = %j, naming the field', (field, value) => {
    expect(() => validateSettings(withField({ [field]: value }))).toThrow(expect.objectContaining({ name: 'SettingsError', field }));
  });

  it('validates a patch as a whole against the current settings', () => {
    expect(applySettingsPatch(valid, { maxPeers: 3 }).maxPeers).toBe(3);
    expect(() => applySettingsPatch(valid, { maxPeers: -1 })).toThrow(/maxPeers|whole number/);
  });
});
