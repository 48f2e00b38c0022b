/**
 * The messages between a test and its hostile peers' child process (hostile-peer-process.ts ⇄
 * hostile-peer-child.ts). Every order carries an `id` and gets one `answer`; `ref` names a connection
 * or a silent dialler, chosen by the parent before the order so that reports can precede the answer.
 */

/** A route message's fields as a hostile peer chooses them (docs/protocol-v2.md §6); absent ones are the honest values. */
export interface RouteFields {
  src?: string;
  dst: string;
  ttl?: number;
  path?: string[];
  body: Record<string, unknown>;
  id?: string;
}

export type ParentOrder =
  | { op: 'connect'; ref: number; signalingUrl: string; targetId: string; identityOf?: string; auth?: string; answerPings?: boolean; timeoutMs?: number }
  | { op: 'send'; ref: number; frame: string }
  | { op: 'sendBinary'; ref: number; bytes: number[] }
  /** Sends `frame` (each `$n` replaced by its number) `perTick` at a time every `tickMs`, until `max` or the close. */
  | { op: 'flood'; ref: number; frame: string; max: number; perTick: number; tickMs: number }
  /** A signed route frame from the connection's node; `signer: 'stranger'` signs with a fresh key (a forgery). */
  | { op: 'routeFrame'; ref: number; route: RouteFields; signer?: 'stranger' }
  | { op: 'bufferedAmount'; ref: number }
  | { op: 'close'; ref: number }
  | { op: 'dialSilently'; ref: number; signalingUrl: string; targetId: string; nodeId: string }
  | { op: 'diallerState'; ref: number };

export type ChildReport =
  | { kind: 'ready' }
  | { kind: 'answer'; id: number; value?: unknown; error?: string }
  | { kind: 'frame'; ref: number; at: number; text: string }
  | { kind: 'closed'; ref: number; channelClosedWhile: string | null; errors: string[] };

export interface ConnectAnswer {
  nodeId: string;
  authFrame: string | null;
  targetAuthVerified: boolean;
  targetHello: Record<string, unknown> | null;
}

export interface FloodAnswer {
  sent: number;
  ms: number;
}

/** A frame's JSON object, or null for anything else (hostile frames are often neither). */
export function parseFrame(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
