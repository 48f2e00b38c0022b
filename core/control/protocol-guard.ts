/**
 * The checks at the boundary of the context protocol (core/control/protocol.ts): every message that
 * reaches the background or the node host is validated here, whatever sent it. Its own module, so the
 * views, which only send, do not carry it in their bundles.
 */
import { describeValue } from '../lib/error-text';
import { MAX_BADGE_TEXT, MAX_BADGE_TITLE } from './toolbar-badge';
import { PROTOCOL_VERSION, type HostCommand, type NodeAction, type PairingCommand, type Request } from './protocol';
import { isRecord } from '../lib/is-record';

export const NODE_ACTIONS = new Set<NodeAction['type']>([
  'node:refresh', 'node:disconnect', 'node:ping', 'node:dial', 'node:retry-signaling', 'diagnostics:export',
  'files:share', 'files:stop', 'files:download', 'files:cancel', 'files:save',
]);

export function isNodeAction(request: Request): request is NodeAction {
  return NODE_ACTIONS.has(request.type as NodeAction['type']);
}

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

const REQUEST_TYPES = new Set<Request['type']>([
  'settings:get', 'settings:update', 'settings:keep', 'settings:revert', 'settings:history', 'settings:trial-result', 'block:add', 'block:remove', 'block:restore', 'block:note', 'block:import', 'block:clear', 'block:list', 'trust:add', 'trust:remove', 'trust:list',
  'host:ensure', 'host:boot', 'host:alive', 'host:badge', 'history:append', 'pairing:offer', 'pairing:cancel', 'pairing:join', 'pairing:heard', 'pairing:state', 'pairing:unpair', 'pairing:list-heard',
  ...NODE_ACTIONS,
]);

/** Requests about one ID of the block or trust list. */
const ID_REQUESTS = new Set(['block:add', 'block:remove', 'block:note', 'trust:add', 'trust:remove']);

/** Validates a message arriving at the background. Returns null for messages meant for another context. */
export function parseRequest(raw: unknown): Request | null {
  if (!isRecord(raw) || raw.to !== 'background') return null;
  if (raw.v !== PROTOCOL_VERSION) throw new ProtocolError(`protocol version ${describeValue(raw.v)} is not ${PROTOCOL_VERSION}: reload the page`);
  if (!REQUEST_TYPES.has(raw.type as Request['type'])) throw new ProtocolError(`unknown request "${describeValue(raw.type)}"`);
  if (raw.type === 'settings:update' && !isRecord(raw.patch)) throw new ProtocolError('settings:update needs a patch object');
  if (ID_REQUESTS.has(raw.type as string) && typeof raw.id !== 'string') throw new ProtocolError(`${raw.type} needs an id`);
  if (raw.type === 'block:note' && typeof raw.note !== 'string') throw new ProtocolError('block:note needs the note text');
  for (const field of ['note', 'label'] as const) {
    const holder = raw.type === 'block:add' || raw.type === 'trust:add' ? raw : raw.type === 'block:restore' && isRecord(raw.entry) ? raw.entry : null;
    if (holder && holder[field] !== undefined && typeof holder[field] !== 'string') throw new ProtocolError(`${raw.type}: the ${field} must be text`);
  }
  if (raw.type === 'block:import' && typeof raw.text !== 'string') throw new ProtocolError('block:import needs the file text');
  if (raw.type === 'block:restore' && !(isRecord(raw.entry) && typeof raw.entry.id === 'string')) throw new ProtocolError('block:restore needs an entry with an id');
  if (raw.type === 'pairing:join' && typeof raw.code !== 'string') throw new ProtocolError('pairing:join needs the code');
  if (raw.type === 'pairing:heard' && (typeof raw.nodeId !== 'string' || typeof raw.binding !== 'string' || !isPairMessage(raw.message))) {
    throw new ProtocolError('pairing:heard needs a nodeId, a binding and a pair message');
  }
  if (raw.type === 'settings:trial-result' && (typeof raw.trialId !== 'string' || typeof raw.ok !== 'boolean')) {
    throw new ProtocolError('settings:trial-result needs a trialId and ok');
  }
  if (raw.type === 'host:alive' && !(raw.failure === null || typeof raw.failure === 'string')) throw new ProtocolError('host:alive needs a failure (or null)');
  if (raw.type === 'host:badge' && !isBadge(raw.badge)) throw new ProtocolError(`host:badge needs text (≤ ${MAX_BADGE_TEXT}), a #rrggbb colour and a title (≤ ${MAX_BADGE_TITLE})`);
  if ((raw.type === 'node:disconnect' || raw.type === 'node:ping' || raw.type === 'node:dial') && typeof raw.nodeId !== 'string') {
    throw new ProtocolError(`${raw.type} needs a nodeId`);
  }
  checkFileAction(raw);
  if (raw.type === 'history:append' && !isRecord(raw.point)) throw new ProtocolError('history:append needs a point');
  return raw as unknown as Request;
}

/** Validates a message arriving at the node host. Returns null for messages meant for another context. */
export function parseHostCommand(raw: unknown): HostCommand | null {
  if (!isRecord(raw) || raw.to !== 'host') return null;
  if (raw.v !== PROTOCOL_VERSION) throw new ProtocolError(`protocol version ${describeValue(raw.v)} is not ${PROTOCOL_VERSION}`);
  const known =
    raw.type === 'host:configure' ? isRecord(raw.config) && Number.isFinite(raw.config.revision)
    : raw.type === 'host:log' ? Array.isArray(raw.entries) && raw.entries.every(isLogLine)
    : raw.type === 'pair:connect' ? typeof raw.nodePrefix === 'string'
    : raw.type === 'pair:exchange' ? typeof raw.nodeId === 'string' && isPairMessage(raw.message)
    : NODE_ACTIONS.has(raw.type as NodeAction['type']);
  if (!known) throw new ProtocolError(`unknown host command "${describeValue(raw.type)}"`);
  if ((raw.type === 'node:disconnect' || raw.type === 'node:ping' || raw.type === 'node:dial') && typeof raw.nodeId !== 'string') {
    throw new ProtocolError(`${raw.type} needs a nodeId`);
  }
  checkFileAction(raw);
  return raw as unknown as HostCommand;
}

const FILE_ACTIONS_WITH_IH = new Set(['files:stop', 'files:download', 'files:cancel', 'files:save']);

function checkFileAction(raw: Record<string, unknown>): void {
  if (FILE_ACTIONS_WITH_IH.has(raw.type as string) && typeof raw.ih !== 'string') throw new ProtocolError(`${String(raw.type)} needs an ih`);
  if (raw.type === 'files:share' && (typeof raw.blobKey !== 'string' || typeof raw.name !== 'string')) throw new ProtocolError('files:share needs a blobKey and a name');
}

const isBadge = (badge: unknown): boolean =>
  isRecord(badge) &&
  typeof badge.text === 'string' && badge.text.length <= MAX_BADGE_TEXT &&
  typeof badge.color === 'string' && /^#[0-9a-f]{6}$/i.test(badge.color) &&
  typeof badge.title === 'string' && badge.title.length <= MAX_BADGE_TITLE;

const isPairMessage = (message: unknown): boolean => isRecord(message) && message.t === 'pair' && typeof message.step === 'string';

/** Whether a host command is part of a pairing (not a node action). */
export const isPairingCommand = (command: HostCommand): command is PairingCommand => command.type === 'pair:connect' || command.type === 'pair:exchange';

const LOG_LEVELS = new Set(['debug', 'info', 'warn', 'error']);
const isLogLine = (line: unknown): boolean =>
  isRecord(line) && LOG_LEVELS.has(line.level as string) && typeof line.type === 'string' && typeof line.message === 'string';

