/**
 * Mesh routing (docs/protocol.md §6): signed route messages that travel over ready neighbours, forwarded
 * once per id with a falling ttl and a growing path, and the mesh ping/traceroute built on them.
 */
import type { Clock } from '../lib/clock';
import { canonical, randomBytes, toBase64Url } from '../lib/encoding';
import { verifyText, type Identity } from '../identity/identity';
import type { MeshPingResult } from '../control/protocol';
import type { RoutingSnapshot } from '../node/observed-state';
import { RingBuffer } from '../lib/ring-buffer';
import type { Route } from '../session/wire';
import { errorText } from '../lib/error-text';

export const MAX_TTL = 8;
export const MESH_PING_TIMEOUT_MS = 5000;
const SEEN_IDS = 4096;

export interface RouterDeps {
  identity: Identity;
  clock: Clock;
  /** Node IDs of ready neighbours. */
  readyNeighbours(): string[];
  sendTo(nodeId: string, message: Route): void;
  /** The verified node key of `nodeId` (from its rendezvous record or a session), or null. */
  keyOf(nodeId: string): CryptoKey | null;
  isBlocked(nodeId: string): boolean;
  routingEnabled(): boolean;
  log(level: 'debug' | 'info' | 'warn', type: string, message: string, nodeId?: string): void;
}

export class MeshPingError extends Error {
  override name = 'MeshPingError';
}

interface PendingPing {
  resolve(result: MeshPingResult): void;
  reject(error: Error): void;
  timer: unknown;
}

export class MeshRouter {
  readonly counters: RoutingSnapshot = { delivered: 0, forwarded: 0, dropped: 0, notForwarded: 0 };
  private readonly seen = new Set<string>();
  private readonly seenOrder = new RingBuffer<string>(SEEN_IDS);
  private readonly pings = new Map<string, PendingPing>();

  constructor(private readonly deps: RouterDeps) {}

  /** Signs and sends a route message from this node. Returns false when there is no neighbour to send it to. */
  async send(dst: string, body: Record<string, unknown>): Promise<boolean> {
    const { identity } = this.deps;
    const id = toBase64Url(randomBytes(12));
    const sig = await identity.sign(canonical({ id, src: identity.nodeId, dst, body }));
    const message: Route = { t: 'route', id, src: identity.nodeId, dst, ttl: MAX_TTL, path: [identity.nodeId], body, sig };
    this.remember(id);
    return this.pass(message, null) > 0;
  }

  /** Handles a route message received from the ready neighbour `from`. */
  async receive(message: Route, from: string): Promise<void> {
    const self = this.deps.identity.nodeId;
    if (this.seen.has(message.id)) return;
    const malformed =
      message.ttl < 1 || message.ttl > MAX_TTL || message.path[0] !== message.src ||
      message.path.at(-1) !== from || message.path.includes(self) || message.path.length > MAX_TTL;
    if (malformed) return this.drop(`malformed route message from ${from}`, from);
    if (this.deps.isBlocked(message.src)) return this.drop(`route message from blocked ${message.src}`, message.src);
    const key = this.deps.keyOf(message.src);
    if (!key) return this.drop(`route message from unknown ${message.src}`, message.src);
    const signed = canonical({ id: message.id, src: message.src, dst: message.dst, body: message.body });
    if (!(await verifyText(key, signed, message.sig))) return this.drop(`bad route signature from ${message.src}`, message.src);
    // Copies arriving over several neighbours verify concurrently: the first to finish wins.
    if (this.seen.has(message.id)) return;
    this.remember(message.id);

    if (message.dst === self || message.dst === '*') {
      this.counters.delivered++;
      this.onDelivered(message);
      if (message.dst === self) return;
    }
    if (!this.deps.routingEnabled()) {
      this.counters.notForwarded++;
      this.deps.log('debug', 'route:held', `routing is off: not forwarding ${message.src} → ${message.dst}`, message.src);
      return;
    }
    if (message.ttl <= 1) return;
    const forwarded = { ...message, ttl: message.ttl - 1, path: [...message.path, self] };
    if (this.pass(forwarded, from) > 0) this.counters.forwarded++;
  }

  /** Sends to the destination if it is a ready neighbour, else to every ready neighbour not on the path. */
  private pass(message: Route, from: string | null): number {
    const neighbours = this.deps.readyNeighbours();
    const targets = neighbours.includes(message.dst)
      ? [message.dst]
      : neighbours.filter((id) => id !== from && !message.path.includes(id));
    for (const id of targets) this.deps.sendTo(id, message);
    return targets.length;
  }

  private onDelivered(message: Route): void {
    const { body } = message;
    if (body.k === 'ping' && typeof body.ts === 'number') {
      this.send(message.src, { k: 'pong', ts: body.ts, path: [...message.path, this.deps.identity.nodeId] }).catch((error: unknown) =>
        this.deps.log('warn', 'mesh:pong', `pong not sent: ${errorText(error)}`, message.src),
      );
    } else if (body.k === 'pong' && typeof body.ts === 'number') {
      const pending = this.pings.get(`${message.src}|${body.ts}`);
      if (!pending) return;
      this.pings.delete(`${message.src}|${body.ts}`);
      this.deps.clock.clearTimeout(pending.timer);
      const path = Array.isArray(body.path) ? body.path.filter((hop): hop is string => typeof hop === 'string') : [];
      pending.resolve({ rttMs: this.deps.clock.now() - body.ts, path });
    }
  }

  /** Mesh ping/traceroute: resolves with the round trip and the path the ping took. */
  async ping(dst: string, timeoutMs = MESH_PING_TIMEOUT_MS): Promise<MeshPingResult> {
    if (dst === this.deps.identity.nodeId) throw new MeshPingError('that is this node');
    let ts = this.deps.clock.now();
    while (this.pings.has(`${dst}|${ts}`)) ts++;
    const key = `${dst}|${ts}`;
    const answer = new Promise<MeshPingResult>((resolve, reject) => {
      const timer = this.deps.clock.setTimeout(() => {
        this.pings.delete(key);
        reject(new MeshPingError(`no answer from ${dst} within ${timeoutMs / 1000} s: it may be offline, or mesh routing is off on the way`));
      }, timeoutMs);
      this.pings.set(key, { resolve, reject, timer });
    });
    // stop() may reject the answer while the send below is still signing: that is not unhandled.
    answer.catch(() => undefined);
    const sent = await this.send(dst, { k: 'ping', ts });
    if (!sent) {
      const pending = this.pings.get(key);
      this.pings.delete(key);
      if (pending) this.deps.clock.clearTimeout(pending.timer);
      throw new MeshPingError('no ready neighbour to send the ping through');
    }
    return answer;
  }

  private remember(id: string): void {
    const evicted = this.seenOrder.push(id);
    if (evicted !== undefined) this.seen.delete(evicted);
    this.seen.add(id);
  }

  private drop(why: string, nodeId: string): void {
    this.counters.dropped++;
    this.deps.log('warn', 'route:dropped', why, nodeId);
  }

  /** Fails pending pings and releases their timers. */
  stop(): void {
    for (const [key, pending] of this.pings) {
      this.deps.clock.clearTimeout(pending.timer);
      pending.reject(new MeshPingError('the node stopped'));
      this.pings.delete(key);
    }
  }
}
