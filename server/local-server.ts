/**
 * The local signaling + relay server: the real PeerJS server (npm `peer`) at `/peerjs`, a real GUN
 * relay (npm `gun`) at `/gun` and a real WebTorrent WebSocket tracker (npm `bittorrent-tracker`) at
 * `/tracker`, on one loopback port. Tests, the demo and `npm run server` use it.
 *
 * Three things here are not obvious:
 * - Two `ws` servers attached to one http server conflict: a ws server created with `path` answers 400 to
 *   every other path's upgrade. Both are created with `noServer: true` and `upgrade` is dispatched by path.
 * - Two versions of `ws` are in play. `peer` gets ws 8 (our top-level dependency) and is loaded through
 *   `createRequire`: its ESM entry's named import of `ws` breaks whenever npm hoists gun's ws 7 instead
 *   (docs/chromium.md). GUN's relay gets the ws 7 it pins: its handler reads each message as a string,
 *   and ws 8 hands text messages to `'message'` listeners as Buffers, which GUN cannot parse.
 * - Neither library can be stopped. `peer` runs two private `setTimeout` chains (message expiry,
 *   broken-connection check) with no handle exposed, and GUN schedules timers up to 20 s long on every
 *   connection and write. They would keep the process alive after `close()`, so every timer created
 *   while the server's own code runs is tracked (see `TimerScope`) and cleared on `close()`.
 */
import { TimerScope } from './timer-scope';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
// The server alone: the package's index also loads its client, whose WebRTC for Node is a native addon not built here.
import TrackerServer from 'bittorrent-tracker/server';
import { errorText } from '../core/lib/error-text';
import { screenGunInput, type GunMeshLike } from '../core/discovery/gun-input-screen';
import { checkSignaturesBeforeGun } from './relay-signature-check';
import { allFamilies } from '../core/discovery/graph-families';
import type { NodeRecord } from '../core/discovery/rendezvous-record';
import { fromBase64Url, toBase32 } from '../core/lib/encoding';
import { createGuardedServer, refuseUpgrade, type ClientTimeouts } from './http-guard';
import { requireGun } from './quiet-gun';

export interface LocalServerOptions {
  /** TCP port; 9000 when absent; 0 picks any free port (read it back from `LocalServer.port`). */
  port?: number;
  /** Address to listen on; 127.0.0.1 when absent. Meshdeck's tests and demo never change it. */
  host?: string;
  /** GUN's radisk folder, created if missing and kept. Absent: a fresh temp folder removed on `close()`. */
  dataDir?: string;
  /** Receives one line per server event (peer registered, relay client left, library errors). */
  log?: (line: string) => void;
  /**
   * Whether the relay refuses malformed writes to the souls nodes read (graph-screen.ts); true when absent. False makes
   * it a stock GUN relay, as others run: hostile tests use that to measure the node's own defences.
   */
  screenRecords?: boolean;
  /** Whether the PeerJS server runs at /peerjs; true when absent. False leaves the GUN relay alone. */
  signaling?: boolean;
  /**
   * Other relays (`…/gun` URLs) this relay peers with: what one writes reaches the others, so nodes on
   * different relays of the list meet. Peering is symmetric once one side dialled: list only relays
   * already running.
   */
  relayPeers?: string[];
  /** Whether the GUN relay answers at /gun; true when absent. False leaves the PeerJS server alone. */
  relay?: boolean;
  /** Whether the WebSocket tracker answers at /tracker; true when absent. */
  tracker?: boolean;
  /** Deadlines for a client's request (http-guard.ts has the defaults); tests make them small. */
  clientTimeouts?: Partial<ClientTimeouts>;
}

export interface LocalServer {
  /** The port actually listened on (useful with `port: 0`). */
  readonly port: number;
  /** PeerJS server base: a client uses `{ host, port, path: '/peerjs', key: 'peerjs' }`. */
  readonly signalingUrl: string;
  /** GUN relay: `Gun({ peers: [relayUrl] })`. */
  readonly relayUrl: string;
  /** WebSocket tracker (`ws://…/tracker`), as WebTorrent clients announce to it. */
  readonly trackerUrl: string;
  /** GUN's radisk folder. */
  readonly dataDir: string;
  /** Disconnects every client, frees the port and all timers; resolves once all of it is done. Idempotent. */
  close(): Promise<void>;
}

/** `listen()` failed because another process holds the port. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(`Port ${port} on ${host} is already in use.`);
  }
}

export const DEFAULT_PORT = 9000;
export const DEFAULT_HOST = '127.0.0.1';
export const SIGNALING_PATH = '/peerjs';
export const RELAY_PATH = '/gun';
export const TRACKER_PATH = '/tracker';
/** The PeerJS key; PeerJS clients send `key: 'peerjs'` unless told otherwise. */
export const PEERJS_KEY = 'peerjs';

/**
 * PeerJS clients send a HEARTBEAT every 5 s. A client whose process dies closes its TCP socket and frees
 * its ID at once; this timeout only frees the ID of a client that stopped without closing (a suspended
 * machine, a hung page). 30 s is six missed heartbeats: short enough that a restarted node can claim its
 * ID again soon, long enough for throttled background timers. An evicted live client simply re-registers.
 */
const ALIVE_TIMEOUT_MS = 30_000;
/**
 * GUN's radisk batches writes for this long (its default, set explicitly so `close()` can wait for it).
 * `close()` waits this long before clearing timers when the data folder is kept, so the last writes land.
 */
const GUN_WRITE_BATCH_MS = 250;
/** Whether a record's node and user IDs are the ones its keys derive (docs/protocol.md, Encodings). */
function idsDeriveFromKeys(record: NodeRecord): boolean {
  const derive = (prefix: string, pub: string) => prefix + toBase32(createHash('sha256').update(fromBase64Url(pub)).digest()).slice(0, 26);
  try {
    return derive('n', record.pub) === record.id && derive('u', record.userPub) === record.user;
  } catch {
    return false;
  }
}

/** A storm of junk writes is logged once per this many refused records, not once each. */
const RELAY_REFUSALS_LOGGED_EVERY = 1000;

const require = createRequire(import.meta.url);

/** Minimal shape of the `peer` exports used here (its .d.ts needs `@types/cors`, which is not installed). */
interface PeerModule {
  ExpressPeerServer(
    server: http.Server,
    options: {
      key: string;
      path: string;
      allow_discovery: boolean;
      alive_timeout: number;
      expire_timeout: number;
      proxied: boolean;
      corsOptions: { origin: boolean };
      createWebSocketServer: (options: { path?: string }) => WebSocketServer;
    },
  ): http.RequestListener & NodeJS.EventEmitter;
}

interface ExpressApp extends http.RequestListener {
  use(path: string, handler: http.RequestListener): void;
  get(path: string, handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): void;
}

/** The part of a `ws` server (7 or 8) used here. */
interface UpgradeServer {
  readonly clients: Set<{ terminate(): void }>;
  on(
    event: 'connection',
    listener: (client: { once(event: 'close', fn: () => void): void }, req: http.IncomingMessage) => void,
  ): void;
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, done: (client: unknown) => void): void;
  emit(event: 'connection', client: unknown, req: http.IncomingMessage): boolean;
  close(): void;
}

/** The GUN options used here (GUN's own .d.ts declares globals, so it is not imported). */
interface GunRelayOptions {
  file: string;
  localStorage: false;
  radisk: true;
  until: number;
  axe: false;
  multicast: false;
  stats: false;
  peers: string[];
  ws: { noServer: true; path: string; web: UpgradeServer };
}
type GunConstructor = (options: GunRelayOptions) => unknown;
/** radisk (`has`) and rfs (keyed by folder) cache one instance per data folder for the process's life. */
interface RadiskModule {
  has?: Record<string, unknown>;
}
type RfsModule = Record<string, unknown>;

// `peer` resolves `express` and `gun` resolves `ws` from their own folders: ask each package's own
// require so we get the very versions they were built against (express is not our dependency).
const peerRequire = createRequire(require.resolve('peer'));
const gunRequire = createRequire(require.resolve('gun'));

function urlHost(host: string): string {
  // A wildcard address is not dialable; its loopback form is.
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const host = options.host ?? DEFAULT_HOST;
  const requestedPort = options.port ?? DEFAULT_PORT;
  const log = options.log;
  // Errors from the libraries must not vanish; without a log they go to stderr.
  const logError = (what: string, error: unknown): void =>
    (log ?? console.error)(`${what}: ${errorText(error)}`);

  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'meshdeck-gun-')));
  if (!ownsDataDir) await mkdir(dataDir, { recursive: true });

  const timers = new TimerScope();
  const sockets = new Set<Socket>();
  const upgradeServers = new Map<string, UpgradeServer>();

  // Runs in the timer scope, as does listen() below: both libraries, the listening socket and so every
  // connection.
  const setUp = () => {
    const express = peerRequire('express') as () => ExpressApp;
    const { ExpressPeerServer } = require('peer') as PeerModule;
    const Gun = requireGun('gun') as GunConstructor; // without GUN's greeting (quiet-gun.ts)
    const GunWebSocket = gunRequire('ws') as { Server: new (options: { noServer: true }) => UpgradeServer };

    const app = express();
    const server = createGuardedServer(
      {
        request: (req, res) => app(req, res),
        upgrade(req, socket, head, target) {
          const service = upgradeServers.get(target.path);
          if (!service) return refuseUpgrade(socket, 404);
          // Node runs 'upgrade' listeners outside the async context of the server that emitted them
          // (unlike 'request'), so re-enter the scope: GUN arms timers in its 'connection' handler.
          timers.run(() => service.handleUpgrade(req, socket, head, (client) => service.emit('connection', client, req)));
        },
      },
      options.clientTimeouts,
    );
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });

    const peerWss = new WebSocketServer({ noServer: true });
    // Without signaling (`signaling: false`) the server is a relay alone, as when a PeerJS server is down.
    if (options.signaling !== false) {
      const peerApp = ExpressPeerServer(server, {
        key: PEERJS_KEY,
        path: '/',
        allow_discovery: false, // nodes find each other through GUN, not by listing the server
        alive_timeout: ALIVE_TIMEOUT_MS,
        expire_timeout: 5_000,
        proxied: false,
        corsOptions: { origin: true }, // extension pages and demo pages have their own origins
        // `peer` passes the path it wants its sockets on (mount path + '/peerjs'); route that path to it.
        createWebSocketServer: (wsOptions) => {
          upgradeServers.set(wsOptions.path ?? `${SIGNALING_PATH}/peerjs`, peerWss);
          return peerWss;
        },
      });
      peerApp.on('connection', (client: { getId(): string }) => log?.(`signaling: ${client.getId()} registered`));
      peerApp.on('disconnect', (client: { getId(): string }) => log?.(`signaling: ${client.getId()} left`));
      // `peer` re-emits socket errors on its app; an EventEmitter 'error' with no listener would throw.
      peerApp.on('error', (error: unknown) => logError('signaling error', error));
      app.use(SIGNALING_PATH, peerApp); // mounting starts peer (its 'mount' handler), inside the scope
    }

    app.get('/', (_req, res) => {
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end(`Meshdeck local server\nsignaling ${SIGNALING_PATH}\nrelay ${RELAY_PATH}\ntracker ${TRACKER_PATH}\n`);
    });

    const gunWss = new GunWebSocket.Server({ noServer: true });
    if (options.relay !== false) upgradeServers.set(RELAY_PATH, gunWss);
    const relay = Gun({
      file: dataDir,
      localStorage: false,
      radisk: true,
      until: GUN_WRITE_BATCH_MS,
      axe: false, // AXE would route through other relays; peering with relayPeers is explicit
      multicast: false, // multicast binds UDP 0.0.0.0:8765: never on these machines
      stats: false, // stats writes a file into node_modules/gun every 5 s
      peers: options.relayPeers ?? [],
      ws: { noServer: true, path: RELAY_PATH, web: gunWss },
    }) as { back(path: string): unknown };
    // The relay refuses malformed records, file lists, box keys, signals and shared lists before storing
    // or forwarding them (graph-screen.ts), then records, box keys, file lists and signals whose
    // signature or date does not hold (relay-signature-check.ts); readers screen and check again,
    // since other relays may not.
    let refusedWrites = 0;
    const countRefused = (count: number, what: string) => {
      const before = refusedWrites;
      refusedWrites += count;
      if (Math.floor(before / RELAY_REFUSALS_LOGGED_EVERY) !== Math.floor(refusedWrites / RELAY_REFUSALS_LOGGED_EVERY) || before === 0) {
        log?.(`relay: refused ${refusedWrites} writes so far (the last: ${what})`);
      }
    };
    if (options.screenRecords !== false) {
      const mesh = relay.back('opt.mesh') as GunMeshLike;
      // Installed first, so that it runs after the screen: only well-formed records cost a check.
      checkSignaturesBeforeGun(mesh, { monotonic: () => performance.now(), now: Date.now, onRefused: countRefused });
      screenGunInput(mesh, Date.now, (refused) => countRefused(refused.length, 'malformed'), allFamilies(idsDeriveFromKeys));
    }
    gunWss.on('connection', (client, req) => {
      const who = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
      log?.(`relay: ${who} connected`);
      client.once('close', () => log?.(`relay: ${who} left`));
    });

    // Without `http` and `udp` it is the WebSocket tracker alone, and it leaves the upgrade to us.
    const tracker = new TrackerServer({ http: false, udp: false, ws: { noServer: true }, stats: false, trustProxy: false });
    tracker.on('error', (error: unknown) => logError('tracker error', error));
    tracker.on('warning', (error: unknown) => log?.(`tracker: ${errorText(error)}`));
    tracker.on('start', (peerId: string) => log?.(`tracker: ${peerId.slice(0, 8)}… joined a swarm`));
    if (options.tracker !== false) upgradeServers.set(TRACKER_PATH, tracker.ws as unknown as UpgradeServer);

    return { server, peerWss, gunWss, tracker };
  };
  let services: ReturnType<typeof setUp>;
  try {
    services = timers.run(setUp);
  } catch (error) {
    timers.clear();
    if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const { server, peerWss, gunWss, tracker } = services;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // ws 8's close() leaves clients connected, so terminate them explicitly; then destroy every raw
      // socket (upgraded sockets are not the http server's any more, so it would wait for them forever).
      for (const wss of [peerWss, gunWss]) {
        for (const client of wss.clients) client.terminate();
        wss.close();
      }
      tracker.close();
      for (const socket of sockets) socket.destroy();
      await closed;
      // Let radisk flush its last batch into a kept folder (clearing its timer would drop it); a temp
      // folder is deleted anyway.
      if (!ownsDataDir) await new Promise((resolve) => setTimeout(resolve, GUN_WRITE_BATCH_MS + 50));
      timers.clear();
      // A later server on the same folder must get fresh instances that read what is on disk.
      delete (gunRequire('./lib/radisk') as RadiskModule).has?.[dataDir];
      delete (gunRequire('./lib/rfs') as RfsModule)[dataDir];
      // A radisk write already under way may still add a file while the folder is removed: retry.
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
    })());

  try {
    await timers.run(
      () =>
        new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(requestedPort, host, () => {
            server.off('error', reject);
            resolve();
          });
        }),
    );
  } catch (error) {
    await close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(host, requestedPort);
    throw error;
  }
  server.on('error', (error) => logError('server error', error));

  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('http server has no TCP address');
  const base = `http://${urlHost(host)}:${address.port}`;
  return {
    port: address.port,
    signalingUrl: `${base}${SIGNALING_PATH}`,
    relayUrl: `${base}${RELAY_PATH}`,
    trackerUrl: `${base.replace(/^http/, 'ws')}${TRACKER_PATH}`,
    dataDir,
    close,
  };
}
