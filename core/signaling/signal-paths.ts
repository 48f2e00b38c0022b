/**
 * The node's one signaling seam: PeerJS first (one or several servers, registered on all at once),
 * fallback paths (the GUN relays) behind the same Signaling interface, chosen per target at each dial,
 * and meeting paths (the trackers), which dial no one in particular but set connections up with
 * whoever answers.
 * Whatever path set a connection up, the session on it (handshake, heartbeat, routing, blocking) is
 * the same.
 *
 * A target is dialled through the first PeerJS server this node is registered on that the target's
 * record lists too (PeerJS servers do not federate); otherwise through the first open fallback. A
 * PeerJS dial that fails before it opens sends the next dials of that target through a fallback for a
 * while: the target's record may list a server it has since lost.
 */
import { Emitter } from '../lib/events';
import type { Clock } from '../lib/clock';
import type { Link } from '../session/link';
import type { FallbackSignalingSnapshot, SignalingEndpointSnapshot, SignalingState } from './signaling';
import type { DialTarget, FallbackSignaling, MeetingSignaling, Signaling, SignalingEvents } from './signaling';

/** How long a target whose PeerJS dial failed is dialled through a fallback instead. */
export const PRIMARY_AVOID_MS = 60_000;

export class SignalPaths implements Signaling {
  readonly events = new Emitter<SignalingEvents>();
  /** Each PeerJS server's last state and error, in the order of the settings. */
  private readonly endpoints: SignalingEndpointSnapshot[];
  /** Target → until when (monotonic) its dials go through a fallback. */
  private readonly avoidPrimary = new Map<string, number>();
  private readonly unsubscribers: (() => void)[];

  constructor(
    private readonly primaries: Signaling[],
    private readonly fallbacks: FallbackSignaling[],
    private readonly meetings: MeetingSignaling[],
    private readonly clock: Clock,
    onFallbackState: () => void,
  ) {
    if (primaries.length === 0) throw new Error('SignalPaths needs a PeerJS signaling');
    this.endpoints = primaries.map((primary) => ({ url: primary.url, state: 'stopped', lastError: null }));
    this.unsubscribers = [
      ...primaries.flatMap((primary, i) => [
        primary.events.on('signaling:state', ({ state, error }) => {
          this.endpoints[i] = { url: primary.url, state, lastError: error ?? (state === 'open' || state === 'stopped' ? null : this.endpoints[i]!.lastError) };
          this.events.emit('signaling:state', this.overall(error));
        }),
        primary.events.on('link:inbound', (link) => this.events.emit('link:inbound', link)),
        primary.events.on('message:dropped', (why) => this.events.emit('message:dropped', why)),
      ]),
      ...[...fallbacks, ...meetings].flatMap((path) => [
        path.events.on('signaling:state', onFallbackState),
        path.events.on('link:inbound', (link) => this.events.emit('link:inbound', link)),
        path.events.on('link:met', (link) => this.events.emit('link:met', link)),
      ]),
    ];
  }

  /** PeerJS as one: open while any server is; otherwise the first server's state, with the error just heard. */
  private overall(error: string | null): { state: SignalingState; error: string | null } {
    if (this.endpoints.some((e) => e.state === 'open')) return { state: 'open', error: null };
    return { state: this.endpoints[0]!.state, error };
  }

  get url(): string {
    return this.primaries[0]!.url;
  }

  get attempts(): number {
    return this.primaries[0]!.attempts;
  }

  /** Whether some path can reach `target` now. */
  canReach(target: DialTarget): boolean {
    return this.sharedPrimary(target) !== null || this.openFallback() !== null;
  }

  /** Every PeerJS server with its state, in the order of the settings. */
  endpointSnapshots(): SignalingEndpointSnapshot[] {
    return this.endpoints.map((endpoint) => ({ ...endpoint }));
  }

  /**
   * The endpoints a record lists: those the node is registered on, and those on their way to it for
   * the first time; not one that failed or dropped it (a dialler would try it in vain).
   */
  announcedUrls(): string[] {
    return this.endpoints.filter((e) => e.state === 'open' || (e.state === 'connecting' && e.lastError === null)).map((e) => e.url);
  }

  fallbackSnapshots(): FallbackSignalingSnapshot[] {
    return [...this.fallbacks, ...this.meetings].map((path) => path.snapshot());
  }

  /** Whether some PeerJS server or targeted fallback is open: the node reaches its peers without meeting paths. */
  get reachesTargets(): boolean {
    return this.endpoints.some((e) => e.state === 'open') || this.openFallback() !== null;
  }

  /** The first PeerJS server this node is registered on that `target` lists (any open one without a target). */
  private sharedPrimary(target: DialTarget | undefined, nodeId?: string): Signaling | null {
    const index = this.endpoints.findIndex((e) => e.state === 'open' && (!target || target.signal.includes(e.url)));
    if (index < 0) return null;
    const avoidUntil = nodeId === undefined ? undefined : this.avoidPrimary.get(nodeId);
    if (avoidUntil !== undefined) {
      if (this.clock.monotonic() < avoidUntil) return null;
      this.avoidPrimary.delete(nodeId!);
    }
    return this.primaries[index]!;
  }

  private openFallback(): FallbackSignaling | null {
    return this.fallbacks.find((fallback) => fallback.state === 'open') ?? null;
  }

  dial(nodeId: string, target?: DialTarget): Link {
    const primary = this.sharedPrimary(target, nodeId);
    const fallback = this.openFallback();
    if (primary || !fallback) return this.dialPrimary(primary ?? this.primaries[0]!, nodeId, target);
    return fallback.dial(nodeId, target);
  }

  private dialPrimary(primary: Signaling, nodeId: string, target: DialTarget | undefined): Link {
    const link = primary.dial(nodeId, target);
    if (this.fallbacks.length === 0) return link;
    let opened = false;
    link.events.on('open', () => (opened = true));
    link.events.on('error', () => {
      if (!opened) this.avoidPrimary.set(nodeId, this.clock.monotonic() + PRIMARY_AVOID_MS);
    });
    return link;
  }

  start(): void {
    for (const primary of this.primaries) primary.start();
    for (const path of [...this.fallbacks, ...this.meetings]) path.start();
  }

  pause(): void {
    for (const primary of this.primaries) primary.pause();
    for (const path of [...this.fallbacks, ...this.meetings]) path.pause();
  }

  resume(): void {
    for (const primary of this.primaries) primary.resume();
    for (const path of [...this.fallbacks, ...this.meetings]) path.resume();
  }

  retryNow(): void {
    for (const primary of this.primaries) primary.retryNow();
    for (const path of [...this.fallbacks, ...this.meetings]) path.retryNow();
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    for (const primary of this.primaries) primary.stop();
    for (const path of [...this.fallbacks, ...this.meetings]) path.stop();
    this.avoidPrimary.clear();
    this.events.clear();
  }
}
