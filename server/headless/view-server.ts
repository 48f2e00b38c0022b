/**
 * meshdeck-node's dashboard server: the built Node Dashboard (the extension's options page, the same
 * files) over HTTP on 127.0.0.1, and the view socket (core/control/view-socket.ts) that carries the
 * typed protocol between it and the node.
 *
 * Guarded three ways, as anything on loopback must be against the other pages of the operator's
 * browser: the socket needs the token printed at start (compared in constant time); its Origin must
 * be this server's own; and every request's Host must be the loopback address itself, so a page of a
 * DNS-rebound name cannot reach it. Files come from an allow-list of the dashboard's folders, never
 * above the build's root, with a CSP that lets them talk to this server only. Under all of it,
 * http-guard.ts keeps a local client's malformed, reset or stalled request to that client's own socket.
 */
import { timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { errorReply, observeScopeOf, okReply, type Reply, type Request } from '../../core/control/protocol';
import { parseRequest, ProtocolError } from '../../core/control/protocol-guard';
import { BROWSER_ONLY_REQUESTS, HOST_ONLY_REQUESTS, MAX_VIEW_FRAME_BYTES, parseViewFrame, tokenOfProtocol, VIEW_SOCKET_PATH, VIEW_SOCKET_PROTOCOL, type NodeFrame } from '../../core/control/view-socket';
import type { Observer } from '../../core/host/node-host';
import type { ObserverSource } from '../../core/host/host-channel';
import { Emitter } from '../../core/lib/events';
import { createGuardedServer, refuseUpgrade, type ClientTimeouts, type RequestTarget } from '../http-guard';

/** The dashboard page and what it loads; nothing else of the build is served. */
const DASHBOARD_PAGE = 'options.html';
const SERVED_FOLDERS = ['chunks/', 'assets/', 'icons/'];
const FAVICON = 'icons/32.png';
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

interface ViewServerOptions {
  /** The built extension folder holding options.html (.output/chrome-mv3). */
  root: string;
  token: string;
  /** 0: any free port. */
  port: number;
  /** Answers a view's request (the controller's handle()). */
  handle(request: Request): Promise<unknown>;
  /** Deadlines for a client's request (http-guard.ts has the defaults); tests make them small. */
  clientTimeouts?: Partial<ClientTimeouts>;
}

export interface ViewServer {
  /** The dashboard's address, without the token. */
  url: string;
  /** Where the node host hears views arrive (its channel's onObserver). */
  observers: ObserverSource;
  /** Views connected now. */
  readonly views: number;
  close(): Promise<void>;
}

export async function startViewServer(options: ViewServerOptions): Promise<ViewServer> {
  const arrivals = new Emitter<{ observer: Observer }>();
  const sockets = new WebSocketServer({
    noServer: true,
    // Over it, the socket closes with FRAME_TOO_LARGE_CLOSE, which the page reports as such.
    maxPayload: MAX_VIEW_FRAME_BYTES,
    handleProtocols: (protocols) => (protocols.has(VIEW_SOCKET_PROTOCOL) ? VIEW_SOCKET_PROTOCOL : false),
  });
  const token = Buffer.from(options.token);
  /** `127.0.0.1:<port>`, the Host every request must name; known once the server listens. */
  let own = '';
  const http = createGuardedServer(
    {
      request(req, res, target) {
        serveFile(options.root, req, res, target, own).catch(() => respond(res, 500, 'the dashboard file could not be read'));
      },
      upgrade(req, socket, head, target) {
        const refused = refusal(req, target, own, token);
        if (refused) return refuseUpgrade(socket, refused);
        sockets.handleUpgrade(req, socket, head, (ws) => serveView(ws, arrivals, options.handle));
      },
    },
    options.clientTimeouts,
  );
  const connections = new Set<Socket>();
  http.on('connection', (socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  own = `127.0.0.1:${port}`;

  return {
    url: `http://${own}/`,
    observers: (listener) => arrivals.on('observer', listener),
    get views() {
      return sockets.clients.size;
    },
    async close() {
      for (const ws of sockets.clients) ws.terminate();
      sockets.close();
      for (const socket of connections) socket.destroy();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      arrivals.clear();
    },
  };
}

/** Why an upgrade is refused (an HTTP status), or null when it may go on. */
function refusal(req: IncomingMessage, target: RequestTarget, own: string, token: Buffer): number | null {
  if (req.headers.host !== own) return 421;
  if (target.path !== VIEW_SOCKET_PATH) return 404;
  if (req.headers.origin !== `http://${own}`) return 403;
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => tokenOfProtocol(p.trim())).find((t) => t !== null);
  if (offered == null) return 401;
  const given = Buffer.from(offered);
  if (given.length !== token.length || !timingSafeEqual(given, token)) return 401;
  return null;
}

/** One view's socket: its observe ports go to the host, its requests to the controller. */
function serveView(ws: WebSocket, arrivals: Emitter<{ observer: Observer }>, handle: ViewServerOptions['handle']): void {
  const closers = new Map<number, Set<() => void>>();
  const send = (frame: NodeFrame): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  const closePort = (port: number): void => {
    const listeners = closers.get(port);
    closers.delete(port);
    for (const close of listeners ?? []) close();
  };
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const frame = parseViewFrame(data.toString());
    if (!frame) return;
    if (frame.kind === 'connect') {
      const scope = observeScopeOf(frame.name);
      if (!scope || closers.has(frame.port)) return send({ kind: 'disconnect', port: frame.port });
      const listeners = new Set<() => void>();
      closers.set(frame.port, listeners);
      arrivals.emit('observer', {
        scope,
        post: (message) => {
          if (closers.has(frame.port)) send({ kind: 'post', port: frame.port, message });
        },
        onClose: (close) => listeners.add(close),
      });
    } else if (frame.kind === 'disconnect') {
      closePort(frame.port);
    } else {
      void answer(frame.message, handle).then((reply) => send({ kind: 'reply', id: frame.id, reply }));
    }
  });
  // ws reports a frame over maxPayload (or one breaking the protocol) here and closes the socket itself,
  // with FRAME_TOO_LARGE_CLOSE (or 1002) that the page reports. Unheard, the 'error' event would throw
  // out of the socket's parser and take meshdeck-node down with it.
  ws.on('error', () => undefined);
  ws.on('close', () => {
    for (const port of [...closers.keys()]) closePort(port);
  });
}

async function answer(raw: unknown, handle: ViewServerOptions['handle']): Promise<Reply> {
  try {
    const request = parseRequest(raw);
    if (!request) throw new ProtocolError('not a request for the node');
    if (HOST_ONLY_REQUESTS.has(request.type)) throw new ProtocolError(`"${request.type}" is the node host's own request`);
    if (BROWSER_ONLY_REQUESTS.has(request.type)) throw new ProtocolError(`"${request.type}": a headless node has no pairing or file sharing (docs/meshdeck-node.md)`);
    return okReply(await handle(request));
  } catch (error) {
    return errorReply(error);
  }
}

async function serveFile(root: string, req: IncomingMessage, res: ServerResponse, target: RequestTarget, own: string): Promise<void> {
  if (req.headers.host !== own) return respond(res, 421, 'this server answers to its loopback address only');
  if (req.method !== 'GET' && req.method !== 'HEAD') return respond(res, 405, 'only GET');
  // The target's path is decoded before its dot segments are resolved, so an encoded '/' ('..%2f') is a
  // separator here too: the allow-list is checked on the very path that is read.
  const requested = target.path.slice(1);
  const name = requested === '' ? DASHBOARD_PAGE : requested === 'favicon.ico' ? FAVICON : requested;
  const allowed = name === DASHBOARD_PAGE || SERVED_FOLDERS.some((folder) => name.startsWith(folder));
  const file = path.resolve(root, name);
  if (!allowed || !file.startsWith(path.resolve(root) + path.sep)) return respond(res, 404, 'not found');
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    return respond(res, 404, 'not found');
  }
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    'content-length': body.length,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    'content-security-policy': `default-src 'self'; connect-src 'self' ws://${own}; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
    'referrer-policy': 'no-referrer',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function respond(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}
