/** Why a session ended (CloseReason), and the words for each reason in the connection list and the event log. */
import type { ByeReason } from './wire';

/** Why a session ended. A ByeReason was sent by us; `remote:*` was received in a bye. */
export type CloseReason =
  | ByeReason
  | `remote:${ByeReason}`
  | 'handshake-timeout'
  | 'handshake-refused'
  | 'protocol-error'
  | 'dead'
  | 'transport-closed'
  | 'duplicate'
  /** An outbound dial nobody answered, given up for a node discovered since (core/node/auto-dialler.ts, STALLED_DIAL_MS). */
  | 'superseded';

const WORDS: Record<CloseReason, string> = {
  'user-disconnect': 'disconnected by you',
  blocked: 'blocked by you',
  shutdown: 'this node switched off',
  paused: 'refused: incoming connections paused',
  limit: 'peer exceeded the message limits',
  'remote:user-disconnect': 'the peer disconnected',
  'remote:blocked': 'the peer blocked this node',
  'remote:shutdown': 'the peer switched off',
  'remote:paused': 'the peer is not accepting connections (paused)',
  'remote:limit': 'the peer says this node exceeded its limits',
  'handshake-timeout': 'handshake timed out',
  'handshake-refused': 'handshake refused',
  'protocol-error': 'protocol error',
  dead: 'heartbeat lost',
  'transport-closed': 'connection lost',
  duplicate: 'replaced by a parallel connection',
  superseded: 'unanswered dial given up for a newly found node',
};

export const describeClose = (reason: CloseReason): string => WORDS[reason];
