import { describe, expect, it } from 'vitest';
import { LOOPBACK_BUILD_ENV, STORE_BUILD_VARIABLES, storeBuildEnv } from '../../../scripts/build-extension.mjs';

describe('storeBuildEnv (the environment of `npm run zip`)', () => {
  it('makes a test build into a store build: no test instruments from the environment', () => {
    const env = storeBuildEnv({ PATH: '/usr/bin', ...LOOPBACK_BUILD_ENV });
    expect(env).not.toHaveProperty('WXT_INSTRUMENT');
    expect(env.PATH).toBe('/usr/bin');
  });

  it('drops any WXT_ variable that is not an endpoint, so a new test switch cannot reach the stores', () => {
    const env = storeBuildEnv({ WXT_FORCE_RELAY: '1', WXT_DEBUG_HOOK: '1', HOME: '/root' });
    expect(env).toEqual({ HOME: '/root' });
  });

  it('keeps the endpoints a publisher points the build at', () => {
    const endpoints = {
      WXT_SIGNALING_URL: 'https://signal.example/peerjs',
      WXT_RELAY_URLS: 'https://relay.example/gun',
      WXT_TRACKER_URLS: 'wss://tracker.example',
      WXT_ROOM: 'friends',
      WXT_ICE_SERVERS: '[{"urls":"turn:turn.example:3478","username":"u","credential":"c"}]',
    };
    expect(Object.keys(endpoints).sort()).toEqual([...STORE_BUILD_VARIABLES].sort());
    expect(storeBuildEnv({ ...endpoints, WXT_INSTRUMENT: '1' })).toEqual(endpoints);
  });

  it('drops MESHDECK_OUT_DIR, so the zips land in .output as the README says', () => {
    expect(storeBuildEnv({ MESHDECK_OUT_DIR: '/tmp/bench-build', LANG: 'C' })).toEqual({ LANG: 'C' });
  });

  it('leaves the environment it was given unchanged', () => {
    const given = { WXT_INSTRUMENT: '1' };
    storeBuildEnv(given);
    expect(given).toEqual({ WXT_INSTRUMENT: '1' });
  });
});
