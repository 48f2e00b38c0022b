import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_SERVER_DEFAULTS } from '../../../core/settings/settings';
import { parseCommand, parseFlags, parseIceServerFlag, UsageError, type NodeOptions } from '../../../server/node-options';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'node-options-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function options(argv: string[]): Promise<NodeOptions> {
  const parsed = await parseCommand(argv, { home: '/home/op' });
  if (parsed.help) throw new Error('help');
  return parsed.options;
}

/** Writes `value` (JSON, or text as it is) as the config file. */
async function config(value: unknown): Promise<string> {
  const file = path.join(dir, 'node.json');
  await writeFile(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

async function usageError(argv: string[]): Promise<string> {
  const error = await parseCommand(argv, { home: '/home/op' }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsageError);
  return (error as UsageError).message;
}

describe('meshdeck-node flags', () => {
  it('defaults to the local server on 127.0.0.1, no tracker, no ICE server, identity under ~/.config', async () => {
    const { settings, identityPath, statusIntervalS } = await options([]);
    expect(settings.signalingUrl).toBe(LOCAL_SERVER_DEFAULTS.signalingUrl);
    expect(settings.backupSignalingUrls).toEqual([]);
    expect(settings.relayUrls).toEqual([...LOCAL_SERVER_DEFAULTS.relayUrls]);
    expect(settings.trackerUrls).toEqual([]);
    expect(settings.iceServers).toEqual([]);
    expect(settings.room).toBe('default');
    expect(settings.maxPeers).toBe(8);
    expect(identityPath).toBe('/home/op/.config/meshdeck/identity.json');
    expect(statusIntervalS).toBe(0);
  });

  it('serves the dashboard on any free port unless told a port or none; the lists live beside the identity', async () => {
    const plain = await options(['--identity', '/srv/node/id.json']);
    expect(plain.dashboard).toEqual({ port: 0 });
    expect(plain.listsPath).toBe('/srv/node/lists.json');
    expect((await options(['--dashboard-port', '7180'])).dashboard).toEqual({ port: 7180 });
    expect((await options(['--no-dashboard'])).dashboard).toBeNull();
    expect((await options(['--lists', '/var/lib/meshdeck/lists.json'])).listsPath).toBe('/var/lib/meshdeck/lists.json');
    const file = await config({ dashboard: false, lists: 'l.json' });
    expect((await options(['--config', file])).dashboard).toBeNull();
    expect((await options(['--config', file])).listsPath).toBe(path.join(dir, 'l.json'));
    expect((await options(['--config', file, '--dashboard-port', '7181'])).dashboard).toEqual({ port: 7181 });
    expect((await options(['--config', await config({ dashboardPort: 7182 })])).dashboard).toEqual({ port: 7182 });
    expect(await usageError(['--dashboard-port', '70000'])).toBe('--dashboard-port: at most 65535');
    expect(await usageError(['--config', await config({ dashboardPort: 'x' })])).toMatch(/dashboardPort must be a port number/);
    expect(await usageError(['--config', await config({ dashboard: 'on' })])).toMatch(/dashboard must be true or false/);
  });

  it('takes repeated --signaling as primary then backups, and every other flag', async () => {
    const { settings, identityPath, statusIntervalS } = await options([
      '--signaling', 'http://127.0.0.1:1/peerjs',
      '--signaling=http://127.0.0.1:2/peerjs',
      '--relay', 'http://127.0.0.1:1/gun',
      '--relay', 'http://127.0.0.1:2/gun',
      '--tracker', 'ws://127.0.0.1:1/tracker',
      '--room', 'lab',
      '--max-peers', '3',
      '--ice-server', 'stun:127.0.0.1:3478',
      '--ice-server', '{"urls":"turn:127.0.0.1:3478","username":"u","credential":"c"}',
      '--identity', 'id.json',
      '--status-interval', '30',
    ]);
    expect(settings.signalingUrl).toBe('http://127.0.0.1:1/peerjs');
    expect(settings.backupSignalingUrls).toEqual(['http://127.0.0.1:2/peerjs']);
    expect(settings.relayUrls).toEqual(['http://127.0.0.1:1/gun', 'http://127.0.0.1:2/gun']);
    expect(settings.trackerUrls).toEqual(['ws://127.0.0.1:1/tracker']);
    expect(settings.room).toBe('lab');
    expect(settings.maxPeers).toBe(3);
    expect(settings.iceServers).toEqual([{ urls: 'stun:127.0.0.1:3478' }, { urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'c' }]);
    expect(identityPath).toBe(path.resolve('id.json'));
    expect(statusIntervalS).toBe(30);
  });

  it('--help wins over everything else', async () => {
    expect(await parseCommand(['--room', 'x', '--help'])).toEqual({ help: true });
    expect(parseFlags(['-h']).help).toBe(true);
  });

  it.each([
    [['--bogus'], 'unknown option --bogus (see --help)'],
    [['stray'], 'unexpected argument "stray" (see --help)'],
    [['--room'], '--room needs a value'],
    [['--room', '--relay', 'http://127.0.0.1:1/gun'], '--room needs a value'],
    [['--max-peers', 'lots'], '--max-peers: "lots" is not a whole number'],
    [['--max-peers', '65'], '--max-peers: at most 64'],
    [['--status-interval', '-1'], '--status-interval: "-1" is not a whole number'],
    [['--status-interval=1.5'], '--status-interval: "1.5" is not a whole number'],
    [['--relay', 'ftp://127.0.0.1/gun'], 'bad setting relayUrls (--relay): "ftp://127.0.0.1/gun" must start with http:// or https://'],
    [['--signaling', 'nope'], 'bad setting signalingUrl (--signaling): "nope" is not a URL'],
    [['--tracker', 'http://127.0.0.1/tracker'], 'bad setting trackerUrls (--tracker): "http://127.0.0.1/tracker" must start with ws:// or wss://'],
    [['--room', 'a room'], 'bad setting room (--room): must be 1–64 letters, digits, ".", "_" or "-"'],
    [['--ice-server', 'turn:127.0.0.1'], 'bad setting iceServers (--ice-server): ICE server 1: a TURN server needs a username'],
    [['--ice-server', '{"urls":'], '--ice-server: not valid JSON'],
  ])('%j is refused: %s', async (argv, message) => {
    expect(await usageError(argv)).toContain(message);
  });

  it('--ice-server takes one URL, one JSON server or a JSON list', () => {
    expect(parseIceServerFlag(' stun:127.0.0.1 ')).toEqual([{ urls: 'stun:127.0.0.1' }]);
    expect(parseIceServerFlag('[{"urls":"stun:a"},{"urls":["stun:b"]}]')).toEqual([{ urls: 'stun:a' }, { urls: ['stun:b'] }]);
  });
});

describe('meshdeck-node config file', () => {
  it('supplies settings that flags override; a relative identity is relative to the file', async () => {
    const file = await config({
      signalingUrls: ['http://127.0.0.1:1/peerjs', 'http://127.0.0.1:2/peerjs'],
      relayUrls: ['http://127.0.0.1:1/gun'],
      room: 'from-file',
      maxPeers: 4,
      iceServers: [{ urls: 'stun:127.0.0.1' }],
      pauseIncoming: true,
      identity: 'keys/identity.json',
      statusInterval: 60,
    });
    const fromFile = await options(['--config', file]);
    expect(fromFile.settings).toMatchObject({
      signalingUrl: 'http://127.0.0.1:1/peerjs',
      backupSignalingUrls: ['http://127.0.0.1:2/peerjs'],
      relayUrls: ['http://127.0.0.1:1/gun'],
      room: 'from-file',
      maxPeers: 4,
      iceServers: [{ urls: 'stun:127.0.0.1' }],
      pauseIncoming: true,
    });
    expect(fromFile.identityPath).toBe(path.join(dir, 'keys/identity.json'));
    expect(fromFile.statusIntervalS).toBe(60);

    const overridden = await options(['--config', file, '--room', 'flag', '--signaling', 'http://127.0.0.1:3/peerjs', '--max-peers', '0']);
    expect(overridden.settings.room).toBe('flag');
    expect(overridden.settings.signalingUrl).toBe('http://127.0.0.1:3/peerjs');
    expect(overridden.settings.backupSignalingUrls).toEqual([]);
    expect(overridden.settings.maxPeers).toBe(0);
    expect(overridden.settings.relayUrls).toEqual(['http://127.0.0.1:1/gun']);
  });

  it('says which settings the config file and which the flags gave; the state file lives beside the lists file unless named', async () => {
    const file = await config({ room: 'from-file', maxPeers: 4, trustedOnly: true, lists: 'l/lists.json' });
    const { sources, statePath } = await options(['--config', file, '--max-peers', '2', '--signaling', 'http://127.0.0.1:3/peerjs']);
    expect(sources).toEqual({
      enabled: 'default',
      signalingUrl: 'flag',
      backupSignalingUrls: 'flag',
      relayUrls: 'default',
      trackerUrls: 'default',
      room: 'config',
      maxPeers: 'flag',
      iceServers: 'default',
      routing: 'default',
      pauseIncoming: 'default',
      pauseOutgoing: 'default',
      trustedOnly: 'config',
      signalingStop: 'default',
    });
    expect(statePath).toBe(path.join(dir, 'l', 'state.json'));
    expect((await options(['--state', '/var/lib/meshdeck/dashboard.json'])).statePath).toBe('/var/lib/meshdeck/dashboard.json');
    expect((await options(['--config', await config({ state: 's.json' })])).statePath).toBe(path.join(dir, 's.json'));
    expect(await usageError(['--config', await config({ state: 1 })])).toMatch(/state must be a file path/);
  });

  it('names what is wrong with it', async () => {
    expect(await usageError(['--config', path.join(dir, 'missing.json')])).toMatch(/^--config: cannot read .*missing\.json: ENOENT$/);
    expect(await usageError(['--config', await config('{ nope')])).toMatch(/is not valid JSON/);
    expect(await usageError(['--config', await config([1])])).toMatch(/must hold a JSON object/);
    expect(await usageError(['--config', await config({ rooom: 'x' })])).toMatch(/unknown setting "rooom"/);
    expect(await usageError(['--config', await config({ relayUrls: 'http://127.0.0.1/gun' })])).toMatch(/relayUrls must be a list of URLs/);
    expect(await usageError(['--config', await config({ signalingUrls: [] })])).toMatch(/signalingUrls: needs at least one signaling URL/);
    expect(await usageError(['--config', await config({ maxPeers: 1.5 })])).toBe('bad setting maxPeers (--max-peers): must be a whole number from 0 to 64');
    expect(await usageError(['--config', await config({ trustedOnly: 'yes' })])).toBe('bad setting trustedOnly: must be true or false');
    expect(await usageError(['--config', await config({ statusInterval: -5 })])).toMatch(/statusInterval: must be a whole number/);
  });
});
