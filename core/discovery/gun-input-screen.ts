/**
 * Puts the room-record screen (record-screen.ts) in front of a GUN instance: every message its mesh
 * hears passes through RoomGraphScreen before GUN handles it. A write refused whole is answered with
 * an error ack, so the writer learns at once (instead of waiting out its ack timeout) and nothing is
 * stored or forwarded.
 *
 * GUN has no hook ahead of its own input handling (its root 'in' handler stores a put and stops), so
 * this wraps the mesh's `hear.one`, which GUN looks up at every message (gun 0.2020.1241, gun.js Mesh).
 */
import { isRecord } from '../control/protocol';
import { RoomGraphScreen } from './record-screen';
import type { NodeRecord } from './rendezvous-record';

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

export function screenGunInput(mesh: GunMeshLike, now: () => number, onRefused: (refused: unknown[]) => void, alsoRequire?: (record: NodeRecord) => boolean): void {
  const screen = new RoomGraphScreen(alsoRequire);
  const hearOne = mesh.hear.one;
  mesh.hear.one = function screened(msg, peer, started) {
    if (isRecord(msg) && isRecord(msg.put)) {
      let result: ReturnType<RoomGraphScreen['screen']>;
      try {
        // An answer (`@`) to a read of ours may come in chunks; any other put is a write and must be whole.
        result = screen.screen(msg.put, now(), typeof msg['@'] === 'string');
      } catch {
        // Not a graph JSON could make: nothing of it goes on (fail closed).
        return;
      }
      const { refused, empty } = result;
      if (refused.length) onRefused(refused);
      if (empty) {
        if (typeof msg['#'] === 'string') mesh.say({ '@': msg['#'], err: 'refused: not a well-formed Meshdeck record' }, peer);
        return;
      }
    }
    hearOne.call(this, msg, peer, started);
  };
}
