/**
 * The view client's runtime over meshdeck-node's view socket (core/control/view-socket.ts): the Node
 * Dashboard served by a headless node reaches it through this instead of browser.runtime. It behaves
 * as the runtime does for the view client: a port whose other end goes away fires onDisconnect, a
 * request that cannot be delivered rejects, and the next connect() or sendMessage() after the socket
 * closed opens a new one (the view client's backoff paces them).
 */
import { FRAME_TOO_LARGE_CLOSE, MAX_VIEW_FRAME_BYTES, parseNodeFrame, tokenProtocol, VIEW_SOCKET_PATH, VIEW_SOCKET_PROTOCOL, type ViewFrame } from '../../core/control/view-socket';
import { utf8Length } from '../../core/lib/encoding';
import type { ViewEvent, ViewPort, ViewRuntime } from './view-client';

/** The part of a browser WebSocket the runtime uses. */
export interface ViewSocket {
  readonly readyState: number;
  send(text: string): void;
  close(): void;
  addEventListener(type: 'open', listener: () => void): void;
  /** `code`: the CloseEvent's (1006 when the socket was refused or dropped without a close frame). */
  addEventListener(type: 'close', listener: (event: { code?: number }) => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

const OPEN = 1;

class Listeners<T extends (...args: never[]) => void> implements ViewEvent<T> {
  private readonly listeners = new Set<T>();
  addListener(listener: T): void {
    this.listeners.add(listener);
  }
  removeListener(listener: T): void {
    this.listeners.delete(listener);
  }
  emit(...args: Parameters<T>): void {
    for (const listener of [...this.listeners]) listener(...args);
  }
}

class SocketPort implements ViewPort {
  readonly onMessage = new Listeners<(message: unknown) => void>();
  readonly onDisconnect = new Listeners<() => void>();
  constructor(readonly disconnect: () => void) {}
}

export class SocketClosedError extends Error {
  override name = 'SocketClosedError';
}

/** A request too large for the view socket (over MAX_VIEW_FRAME_BYTES): not sent, or refused by the node. */
export class FrameTooLargeError extends Error {
  override name = 'FrameTooLargeError';
}

/** The bound in words: `6.1 MiB`. */
const FRAME_BOUND_TEXT = `${(MAX_VIEW_FRAME_BYTES / (1024 * 1024)).toFixed(1)} MiB`;

/** `open` makes a new socket to the node (new WebSocket(url, protocols) in the page). */
export function createSocketRuntime(open: () => ViewSocket, describe: string): ViewRuntime {
  let socket: ViewSocket | null = null;
  /** Frames written before the socket opened. */
  let queued: string[] = [];
  let nextId = 0;
  const ports = new Map<number, SocketPort>();
  const replies = new Map<number, { resolve: (reply: unknown) => void; reject: (error: Error) => void }>();

  /** Sends `frame` (queued until the socket opens); throws FrameTooLargeError, sending nothing, over the bound. */
  function send(frame: ViewFrame): void {
    const text = JSON.stringify(frame);
    // The node would close the whole socket (every port, every pending request) for such a frame.
    if (text.length > MAX_VIEW_FRAME_BYTES / 3 && utf8Length(text) > MAX_VIEW_FRAME_BYTES) throw new FrameTooLargeError(`the request is too large for ${describe}: over ${FRAME_BOUND_TEXT} once encoded. Nothing was sent`);
    const current = socket ?? openSocket();
    if (current.readyState === OPEN) current.send(text);
    else queued.push(text);
  }

  function openSocket(): ViewSocket {
    const opened = open();
    socket = opened;
    opened.addEventListener('open', () => {
      if (socket !== opened) return;
      for (const text of queued) opened.send(text);
      queued = [];
    });
    opened.addEventListener('message', ({ data }) => {
      if (socket !== opened || typeof data !== 'string') return;
      const frame = parseNodeFrame(data);
      if (!frame) return;
      if (frame.kind === 'post') ports.get(frame.port)?.onMessage.emit(frame.message);
      else if (frame.kind === 'disconnect') dropPort(frame.port);
      else {
        replies.get(frame.id)?.resolve(frame.reply);
        replies.delete(frame.id);
      }
    });
    opened.addEventListener('close', ({ code }) => {
      if (socket !== opened) return;
      socket = null;
      queued = [];
      // A frame over the node's bound closes the socket with its own code: the token was fine (issue 23, item 12).
      const error =
        code === FRAME_TOO_LARGE_CLOSE
          ? new FrameTooLargeError(`${describe} refused a request over ${FRAME_BOUND_TEXT} and closed the connection`)
          : new SocketClosedError(`the connection to ${describe} closed (is it running, and is this page's token the one it printed?)`);
      for (const { reject } of replies.values()) reject(error);
      replies.clear();
      for (const id of [...ports.keys()]) dropPort(id);
    });
    return opened;
  }

  function dropPort(id: number): void {
    const port = ports.get(id);
    ports.delete(id);
    port?.onDisconnect.emit();
  }

  return {
    connect({ name }) {
      const id = nextId++;
      const port = new SocketPort(() => {
        // Like a runtime port: the side that disconnects hears no onDisconnect.
        if (!ports.delete(id)) return;
        if (socket) send({ kind: 'disconnect', port: id });
      });
      ports.set(id, port);
      send({ kind: 'connect', port: id, name });
      return port;
    },
    sendMessage(message) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        replies.set(id, { resolve, reject });
        try {
          send({ kind: 'request', id, message });
        } catch (error) {
          replies.delete(id);
          reject(error);
        }
      });
    },
  };
}

const TOKEN_SESSION_KEY = 'meshdeck:view-token';

/**
 * The runtime of a dashboard page served by meshdeck-node: the token comes in the address's fragment
 * (`#token=…`, never sent to a server), is kept for this tab's reloads and taken off the address bar.
 */
export function pageSocketRuntime(page: Window & typeof globalThis): ViewRuntime {
  const fromHash = new URLSearchParams(page.location.hash.slice(1)).get('token');
  if (fromHash) {
    page.sessionStorage.setItem(TOKEN_SESSION_KEY, fromHash);
    page.history.replaceState(null, '', page.location.pathname);
  }
  const token = page.sessionStorage.getItem(TOKEN_SESSION_KEY) ?? '';
  const url = `ws://${page.location.host}${VIEW_SOCKET_PATH}`;
  return createSocketRuntime(() => new page.WebSocket(url, [VIEW_SOCKET_PROTOCOL, tokenProtocol(token)]), `meshdeck-node at ${page.location.host}`);
}
