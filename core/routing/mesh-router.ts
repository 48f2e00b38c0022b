/**
 * Mesh routing (docs/protocol.md §6): signed route messages that travel over ready neighbours, forwarded
 * once per id with a falling ttl and a growing path, and the mesh ping/traceroute built on them. A
 * unicast route goes to the next hop of a shortest known path (deps.nextHop, issue 14), and only with
 * none known to a few random neighbours.
 */
import type { Clock } from '../lib/clock';
import { canonical, randomBytes, toBase64Url } from '../lib/encoding';
import { NODE_ID_PATTERN as NODE_ID, verifyText, type Identity } from '../identity/identity';
import type { MeshPingResult } from './routing-reports';
import type { RoutingSnapshot } from './routing-reports';
import { TokenBucket, TokenBuckets } from '../lib/token-bucket';
import type { RoutedMessage } from '../session/wire';
import { errorText } from '../lib/error-text';

export const MAX_TTL = 8;
const MESH_PING_TIMEOUT_MS = 5000;
/** docs/protocol.md §6: routes are de-duplicated by (src, id) for at least 5 minutes. */
const SEEN_FOR_MS = 5 * 60_000;
/**
 * Routed-message keys remembered at most. Past it, the oldest key of the source holding the most goes first: a
 * neighbour flooding its own signed messages once evicted everyone's keys, then replayed a node's
 * recorded pings to spend that node's budgets (attacker read, issue 23). The wire carries no date to
 * refuse a replay by; this keeps a flooder's keys from pushing out anyone else's.
 */
const SEEN_KEPT = 16_384;
/** docs/protocol.md, Limits: route messages forwarded for one `src`, 20 a second. */
export const FORWARD_RATE = { perSecond: 20, burst: 20 };
/**
 * Broadcasts (`"*"`) forwarded for one `src`, stricter than the Limits allow (a node may be): each one
 * costs the whole mesh the sum of its degrees (some 4,000 copies in 500 nodes of degree 8, where a
 * unicast costs a copy per hop), and nothing Meshdeck does needs more. Measured in the simulation's
 * hostile act (server/sim).
 */
export const BROADCAST_FORWARD_RATE = { perSecond: 1, burst: 4 };
/**
 * Pings addressed to this node answered for one `src` (issue 23). Each answer costs an ECDSA signature
 * and up to FLOOD_FANOUT copies, and spends this node's forwarding budget at its neighbours; a mesh
 * ping is a person's diagnostic, one at a time.
 */
export const PING_ANSWER_RATE = { perSecond: 1, burst: 4 };
/**
 * This node's own route messages (pings, pongs, data), each signed here: as many as a neighbour
 * forwards for one `src` (FORWARD_RATE), beyond which they would be dropped there anyway.
 */
export const SEND_RATE = { ...FORWARD_RATE };
/** Tokens of the send budget that answers to pings leave for the node's own pings and data, so that pings from many sources cannot starve them. */
export const ANSWER_RESERVE = 5;
/** Sources whose budgets (each kind) are tracked at once; the least recently seen go first. */
const SOURCE_BUDGETS_KEPT = 1024;
const ROUTE_ID = /^[A-Za-z0-9_-]{16}$/;
/**
 * Neighbours a unicast route goes to, at most, when no path to its destination is known (issue 14):
 * a bounded flood, chosen at random, instead of every neighbour. Broadcasts (`"*"`) still go to every
 * ready neighbour not on the path.
 */
export const FLOOD_FANOUT = 4;

interface RouterDeps {
  identity: Identity;
  clock: Clock;
  /** Node IDs of ready neighbours. */
  readyNeighbours(): string[];
  sendTo(nodeId: string, message: RoutedMessage): void;
  /** The verified node key of `nodeId` (from its rendezvous record or a session), or null. */
  keyOf(nodeId: string): CryptoKey | null;
  isBlocked(nodeId: string): boolean;
  routingEnabled(): boolean;
  log(level: 'debug' | 'info' | 'warn', type: string, message: string, nodeId?: string): void;
  /** A ready neighbour sent a message that fails a check: counted against it (peer scoring). */
  penalize?(nodeId: string, why: string): void;
  /**
   * Called for each unicast route this node sends or forwards whose destination is not a ready
   * neighbour: the ready neighbour first on a shortest known path to `destination` (the room's
   * records, core/routing/route-graph.ts), or null when no path is known. Without it, or on null, the
   * route goes to at most FLOOD_FANOUT random neighbours.
   */
  nextHop?(destination: string): string | null;
  /** A number in [0, 1): which neighbours a route goes to when it floods (FLOOD_FANOUT of them). */
  random(): number;
}

const seenKey = (message: RoutedMessage): SeenKey => [message.src, message.id];
type SeenKey = readonly [src: string, id: string];

/**
 * What is wrong with a route message received from `from`, or null. An honest path starts at the
 * source, ends with the neighbour that sent it, never holds this node or a node twice, and grows by
 * one hop as the ttl falls by one, so a path padded with extra hops is refused.
 */
function malformation(message: RoutedMessage, from: string, self: string): string | null {
  const { ttl, path } = message;
  if (!ROUTE_ID.test(message.id)) return 'id is not 12 bytes of base64url';
  if (!NODE_ID.test(message.src) || !(message.dst === '*' || NODE_ID.test(message.dst))) return 'src or dst is not a node ID';
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL) return `ttl ${ttl} is not 1–${MAX_TTL}`;
  if (path.length < 1 || path.length > MAX_TTL || !path.every((hop) => NODE_ID.test(hop))) return `path is not 1–${MAX_TTL} node IDs`;
  if (path[0] !== message.src || path.at(-1) !== from) return 'path does not run from the source to the sender';
  if (path.includes(self) || new Set(path).size !== path.length) return 'path loops';
  if (ttl + path.length > MAX_TTL + 1) return 'path padded beyond what the ttl allows';
  return null;
}

/** At most `count` of `items`, chosen by `random` (a partial Fisher–Yates shuffle). */
function pickAtRandom<T>(items: readonly T[], count: number, random: () => number): T[] {
  if (items.length <= count) return [...items];
  const out = [...items];
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (out.length - i));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out.slice(0, count);
}

class MeshPingError extends Error {
  override name = 'MeshPingError';
}

/** This node sent as many route messages as its budget allows (SEND_RATE): it may try again in a moment. */
export class SendBudgetError extends Error {
  override name = 'SendBudgetError';
  constructor() {
    super(`this node already sent ${SEND_RATE.perSecond} route messages in the last second: try again in a moment`);
  }
}

interface PendingPing {
  resolve(result: MeshPingResult): void;
  reject(error: Error): void;
  timer: unknown;
}

export class MeshRouter {
  readonly counters: RoutingSnapshot = { delivered: 0, forwarded: 0, dropped: 0, notForwarded: 0, directed: 0, flooded: 0 };
  /** `src|id` → when it may be forgotten (monotonic ms). Insertion order is age order. */
  /** Source → its route IDs seen, each with when it may be forgotten (in the order remembered). */
  private readonly seen = new Map<string, Map<string, number>>();
  private seenCount = 0;
  /** Per source: its unicast and broadcast forwarding budgets, and its budget of pings answered. */
  private readonly forwardBudgets = new TokenBuckets(FORWARD_RATE, SOURCE_BUDGETS_KEPT);
  private readonly broadcastBudgets = new TokenBuckets(BROADCAST_FORWARD_RATE, SOURCE_BUDGETS_KEPT);
  private readonly answerBudgets = new TokenBuckets(PING_ANSWER_RATE, SOURCE_BUDGETS_KEPT);
  /** This node's own route messages. */
  private readonly sendBudget: TokenBucket;
  private readonly pings = new Map<string, PendingPing>();

  constructor(private readonly deps: RouterDeps) {
    this.sendBudget = new TokenBucket(SEND_RATE.perSecond, SEND_RATE.burst, deps.clock.monotonic());
  }

  /**
   * Signs and sends a route message from this node. Returns false when there is no neighbour to send it
   * to; throws SendBudgetError, signing nothing, when the node is over its send budget.
   */
  async send(dst: string, body: Record<string, unknown>): Promise<boolean> {
    if (!this.sendBudget.take(this.deps.clock.monotonic())) throw new SendBudgetError();
    return this.signAndPass(dst, body);
  }

  private async signAndPass(dst: string, body: Record<string, unknown>): Promise<boolean> {
    const { identity } = this.deps;
    const id = toBase64Url(randomBytes(12));
    const sig = await identity.sign(canonical({ id, src: identity.nodeId, dst, body }));
    const message: RoutedMessage = { t: 'route', id, src: identity.nodeId, dst, ttl: MAX_TTL, path: [identity.nodeId], body, sig };
    this.remember(seenKey(message));
    return this.pass(message, null) > 0;
  }

  /** Handles a route message received from the ready neighbour `from`. */
  async receive(message: RoutedMessage, from: string): Promise<void> {
    const self = this.deps.identity.nodeId;
    const key = seenKey(message);
    if (this.isSeen(key)) return;
    const why = malformation(message, from, self);
    if (why) return this.drop(`malformed route message from ${from}: ${why}`, from);
    if (this.deps.isBlocked(message.src)) return this.drop(`route message from blocked ${message.src}`, from, false);
    const srcKey = this.deps.keyOf(message.src);
    if (!srcKey) return this.drop(`route message from unknown ${message.src}`, from, false);
    const signed = canonical({ id: message.id, src: message.src, dst: message.dst, body: message.body });
    if (!(await verifyText(srcKey, signed, message.sig))) return this.drop(`bad route signature from ${message.src}`, from);
    // Copies arriving over several neighbours verify concurrently: the first to finish wins.
    if (this.isSeen(key)) return;
    this.remember(key);

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
    const broadcast = message.dst === '*';
    if (!(broadcast ? this.broadcastBudgets : this.forwardBudgets).take(message.src, this.deps.clock.monotonic())) {
      this.counters.notForwarded++;
      const rate = broadcast ? `${BROADCAST_FORWARD_RATE.perSecond} broadcast` : `${FORWARD_RATE.perSecond} route messages`;
      this.deps.log('debug', 'route:budget', `over ${rate} a second from ${message.src}: not forwarding`, message.src);
      return;
    }
    const forwarded = { ...message, ttl: message.ttl - 1, path: [...message.path, self] };
    if (this.pass(forwarded, from) > 0) this.counters.forwarded++;
  }

  /**
   * Sends to the destination if it is a ready neighbour (§6); a unicast route otherwise to the next
   * hop of a shortest known path, or, with none known (or one that would go back along the path), to
   * at most FLOOD_FANOUT random ready neighbours not on the path; a broadcast to every ready neighbour
   * not on the path. Returns the number of copies sent.
   */
  private pass(message: RoutedMessage, from: string | null): number {
    const neighbours = this.deps.readyNeighbours();
    if (neighbours.includes(message.dst)) return this.direct(message, message.dst);
    const open = neighbours.filter((id) => id !== from && !message.path.includes(id));
    if (message.dst === '*') return this.flood(message, open);
    const hop = this.deps.nextHop?.(message.dst) ?? null;
    // A hop on the path means this node's view and a previous hop's disagree: do not send it back.
    if (hop !== null && open.includes(hop)) return this.direct(message, hop);
    return this.flood(message, pickAtRandom(open, FLOOD_FANOUT, () => this.deps.random()));
  }

  private direct(message: RoutedMessage, to: string): number {
    this.deps.sendTo(to, message);
    this.counters.directed++;
    return 1;
  }

  private flood(message: RoutedMessage, targets: readonly string[]): number {
    for (const id of targets) this.deps.sendTo(id, message);
    this.counters.flooded += targets.length;
    return targets.length;
  }

  private onDelivered(message: RoutedMessage): void {
    const { body } = message;
    // A ping to "*" is never answered: every node of the room answering one message is amplification.
    if (body.k === 'ping' && typeof body.ts === 'number' && message.dst === this.deps.identity.nodeId) {
      if (!this.mayAnswer(message.src)) return;
      this.signAndPass(message.src, { k: 'pong', ts: body.ts, path: [...message.path, this.deps.identity.nodeId] }).catch((error: unknown) =>
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

  /**
   * Whether a ping from `src` is answered (issue 23): within its source's budget, and while the node's
   * send budget holds more than ANSWER_RESERVE (spending one). Checked before signing: the signature is
   * the cost.
   */
  private mayAnswer(src: string): boolean {
    const now = this.deps.clock.monotonic();
    if (!this.answerBudgets.take(src, now)) {
      this.deps.log('debug', 'mesh:pong', `over ${PING_ANSWER_RATE.perSecond} ping a second from ${src}: not answered`, src);
      return false;
    }
    if (this.sendBudget.msUntil(now, ANSWER_RESERVE + 1) > 0 || !this.sendBudget.take(now)) {
      this.deps.log('debug', 'mesh:pong', `this node is near its send budget: a ping from ${src} not answered`, src);
      return false;
    }
    return true;
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
    let sent = false;
    try {
      sent = await this.send(dst, { k: 'ping', ts });
    } finally {
      if (!sent) {
        const pending = this.pings.get(key);
        this.pings.delete(key);
        if (pending) this.deps.clock.clearTimeout(pending.timer);
      }
    }
    if (!sent) throw new MeshPingError('no ready neighbour to send the ping through');
    return answer;
  }

  private isSeen([src, id]: SeenKey): boolean {
    const until = this.seen.get(src)?.get(id);
    return until !== undefined && until > this.deps.clock.monotonic();
  }

  private remember([src, id]: SeenKey): void {
    const now = this.deps.clock.monotonic();
    let ids = this.seen.get(src);
    if (!ids) this.seen.set(src, (ids = new Map()));
    if (ids.delete(id)) this.seenCount--;
    ids.set(id, now + SEEN_FOR_MS);
    this.seenCount++;
    this.forgetExpired(src, ids, now);
    if (this.seenCount <= SEEN_KEPT) return;
    for (const [other, otherIds] of this.seen) this.forgetExpired(other, otherIds, now);
    while (this.seenCount > SEEN_KEPT) {
      let largest: Map<string, number> | null = null;
      for (const otherIds of this.seen.values()) if (!largest || otherIds.size > largest.size) largest = otherIds;
      largest!.delete(largest!.keys().next().value!);
      this.seenCount--;
    }
    for (const [other, otherIds] of this.seen) if (otherIds.size === 0) this.seen.delete(other);
  }

  /** Drops the expired IDs of `src` (the oldest are first), and the source once it has none. */
  private forgetExpired(src: string, ids: Map<string, number>, now: number): void {
    for (const [id, until] of ids) {
      if (until > now) break;
      ids.delete(id);
      this.seenCount--;
    }
    if (ids.size === 0) this.seen.delete(src);
  }

  /**
   * Drops a message and logs why. `blame` counts it against the neighbour that sent it: a malformed
   * or forged message is that neighbour's doing; one from a blocked or unknown source may just be
   * passed on in good faith.
   */
  private drop(why: string, from: string, blame = true): void {
    this.counters.dropped++;
    this.deps.log('warn', 'route:dropped', why, from);
    if (blame) this.deps.penalize?.(from, why);
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
