import { describe, expect, it } from 'vitest';
import { redactHistory, redactIceServers, redactTrial, restoreCredentials } from '../../../../core/control/ice-credentials';
import { defaultSettings, validateSettings } from '../../../../core/settings/settings';

const TURN = 'turn:127.0.0.1:3478';
const saved = [{ urls: TURN, username: 'me', credential: 's3cret' }];

describe('ICE credentials', () => {
  it('never reach a view: settings, trials and the history lose them', () => {
    const settings = { ...defaultSettings(), iceServers: saved };
    expect(redactIceServers(settings).iceServers).toEqual([{ urls: TURN, username: 'me', hasCredential: true }]);
    const trial = { id: 't', previous: settings, next: settings, startedAt: 0, deadline: 1 };
    expect(JSON.stringify(redactTrial(trial))).not.toContain('s3cret');
    expect(JSON.stringify(redactHistory([{ ...settings, workedAt: 1 }]))).not.toContain('s3cret');
    expect(redactTrial(null)).toBeNull();
  });

  it('come back from storage where the view kept them, matched by URLs and username', () => {
    expect(restoreCredentials([{ urls: TURN, username: ' me ', hasCredential: true }], saved)).toEqual([{ urls: TURN, username: ' me ', credential: 's3cret' }]);
    // A new credential wins; a STUN server needs none.
    expect(restoreCredentials([{ urls: TURN, username: 'me', credential: 'new', hasCredential: true }, { urls: 'stun:127.0.0.1' }], saved)).toEqual([
      { urls: TURN, username: 'me', credential: 'new' },
      { urls: 'stun:127.0.0.1' },
    ]);
  });

  it('are asked for again when the server changed', () => {
    expect(() => restoreCredentials([{ urls: 'turn:other.test', username: 'me', hasCredential: true }], saved)).toThrow(
      expect.objectContaining({ name: 'SettingsError', field: 'iceServers', ice: { index: 0, part: 'credential' } }),
    );
  });
});

describe('validateSettings: ICE servers', () => {
  const check = (iceServers: unknown) => validateSettings({ ...defaultSettings(), iceServers } as never);
  it('accepts STUN and TURN URLs, trimmed, in the shape given', () => {
    expect(check([{ urls: ' stun:127.0.0.1:3478 ' }, { urls: ['turns:turn.meshdeck.test:5349?transport=tcp'], username: 'u', credential: 'c' }]).iceServers).toEqual([
      { urls: 'stun:127.0.0.1:3478' },
      { urls: ['turns:turn.meshdeck.test:5349?transport=tcp'], username: 'u', credential: 'c' },
    ]);
  });
  it('names the server and the part at fault', () => {
    const fault = (servers: unknown) => {
      try {
        check(servers);
      } catch (error) {
        return (error as { ice?: unknown }).ice;
      }
      return null;
    };
    expect(fault([{ urls: 'stun:ok.test' }, { urls: 'turn:host with space' }])).toEqual({ index: 1, part: 'urls' });
    expect(fault([{ urls: 'turn:ok.test', credential: 'c' }])).toEqual({ index: 0, part: 'username' });
    expect(fault([{ urls: 'turn:ok.test', username: 'u' }])).toEqual({ index: 0, part: 'credential' });
    expect(fault([{ urls: [] }])).toEqual({ index: 0, part: 'urls' });
    expect(() => check(Array.from({ length: 9 }, () => ({ urls: 'stun:a.test' })))).toThrow(/at most 8/);
  });
});
