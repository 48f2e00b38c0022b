/**
 * The one typed message protocol between the extension's contexts.
 *
 *   views (popup, options) --request--> background --host:configure--> node host
 *   node host --host:boot--> background (answers with the host's configuration)
 *   views <--state (port "observe")-- node host
 *
 * Every request gets a reply (`Reply`), also when it fails. Messages carry the protocol version so
 * that a view left open across an extension update is told instead of misread.
 */
import type { NodeSnapshot } from './observed-state';
import type { Settings } from './settings';
import type { StoredIdentity } from './identity';

export const PROTOCOL_VERSION = 1;
/** Name of the runtime port views open to the node host to receive observed state. */
export const OBSERVE_PORT = 'meshdeck:observe';

export type Request =
  | { type: 'settings:get' }
  | { type: 'settings:update'; patch: Partial<Settings> }
  /** Sent by a view when it cannot reach the node host: the background re-creates it. */
  | { type: 'host:ensure' }
  /** Sent by the node host when it boots; answered with its configuration. */
  | { type: 'host:boot' };

export interface HostConfig {
  settings: Settings;
  identity: StoredIdentity;
}

/** Background → node host. */
export type HostCommand = { type: 'host:configure'; config: HostConfig };

/** Node host → views over the observe port. */
export type StateMessage = { type: 'state'; snapshot: NodeSnapshot };

export type Envelope<T> = T & { v: typeof PROTOCOL_VERSION; to: 'background' | 'host' };

export type Reply<T = unknown> = { ok: true; value: T } | { ok: false; error: { name: string; message: string } };

export interface ReplyValues {
  'settings:get': Settings;
  'settings:update': Settings;
  'host:ensure': null;
  'host:boot': HostConfig;
}

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

const REQUEST_TYPES = new Set<Request['type']>(['settings:get', 'settings:update', 'host:ensure', 'host:boot']);

export function envelope<T extends Request | HostCommand>(message: T, to: 'background' | 'host'): Envelope<T> {
  return { ...message, v: PROTOCOL_VERSION, to };
}

/** Validates a message arriving at the background. Returns null for messages meant for another context. */
export function parseRequest(raw: unknown): Request | null {
  if (!isRecord(raw) || raw.to !== 'background') return null;
  if (raw.v !== PROTOCOL_VERSION) throw new ProtocolError(`protocol version ${String(raw.v)} is not ${PROTOCOL_VERSION}: reload the page`);
  if (!REQUEST_TYPES.has(raw.type as Request['type'])) throw new ProtocolError(`unknown request "${String(raw.type)}"`);
  if (raw.type === 'settings:update' && !isRecord(raw.patch)) throw new ProtocolError('settings:update needs a patch object');
  return raw as unknown as Request;
}

/** Validates a message arriving at the node host. Returns null for messages meant for another context. */
export function parseHostCommand(raw: unknown): HostCommand | null {
  if (!isRecord(raw) || raw.to !== 'host') return null;
  if (raw.v !== PROTOCOL_VERSION) throw new ProtocolError(`protocol version ${String(raw.v)} is not ${PROTOCOL_VERSION}`);
  if (raw.type !== 'host:configure' || !isRecord(raw.config)) throw new ProtocolError(`unknown host command "${String(raw.type)}"`);
  return raw as unknown as HostCommand;
}

export function okReply<T>(value: T): Reply<T> {
  return { ok: true, value };
}

export function errorReply(error: unknown): Reply<never> {
  const e = error instanceof Error ? error : new Error(String(error));
  return { ok: false, error: { name: e.name, message: e.message } };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
