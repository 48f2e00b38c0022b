/**
 * The local signaling + relay server against real clients: PeerJS peers on @roamhq/wrtc and GUN clients,
 * all in Node. Run inside a loopback-only network namespace:
 *   unshare -n sh -c 'ip link set lo up; npx vitest run --project integration'
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startLocalServer, type LocalServer } from '../../server/local-server';
import { installNodeWebRTC } from '../../server/node-webrtc';

installNodeWebRTC();
// After installNodeWebRTC: PeerJS reads the WebRTC globals when it loads.
const { Peer } = await import('peerjs');
type PeerInstance = InstanceType<typeof Peer>;
type DataConnection = ReturnType<PeerInstance['connect']>;

const require = createRequire(import.meta.url);

/** The GUN client API used here (GUN's .d.ts declares globals, so it is not imported). */
interface GunChain {
  get(key: string): GunChain;
  put(data: Record<string, string | number>, ack: (ack: { err?: string; ok?: unknown }) => void): GunChain;
  on(callback: (value: unknown) => void): GunChain;
  back(path: 'opt'): { peers: Record<string, { wire?: { close(): void } | null }> };
}
interface GunRoot extends GunChain {
  on(event: 'hi', callback: () => void): GunChain;
  on(callback: (value: unknown) => void): GunChain;
}
const Gun = require('gun') as (options: Record<string, unknown>) => GunRoot;

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
/** A Meshdeck-shaped node ID: 'n' + 26 lower-case base32 characters (27 in all). */
function nodeId(): string {
  return 'n' + Array.from(randomBytes(26), (byte) => BASE32[byte % 32]).join('');
}

// --- PeerJS ----------------------------------------------------------------------------------------

const peers: PeerInstance[] = [];
afterEach(() => {
  for (const peer of peers.splice(0)) peer.destroy();
});

function createPeer(server: LocalServer, id: string): PeerInstance {
  const url = new URL(server.signalingUrl);
  const peer = new Peer(id, {
    host: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    key: 'peerjs',
    secure: false,
    config: { iceServers: [] }, // loopback host candidates only: no STUN/TURN server is ever contacted
    debug: 0,
  });
  peers.push(peer);
  return peer;
}

async function openPeer(server: LocalServer, id: string): Promise<PeerInstance> {
  const peer = createPeer(server, id);
  await new Promise<void>((resolve, reject) => {
    peer.once('open', () => resolve());
    peer.once('error', reject);
  });
  return peer;
}

// --- GUN -------------------------------------------------------------------------------------------

const gunClients: GunRoot[] = [];
afterEach(() => {
  for (const gun of gunClients.splice(0)) closeGun(gun);
});

/**
 * A GUN client in Node that only talks to the relay: no disk, no multicast, no stats file. Returned in
 * an object because a GUN chain is a thenable (`gun.then` is GUN's `once`): resolving a promise with it
 * would wait for GUN data, not return the client.
 */
async function connectGun(relayUrl: string): Promise<{ gun: GunRoot }> {
  // Loading `gun` (its Node entry) registers server plugins for every instance: turn them off. Without
  // `rfs: false` each client would create a `radata` folder in the working directory.
  const gun = Gun({
    peers: [relayUrl],
    localStorage: false,
    radisk: false,
    rfs: false,
    axe: false,
    multicast: false,
    stats: false,
    super: false,
  });
  gunClients.push(gun);
  await new Promise<void>((resolve) => gun.on('hi', () => resolve()));
  return { gun };
}

/** GUN has no close(): drop its peers first so the socket's close does not schedule a reconnect. */
function closeGun(gun: GunRoot): void {
  const { peers: gunPeers } = gun.back('opt');
  for (const [key, peer] of Object.entries(gunPeers)) {
    delete gunPeers[key];
    peer.wire?.close();
  }
}

/** Resolves once the relay acknowledges the write (it acks after radisk has written it). */
function putAndAck(gun: GunRoot, soul: string, data: Record<string, string | number>): Promise<void> {
  return new Promise((resolve, reject) =>
    gun.get(soul).put(data, (ack) => (ack.err ? reject(new Error(ack.err)) : resolve())),
  );
}

/** A box key as a node writes it (core/discovery/graph-families.ts): the relay keeps only Meshdeck's souls. */
function boxKey(box: string): { soul: string; data: Record<string, string | number> } {
  const id = nodeId();
  return { soul: `meshdeck/v1/test/boxes/${id}`, data: { id, box, ts: Date.now(), sig: 's'.repeat(86) } };
}

/** The first defined value of `soul.key`, as GUN delivers it (from the relay, for a fresh client). */
function readField(gun: GunRoot, soul: string, key: string): Promise<unknown> {
  return new Promise((resolve) => gun.get(soul).get(key).on((value) => value !== undefined && resolve(value)));
}

// --- sockets of this process, from /proc -----------------------------------------------------------

async function socketInodes(): Promise<Set<string>> {
  const inodes = new Set<string>();
  for (const fd of await readdir('/proc/self/fd')) {
    // An fd can close between readdir and readlink; such an fd is not a socket we are looking for.
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match?.[1]) inodes.add(match[1]);
  }
  return inodes;
}

/** /proc/net hex address ("0100007F:1F90"; IPv6 as four little-endian 32-bit words) → bytes and port. */
function decodeProcAddress(hex: string): { ip: string; port: number; loopback: boolean } {
  const [addr = '', port = ''] = hex.split(':');
  const bytes = (addr.match(/.{8}/g) ?? []).flatMap((word) =>
    (word.match(/../g) ?? []).reverse().map((byte) => parseInt(byte, 16)),
  );
  if (bytes.length === 4) return { ip: bytes.join('.'), port: parseInt(port, 16), loopback: bytes[0] === 127 };
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  const isV4Mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  const isLoopback6 = bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1;
  return { ip: groups.join(':'), port: parseInt(port, 16), loopback: isLoopback6 || (isV4Mapped && bytes[12] === 127) };
}

/** TCP sockets in LISTEN state and every bound UDP socket, among the given socket inodes. */
async function listeningSockets(
  inodes: Set<string>,
): Promise<{ proto: string; ip: string; port: number; loopback: boolean }[]> {
  const found = [];
  for (const proto of ['tcp', 'tcp6', 'udp', 'udp6']) {
    const table = await readFile(`/proc/self/net/${proto}`, 'utf8').catch(() => '');
    for (const line of table.trim().split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [, local = '', , state, , , , , , inode = ''] = fields;
      if (!inodes.has(inode)) continue;
      if (proto.startsWith('tcp') && state !== '0A') continue; // 0A = LISTEN
      found.push({ proto, ...decodeProcAddress(local) });
    }
  }
  return found;
}

// --- tests -----------------------------------------------------------------------------------------

describe('local server', () => {
  let server: LocalServer;
  /** Emits 'line' for each server log line, so tests can await a server-side event. */
  const serverLog = new EventEmitter();
  const logLine = (expected: string): Promise<void> =>
    new Promise((resolve) => {
      const listener = (line: string): void => {
        if (line !== expected) return;
        serverLog.off('line', listener);
        resolve();
      };
      serverLog.on('line', listener);
    });

  beforeAll(async () => {
    server = await startLocalServer({ port: 0, log: (line) => serverLog.emit('line', line) });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('serves signaling and relay on one loopback port', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.signalingUrl).toBe(`http://127.0.0.1:${server.port}/peerjs`);
    expect(server.relayUrl).toBe(`http://127.0.0.1:${server.port}/gun`);
  });

  it('answers an upgrade on an unknown path with 404, without disturbing the others', async () => {
    const stray = new WebSocket(`ws://127.0.0.1:${server.port}/elsewhere`);
    const [error] = (await once(stray, 'error')) as [Error];
    expect(error.message).toContain('404');
    await openPeer(server, nodeId()); // the signaling socket still upgrades
  });

  it('lets two PeerJS peers register, connect and exchange messages', async () => {
    const [alice, bob] = await Promise.all([openPeer(server, nodeId()), openPeer(server, nodeId())]);
    const incoming = new Promise<DataConnection>((resolve) => bob.once('connection', resolve));
    const outgoing = alice.connect(bob.id, { reliable: true });
    const opened = (connection: DataConnection) =>
      connection.open ? Promise.resolve() : new Promise<void>((resolve) => connection.once('open', resolve));
    const bobSide = await incoming;
    await Promise.all([opened(outgoing), opened(bobSide)]);

    const atBob = new Promise((resolve) => bobSide.once('data', resolve));
    outgoing.send({ hello: 'from alice' });
    expect(await atBob).toEqual({ hello: 'from alice' });

    const atAlice = new Promise((resolve) => outgoing.once('data', resolve));
    bobSide.send('hi alice');
    expect(await atAlice).toBe('hi alice');
  });

  it('refuses an ID that is held (unavailable-id) and frees it when its holder leaves', async () => {
    const id = nodeId();
    const holder = await openPeer(server, id);

    const claimant = createPeer(server, id);
    const error = await new Promise<{ type: string }>((resolve) => claimant.once('error', resolve));
    expect(error.type).toBe('unavailable-id');

    const left = logLine(`signaling: ${id} left`);
    holder.destroy();
    await left;
    await openPeer(server, id);
  });

  it('relays a GUN record from one client to another', async () => {
    const [{ gun: writer }, { gun: reader }] = await Promise.all([
      connectGun(server.relayUrl),
      connectGun(server.relayUrl),
    ]);
    const { soul, data } = boxKey(`hello${Date.now()}`);
    await putAndAck(writer, soul, data);
    expect(await readField(reader, soul, 'box')).toBe(data.box);
  });

  it('refuses a soul outside Meshdeck\'s layout with an error, and keeps none of it', async () => {
    const { gun: writer } = await connectGun(server.relayUrl);
    await expect(putAndAck(writer, `meshdeck-test/${nodeId()}`, { text: 'anything' })).rejects.toThrow(/refused/);
  });
});

describe('local server lifecycle', () => {
  it('listens on loopback only (TCP and UDP), including GUN and PeerJS', async () => {
    const before = await socketInodes();
    const server = await startLocalServer({ port: 0 });
    try {
      const after = await socketInodes();
      const added = new Set([...after].filter((inode) => !before.has(inode)));
      const listening = await listeningSockets(added);
      expect(listening).toContainEqual({ proto: 'tcp', ip: '127.0.0.1', port: server.port, loopback: true });
      expect(listening.filter((socket) => !socket.loopback)).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('frees its port and disconnects its clients on close()', async () => {
    const first = await startLocalServer({ port: 0 });
    const { port } = first;
    const client = new WebSocket(`ws://127.0.0.1:${port}/gun`);
    await once(client, 'open');
    const clientClosed = once(client, 'close');

    await first.close();
    await clientClosed;
    await first.close(); // idempotent

    // Something else can listen on the port at once, and so can a new server.
    const probe = net.createServer();
    await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const second = await startLocalServer({ port });
    expect(second.port).toBe(port);
    await second.close();
  });

  it('keeps relay data in a given dataDir across a restart', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'meshdeck-test-radata-'));
    try {
      const { soul, data } = boxKey('kept');
      const first = await startLocalServer({ port: 0, dataDir });
      const { gun: writer } = await connectGun(first.relayUrl);
      await putAndAck(writer, soul, data);
      closeGun(writer);
      await first.close();

      const second = await startLocalServer({ port: 0, dataDir });
      try {
        const { gun: reader } = await connectGun(second.relayUrl); // a fresh client: knows nothing yet
        expect(await readField(reader, soul, 'box')).toBe('kept');
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('rejects a busy port with PortInUseError', async () => {
    const first = await startLocalServer({ port: 0 });
    try {
      await expect(startLocalServer({ port: first.port })).rejects.toMatchObject({ name: 'PortInUseError' });
    } finally {
      await first.close();
    }
  });

  it('leaves nothing behind: a process that starts, uses and closes the server exits on its own', async () => {
    const CLOSED_MARK = 'meshdeck:server-closed';
    const serverModule = fileURLToPath(new URL('../../server/local-server.ts', import.meta.url));
    // Raw ws clients (not PeerJS/GUN clients, whose own timers would keep the child alive) make the
    // server run its per-connection and per-write code paths, then the child closes the server and
    // ends its script: only what the server leaves behind can keep it running.
    const script = `
      const { startLocalServer } = await import(${JSON.stringify(serverModule)});
      const { default: WebSocket } = await import('ws');
      const { once } = await import('node:events');
      const server = await startLocalServer({ port: 0 });
      const base = 'ws://127.0.0.1:' + server.port;
      const signaling = new WebSocket(base + '/peerjs/peerjs?key=peerjs&id=nchild&token=t');
      const [opened] = await once(signaling, 'message');
      if (JSON.parse(String(opened)).type !== 'OPEN') throw new Error('no OPEN from signaling');
      const relay = new WebSocket(base + '/gun');
      await once(relay, 'open');
      const put = { s: { _: { '#': 's', '>': { k: Date.now() } }, k: 'v' } };
      relay.send(JSON.stringify([{ '#': 'w1', put }]));
      for (;;) {
        const [raw] = await once(relay, 'message');
        if ([].concat(JSON.parse(String(raw))).some((m) => m['@'] === 'w1')) break;
      }
      await server.close();
      console.log(${JSON.stringify(CLOSED_MARK)});
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const closed = new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes(CLOSED_MARK)) resolve(performance.now());
      });
      void exited.then((code) => reject(new Error(`the child exited (code ${code}) before close() returned`)));
    });
    let deadline: NodeJS.Timeout | undefined;
    try {
      const closedAt = await closed;
      // A deadline, not a sleep: without it a regression would show only as a hung run.
      const outcome = await Promise.race([
        exited.then((code) => ({ code, lingerMs: performance.now() - closedAt })),
        new Promise<'still running'>((resolve) => (deadline = setTimeout(resolve, 5_000, 'still running'))),
      ]);
      if (outcome === 'still running') expect.fail('the process was still running 5 s after close() returned');
      expect(outcome.code).toBe(0);
      // The mechanism is that it exits by itself; how soon is a figure, not a pass mark.
      console.log(`exited ${Math.round(outcome.lingerMs)} ms after close() returned`);
    } finally {
      clearTimeout(deadline);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
