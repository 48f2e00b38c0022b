/**
 * A hostile writer to the rendezvous mesh: a GUN client in Node that puts whatever it likes into a
 * room, where honest nodes keep their signed records (`meshdeck/v1/<room>/nodes/<key>`,
 * core/discovery/gun-rendezvous.ts) and their file lists (`…/files/<key>`). GUN only moves them; every
 * reader must verify them. With it: junk of every kind, validly signed Sybil records of many fresh
 * identities, records dated ahead, and file lists nobody signed.
 */
import './load-gun-quietly'; // first (bench/hostile.ts): GUN loads here without its greeting, before the imports below
import Gun from 'gun/gun';
import { randomBytes, toBase64Url } from '../../core/lib/encoding';
import { signRecord, type NodeRecord, type RecordContent } from '../../core/discovery/rendezvous-record';
import { installNodeWebRTC } from '../../server/node-webrtc';
import { gunClientOptions } from '../../core/discovery/gun-rendezvous';
import { makeIdentity } from './identities';
import type { HostileIdentity } from './hostile-peer';
import { madeUpNodeId } from './ids';

interface GunChain {
  get(key: string): GunChain;
  put(value: object, ack?: (ack: { err?: string; ok?: unknown }) => void): GunChain;
  once(callback: (data: unknown) => void, options?: { wait: number }): GunChain;
  back(path: string): unknown;
}

export interface RoomWriter {
  /**
   * Puts each value under its own key of the room's slot (`nodes` or `files`), `batch` keys to a put, and waits for the
   * relay's ack of each put (at most `ackTimeoutMs`). Resolves with how many puts were acknowledged.
   */
  put(entries: [key: string, value: object][], options?: { batch?: number; ackTimeoutMs?: number }): Promise<{ puts: number; acked: number }>;
  close(): void;
}

export function openRoomWriter(relayUrl: string, room: string, slot: 'nodes' | 'files' = 'nodes'): RoomWriter {
  installNodeWebRTC();
  const gun = (Gun as unknown as (options: Record<string, unknown>) => GunChain)(gunClientOptions([relayUrl]));
  const path = gun.get('meshdeck/v1').get(room).get(slot);
  let soul: Promise<string> | null = null;
  /**
   * The soul of the room's slot, as the chain resolves it (the nodes in the room made it).
   * Putting straight to a soul skips GUN's resolution of the chain for every key, which made a
   * storm trickle in at ~60 records a second instead of ~500.
   */
  const nodesSoul = () =>
    (soul ??= new Promise<string>((resolve) => {
      path.once(
        (data) => {
          const found = (data as { _?: { '#'?: string } } | undefined)?._?.['#'];
          if (found) return resolve(found);
          // Nobody announced in the room yet: make the chain through it, then use it.
          path.get('hostile-placeholder').put({ junk: true }, () => resolve(`meshdeck/v1/${room}/${slot}`));
        },
        { wait: 2000 },
      );
    }));
  const put = (chain: GunChain, value: object, timeoutMs: number) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      chain.put(value, (ack) => {
        clearTimeout(timer);
        resolve(!ack.err);
      });
    });
  return {
    async put(entries, { batch = 250, ackTimeoutMs = 20_000 } = {}) {
      const nodes = gun.get(await nodesSoul());
      let puts = 0;
      let acked = 0;
      for (let i = 0; i < entries.length; i += batch) {
        const graph: Record<string, object> = {};
        for (const [key, value] of entries.slice(i, i + batch)) graph[key] = value;
        puts++;
        if (await put(nodes, graph, ackTimeoutMs)) acked++;
      }
      return { puts, acked };
    },
    close() {
      const mesh = gun.back('opt.mesh') as { bye(peer: unknown): void } | undefined;
      const peers = (gun.back('opt.peers') ?? {}) as Record<string, { wire?: { close(): void } | null }>;
      for (const peer of Object.values(peers)) {
        if (mesh) mesh.bye(peer);
        else peer.wire?.close();
      }
    },
  };
}

/** `count` fresh identities, made `batch` at a time (each is three ECDSA key pairs and a certificate). */
export async function makeIdentities(count: number, batch = 50): Promise<HostileIdentity[]> {
  const out: HostileIdentity[] = [];
  while (out.length < count) {
    const n = Math.min(batch, count - out.length);
    out.push(...(await Promise.all(Array.from({ length: n }, () => makeIdentity()))));
  }
  return out;
}

/** A genuine, validly signed record of `identity` dated `ts`. */
export function sybilRecord(identity: HostileIdentity, content: RecordContent, ts = Date.now()): Promise<NodeRecord> {
  return signRecord(identity.identity, content, ts);
}

const randomB64 = (bytes: number) => toBase64Url(randomBytes(bytes));

/**
 * `count` junk records, each under its own made-up key, in five kinds (a fifth each):
 * - not a record at all (fields missing): a reader ignores it;
 * - bad shapes: IDs that are not IDs, a `javascript:` signaling URL, 100 neighbours: cheap to refuse;
 * - dated an hour ahead: cheap to refuse;
 * - well-shaped with random keys (so IDs that do not derive from them): refused at the identity check;
 * - forged copies of `victims`' records: newer, same keys, a random signature. They cost a full
 *   signature check each and must never replace the genuine record.
 */
export function junkRecords(count: number, victims: NodeRecord[], signalingUrl: string): [string, object][] {
  const out: [string, object][] = [];
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    const key = madeUpNodeId();
    const base = {
      id: key,
      pub: randomB64(65),
      user: 'u' + madeUpNodeId().slice(1),
      userPub: randomB64(65),
      cert: randomB64(64),
      certAt: now - 1000,
      signal: JSON.stringify([signalingUrl]),
      routing: true,
      neighbors: '[]',
      ts: now,
      sig: randomB64(64),
    };
    switch (i % 5) {
      case 0:
        out.push([key, { junk: i, text: 'not a node record', ts: now }]);
        break;
      case 1: {
        const variant = i % 3;
        if (variant === 0) out.push([key, { ...base, id: `x${i}` }]);
        else if (variant === 1) out.push([key, { ...base, signal: JSON.stringify(['javascript:alert(1)']) }]);
        else out.push([key, { ...base, neighbors: JSON.stringify(Array.from({ length: 100 }, () => madeUpNodeId())) }]);
        break;
      }
      case 2:
        out.push([key, { ...base, ts: now + 60 * 60_000 }]);
        break;
      case 3:
        out.push([key, base]);
        break;
      default: {
        const victim = victims[i % Math.max(1, victims.length)];
        if (victim) out.push([key, { ...victim, ts: now + 1000 + i, neighbors: '[]', sig: randomB64(64) }]);
        else out.push([key, base]);
      }
    }
  }
  return out;
}

/**
 * `count` junk children for the room's `files` slot, each under its own made-up key, in four kinds (a
 * quarter each): not a file list; filed under another ID; a list far over the bound; and well-shaped
 * lists nobody signed (random signatures, fresh IDs with no record), which pass every cheap check and
 * must cost a reader no more than a bounded wait for a record that never comes.
 */
export function junkFileLists(count: number): [string, object][] {
  const out: [string, object][] = [];
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    const key = madeUpNodeId();
    const list = JSON.stringify([{ ih: randomBytes(20).reduce((hex, b) => hex + b.toString(16).padStart(2, '0'), ''), name: `junk-${i}.bin`, size: 1024 }]);
    const base = { id: key, list, ts: now, sig: randomB64(64) };
    switch (i % 4) {
      case 0:
        out.push([key, { junk: i, text: 'not a file list' }]);
        break;
      case 1:
        out.push([key, { ...base, id: madeUpNodeId() }]);
        break;
      case 2:
        out.push([key, { ...base, list: 'x'.repeat(8000) }]);
        break;
      default:
        out.push([key, base]);
    }
  }
  return out;
}
