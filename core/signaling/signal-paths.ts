/**
 * The node's one signaling seam: PeerJS first, fallback paths (the GUN relays) behind the same
 * Signaling interface, chosen per target at each dial. Whatever path set a connection up, the session
 * on it (handshake, heartbeat, routing, blocking) is the same.
 *
 * A target is dialled through PeerJS when this node is registered there and the target's record lists
 * the same endpoint (PeerJS servers do not federate); otherwise through the first open fallback. A
 * PeerJS dial that fails before it opens sends the next dials of that target through a fallback for a
 * while: the target's record may list a server it has since lost.
 */
import { Emitter } from '../lib/events';
import type { Clock } from '../lib/clock';
import type { Link } from '../session/link';
import type { FallbackSignalingSnapshot, SignalingState } from '../node/observed-state';
import type { DialTarget, FallbackSignaling, Signaling, SignalingEvents } from '../node/transport';

/** How long a target whose PeerJS dial failed is dialled through a fallback instead. */
export const PRIMARY_AVOID_MS = 60_000;

export class SignalPaths implements Signaling {
  readonly events = new Emitter<SignalingEvents>();
  private primaryState: SignalingState = 'stopped';
  /** Target → until when (monotonic) its dials go through a fallback. */
  private readonly avoidPrimary = new Map<string, number>();
  private readonly unsubscribers: (() => void)[];

  constructor(
    private readonly primary: Signaling,
    private readonly fallbacks: FallbackSignaling[],
    private readonly clock: Clock,
    onFallbackState: () => void,
  ) {
    this.unsubscribers = [
      primary.events.on('signaling:state', (change) => {
        this.primaryState = change.state;
        this.events.emit('signaling:state', change);
      }),
      primary.events.on('link:inbound', (link) => this.events.emit('link:inbound', link)),
      ...fallbacks.flatMap((fallback) => [
        fallback.events.on('signaling:state', onFallbackState),
        fallback.events.on('link:inbound', (link) => this.events.emit('link:inbound', link)),
      ]),
    ];
  }

  get url(): string {
    return this.primary.url;
  }

  get attempts(): number {
    return this.primary.attempts;
  }

  /** Whether some path can reach `target` now. */
  canReach(target: DialTarget): boolean {
    return this.viaPrimary(target) || this.openFallback() !== null;
  }

  fallbackSnapshots(): FallbackSignalingSnapshot[] {
    return this.fallbacks.map((fallback) => fallback.snapshot());
  }

  private viaPrimary(target: DialTarget | undefined, nodeId?: string): boolean {
    if (this.primaryState !== 'open') return false;
    if (target && !target.signal.includes(this.primary.url)) return false;
    const avoidUntil = nodeId === undefined ? undefined : this.avoidPrimary.get(nodeId);
    if (avoidUntil === undefined) return true;
    if (this.clock.monotonic() < avoidUntil) return false;
    this.avoidPrimary.delete(nodeId!);
    return true;
  }

  private openFallback(): FallbackSignaling | null {
    return this.fallbacks.find((fallback) => fallback.state === 'open') ?? null;
  }

  dial(nodeId: string, target?: DialTarget): Link {
    const fallback = this.openFallback();
    if (this.viaPrimary(target, nodeId) || !fallback) return this.dialPrimary(nodeId, target, fallback !== null);
    return fallback.dial(nodeId, target);
  }

  private dialPrimary(nodeId: string, target: DialTarget | undefined, fallbackOpen: boolean): Link {
    const link = this.primary.dial(nodeId, target);
    if (!fallbackOpen && this.fallbacks.length === 0) return link;
    let opened = false;
    link.events.on('open', () => (opened = true));
    link.events.on('error', () => {
      if (!opened) this.avoidPrimary.set(nodeId, this.clock.monotonic() + PRIMARY_AVOID_MS);
    });
    return link;
  }

  start(): void {
    this.primary.start();
    for (const fallback of this.fallbacks) fallback.start();
  }

  pause(): void {
    this.primary.pause();
    for (const fallback of this.fallbacks) fallback.pause();
  }

  resume(): void {
    this.primary.resume();
    for (const fallback of this.fallbacks) fallback.resume();
  }

  retryNow(): void {
    this.primary.retryNow();
    for (const fallback of this.fallbacks) fallback.retryNow();
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.primary.stop();
    for (const fallback of this.fallbacks) fallback.stop();
    this.avoidPrimary.clear();
    this.events.clear();
  }
}
