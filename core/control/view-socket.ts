/**
 * The frames of meshdeck-node's view socket: the local WebSocket that carries the typed protocol of
 * core/control/protocol.ts between a Node Dashboard in a web page and a headless node, in place of
 * the extension's runtime ports and messages. One JSON text frame each:
 *
 *   view → node   { kind: 'connect', port, name }      opens an observe port (name: observePortName)
 *                 { kind: 'disconnect', port }         the view closed it
 *                 { kind: 'request', id, message }     an envelope(request, 'background')
 *   node → view   { kind: 'post', port, message }      what the host posts on that port
 *                 { kind: 'disconnect', port }         the node closed it (unknown name, host gone)
 *                 { kind: 'reply', id, reply }         the Reply to request `id`
 *
 * The socket opens at VIEW_SOCKET_PATH with the subprotocols [VIEW_SOCKET_PROTOCOL, tokenProtocol(token)]:
 * a browser cannot set headers on a WebSocket, and a token in the URL would end up in histories.
 */
import { IMPORT_MAX_BYTES } from '../blocklist/block-list';
import { type Request } from './protocol';
import { isRecord } from '../lib/is-record';

export const VIEW_SOCKET_PATH = '/view';
export const VIEW_SOCKET_PROTOCOL = 'meshdeck-view.v1';
const TOKEN_PREFIX = 'meshdeck-token.';

/**
 * The largest frame either end sends or takes, in UTF-8 bytes, derived from the largest legitimate
 * request: a block-list import (`block:import`), whose text may have IMPORT_MAX_BYTES characters.
 * JSON.stringify writes one character as at most 6 bytes (`\u001f`, or `\udc00` for a lone surrogate;
 * a character of 3 UTF-8 bytes stays 3), and the envelope around the text is a few hundred bytes, well
 * within 64 KiB. The former 1 MiB bound refused imports that the import limit accepted (issue 23,
 * item 12).
 */
export const MAX_VIEW_FRAME_BYTES = 6 * IMPORT_MAX_BYTES + 64 * 1024;

/**
 * The close code for a frame over MAX_VIEW_FRAME_BYTES (RFC 6455 §7.4.1 "Message Too Big"; the server's
 * WebSocket library closes with it), so that the page names the cause instead of the token.
 */
export const FRAME_TOO_LARGE_CLOSE = 1009;

export const tokenProtocol = (token: string): string => `${TOKEN_PREFIX}${token}`;
export const tokenOfProtocol = (protocol: string): string | null => (protocol.startsWith(TOKEN_PREFIX) ? protocol.slice(TOKEN_PREFIX.length) : null);

export type ViewFrame =
  | { kind: 'connect'; port: number; name: string }
  | { kind: 'disconnect'; port: number }
  | { kind: 'request'; id: number; message: unknown };

export type NodeFrame =
  | { kind: 'post'; port: number; message: unknown }
  | { kind: 'disconnect'; port: number }
  | { kind: 'reply'; id: number; reply: unknown };

/**
 * Requests only the node host itself sends its controller: a view that sends one over the socket is
 * refused, as only extension contexts could send them in the browser.
 */
export const HOST_ONLY_REQUESTS: ReadonlySet<Request['type']> = new Set([
  'host:boot', 'host:alive', 'host:badge', 'history:append', 'settings:trial-result', 'pairing:heard', 'pairing:list-heard',
]);

/**
 * Requests a headless node refuses, and whose panels its dashboard leaves out (docs/meshdeck-node.md):
 * pairing would re-certify the node in memory only (lost at the next start while the other browsers
 * believe they are paired) and seal the identity file's user key to whoever completes a code; sharing
 * files needs a browser's storage for the bytes.
 */
export const BROWSER_ONLY_REQUESTS: ReadonlySet<Request['type']> = new Set([
  'pairing:offer', 'pairing:cancel', 'pairing:join', 'pairing:state', 'pairing:unpair',
  'files:share', 'files:stop', 'files:download', 'files:cancel', 'files:save',
]);

const isId = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** The frame in `text`, or null for anything that is not one (ignored, like an unknown message). */
export function parseViewFrame(text: string): ViewFrame | null {
  const frame = parseJson(text);
  if (!isRecord(frame)) return null;
  if (frame.kind === 'connect' && isId(frame.port) && typeof frame.name === 'string') return { kind: 'connect', port: frame.port, name: frame.name };
  if (frame.kind === 'disconnect' && isId(frame.port)) return { kind: 'disconnect', port: frame.port };
  if (frame.kind === 'request' && isId(frame.id)) return { kind: 'request', id: frame.id, message: frame.message };
  return null;
}

export function parseNodeFrame(text: string): NodeFrame | null {
  const frame = parseJson(text);
  if (!isRecord(frame)) return null;
  if (frame.kind === 'post' && isId(frame.port)) return { kind: 'post', port: frame.port, message: frame.message };
  if (frame.kind === 'disconnect' && isId(frame.port)) return { kind: 'disconnect', port: frame.port };
  if (frame.kind === 'reply' && isId(frame.id)) return { kind: 'reply', id: frame.id, reply: frame.reply };
  return null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
