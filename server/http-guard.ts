/**
 * The HTTP server under both of ours, the dashboard's view server and the local server. Any process on
 * the machine can connect to them, so a client, however it misbehaves, must cost only its own socket
 * (issue 22, item 4: nothing local can stop meshdeck-node or the local server):
 * - Every socket has an 'error' listener from the moment it connects. Node removes its own listener
 *   when it hands a socket over on upgrade, and an 'error' nobody listens for (a client's RST) ends the
 *   process.
 * - A request target is parsed without throwing (parseTarget); one that does not parse is a 400, on
 *   upgrade too, before any handler reads it.
 * - A request line or header the parser refuses is answered by Node's default 'clientError' handling:
 *   400 (431 for oversized headers, 408 for a deadline), only when no response is under way on that
 *   socket, then the socket is destroyed. No listener is added here, as one would replace it.
 * - A client that stalls is cut: its headers, its whole request and its silence each have a deadline.
 *   All of them end at the upgrade, so a WebSocket (PeerJS, GUN, tracker, view socket) lives as long as
 *   its own protocol lets it.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';

export interface ClientTimeouts {
  /** From a request's first byte to the end of its headers (Node's `headersTimeout`): a slowloris's bound. */
  headersMs: number;
  /** From a request's first byte to its last (Node's `requestTimeout`); at least `headersMs`. */
  requestMs: number;
  /** How long a connection may stay silent before and during its request (Node's `server.timeout`). */
  idleMs: number;
}

/** Loopback clients send a request in milliseconds: these only bound the ones that never finish. */
const DEFAULT_CLIENT_TIMEOUTS: ClientTimeouts = { headersMs: 10_000, requestMs: 30_000, idleMs: 10_000 };

/** A request target in origin-form (`/path?query`), as parseTarget read it. */
export interface RequestTarget {
  /** Percent-decoded with its dot segments resolved: starts with '/', holds no '..' segment and no NUL. */
  path: string;
  /** What follows the '?', still encoded; '' when there is none. */
  query: string;
}

interface GuardedHandlers {
  /** A plain HTTP request whose target parsed. */
  request(req: IncomingMessage, res: ServerResponse, target: RequestTarget): void;
  /** An upgrade request whose target parsed: hand the socket to a WebSocket server, or refuseUpgrade(). */
  upgrade(req: IncomingMessage, socket: Socket, head: Buffer, target: RequestTarget): void;
}

/** An HTTP server that calls `handlers` only for requests whose target parsed; not yet listening. */
export function createGuardedServer(handlers: GuardedHandlers, timeouts: Partial<ClientTimeouts> = {}): Server {
  const limits = { ...DEFAULT_CLIENT_TIMEOUTS, ...timeouts };
  const server = createServer(
    {
      headersTimeout: limits.headersMs,
      requestTimeout: limits.requestMs,
      // How often Node looks for requests past those two deadlines; its default, 30 s, would stretch them.
      connectionsCheckingInterval: Math.min(1000, limits.headersMs),
    },
    (req, res) => {
      const target = parseTarget(req.url);
      if (!target) {
        res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
        res.end('malformed request target\n');
        return;
      }
      handlers.request(req, res, target);
    },
  );
  // Destroys a silent socket; Node sets it on each connection and, once a response is sent, replaces it
  // with keepAliveTimeout until the next request.
  server.timeout = limits.idleMs;
  server.on('connection', (socket: Socket) => {
    // The error is the client's (a reset, a write to a closed peer): it ends this socket and nothing else.
    socket.on('error', () => socket.destroy());
  });
  server.on('upgrade', (req: IncomingMessage, duplex: Duplex, head: Buffer) => {
    // An http.Server's sockets are net.Sockets (only a custom connection could be another Duplex).
    const socket = duplex as Socket;
    // Node stops listening for the idle timer on upgrade but leaves it armed: a WebSocket may be silent
    // for long (its own protocol pings it), so its socket has no idle deadline from here on.
    socket.setTimeout(0);
    const target = parseTarget(req.url);
    if (!target) return refuseUpgrade(socket, 400);
    handlers.upgrade(req, socket, head, target);
  });
  return server;
}

/**
 * Reads a request target; null when it is not origin-form or its path does not decode. Never throws.
 * Absolute-form (`http://host/path`) is refused: it is for proxies (RFC 9112 §3.2.2), no client of ours
 * sends it, and its authority could disagree with the Host header the view server checks. A leading
 * '//' or any '\' is refused too: URL parsers read an authority there (WHATWG URL takes '\' for '/' in
 * http URLs), and libraries behind us parse req.url again (PeerJS: `new URL(req.url, base)`), which
 * would throw on `//[`. A fragment has no place in a request.
 */
export function parseTarget(raw: string | undefined): RequestTarget | null {
  if (!raw?.startsWith('/') || raw.startsWith('//') || raw.includes('\\') || raw.includes('#')) return null;
  const mark = raw.indexOf('?');
  const encoded = mark === -1 ? raw : raw.slice(0, mark);
  let decoded: string;
  try {
    decoded = decodeURIComponent(encoded);
  } catch {
    return null; // URIError: a '%' not followed by two hex digits, or bytes that are not UTF-8 (%E0%A4%A)
  }
  if (decoded.includes('\0')) return null;
  return { path: path.posix.normalize(decoded), query: mark === -1 ? '' : raw.slice(mark + 1) };
}

/**
 * Answers an upgrade with `status` and closes the socket. The socket is destroyed once the answer is
 * flushed: an http.Server allows half-open sockets, so `end()` alone would leave it to the client to
 * close. A write error ends it at once (the listener added on connection).
 */
export function refuseUpgrade(socket: Duplex, status: number): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
