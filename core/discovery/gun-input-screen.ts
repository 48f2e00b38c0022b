/**
 * Puts the graph screen (graph-screen.ts) in front of a GUN instance: every message its mesh hears
 * passes through GraphScreen before GUN handles it. A write refused whole is answered with
 * an error ack, so the writer learns at once (instead of waiting out its ack timeout) and nothing is
 * stored or forwarded.
 *
 * GUN has no hook ahead of its own input handling (its root 'in' handler stores a put and stops), so
 * this wraps the mesh's `hear.one`, which GUN looks up at every message (gun 0.2020.1241, gun.js Mesh).
 */
import { isRecord } from '../lib/is-record';
import { GraphScreen, type RefusedChild, type ScreenOptions } from './graph-screen';
import type { ChildFamily } from './graph-families';

interface GunMessage {
  '#'?: string;
  '@'?: unknown;
  put?: unknown;
}
interface GunMeshHear {
  (raw: unknown, peer: unknown): void;
  one(msg: GunMessage, peer: unknown, started?: number): void;
}
export interface GunMeshLike {
  hear: GunMeshHear;
  say(msg: object, peer: unknown): void;
}

/**
 * @param families the souls screened (graph-families.ts: allFamilies()).
 * @param node a node's: the souls it reads, and those whose children may come in chunks (ScreenOptions,
 *   child-reader.ts). Only what it reads gets into its GUN. A relay reads nothing (absent): every write
 *   it hears must be whole.
 */
export function screenGunInput(
  mesh: GunMeshLike,
  now: () => number,
  onRefused: (refused: RefusedChild[]) => void,
  families: readonly ChildFamily[],
  node: ScreenOptions = {},
): void {
  const screen = new GraphScreen(families);
  const hearOne = mesh.hear.one;
  mesh.hear.one = function screened(msg, peer, started) {
    if (isRecord(msg) && isRecord(msg.put)) {
      let result: ReturnType<GraphScreen['screen']>;
      try {
        result = screen.screen(msg.put, now(), node);
      } catch {
        // Not a graph JSON could make: nothing of it goes on (fail closed).
        return;
      }
      const { refused, empty } = result;
      if (refused.length) onRefused(refused);
      if (empty) {
        // An answer emptied is an answer of nothing: GUN must still hear it, or a write waiting for it
        // to resolve its chain (a stale link of this node's on the relay) would never leave.
        if (typeof msg['@'] === 'string') {
          delete msg.put;
          return hearOne.call(this, msg, peer, started);
        }
        if (refused.length && typeof msg['#'] === 'string') mesh.say({ '@': msg['#'], err: 'refused: not well-formed Meshdeck data' }, peer);
        return;
      }
    }
    hearOne.call(this, msg, peer, started);
  };
}
