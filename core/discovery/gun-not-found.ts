/**
 * Tells when every relay asked for a soul answered that it holds nothing there. A relay answers a
 * read of a soul it does not hold at once, with an answer that carries no data (`{"@": <the read's
 * ID>}`; measured on the gun package's own server: 2 ms on loopback), but GUN keeps that to itself: a
 * chain's `on()` simply never fires. The child reader (child-reader.ts) then held a fetch slot for its
 * whole timeout on every link whose child does not exist, and links alone are the cheapest thing to
 * write: a stream of 4 a second kept all its slots busy and a newcomer's record unread.
 *
 * Wraps the mesh's `say` (GUN sends each message to each relay through it, one call per relay) to
 * note which relays each read of a whole soul went to, and its `hear.one` (every message heard) to
 * match their answers by the read's ID. An answer that carries the soul counts as found; the soul is
 * reported only when every relay the read went to answered with nothing.
 */
import { isRecord } from '../lib/is-record';
import type { GunMeshLike } from './gun-input-screen';

/** Reads waiting for their answers; past this the oldest are forgotten (they are then never reported). */
export const READS_TRACKED = 256;

interface TrackedRead {
  soul: string;
  /** The relays the read went to. */
  askedOf: Set<unknown>;
  /** Those that answered with nothing. */
  empty: Set<unknown>;
}

/**
 * @param tracks whether reads of `soul` are worth tracking (a child being fetched), so that the many
 *   other reads GUN makes cost nothing.
 */
export function watchNotFound(mesh: GunMeshLike, tracks: (soul: string) => boolean, onNotFound: (soul: string) => void): void {
  const reads = new Map<string, TrackedRead>();
  const say = mesh.say;
  mesh.say = function tracked(msg, peer) {
    const id = isRecord(msg) ? msg['#'] : undefined;
    const get = isRecord(msg) ? msg.get : undefined;
    if (peer && typeof id === 'string' && isRecord(get) && typeof get['#'] === 'string' && get['.'] === undefined && tracks(get['#'])) {
      let read = reads.get(id);
      if (!read) {
        read = { soul: get['#'], askedOf: new Set(), empty: new Set() };
        reads.set(id, read);
        if (reads.size > READS_TRACKED) reads.delete(reads.keys().next().value!);
      }
      read.askedOf.add(peer);
    }
    return say.call(this, msg, peer);
  };
  const hearOne = mesh.hear.one;
  mesh.hear.one = function answered(msg, peer, started) {
    const read = isRecord(msg) && typeof msg['@'] === 'string' ? reads.get(msg['@']) : undefined;
    if (read) {
      const put = msg.put;
      if (isRecord(put) && put[read.soul] !== undefined) {
        reads.delete(msg['@'] as string);
      } else if (read.askedOf.has(peer)) {
        read.empty.add(peer);
        if (read.empty.size === read.askedOf.size) {
          reads.delete(msg['@'] as string);
          onNotFound(read.soul);
        }
      }
    }
    return hearOne.call(this, msg, peer, started);
  };
}
