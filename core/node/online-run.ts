/**
 * The node's online runs, from going online with the settings of the moment to going offline. A run
 * makes its transports (node-transports.ts) and starts them, hands their events to the parts that take
 * them (session admission, the record intake, the room's services), does what a change of signaling or
 * relay state sets off (network-status.ts says what changed; the run announces, retries or sweeps), and
 * carries what rides on it: the announcer, the user's signaling stop, the ICE checks, the traffic
 * samples and the dial sweeps. Ending a run releases every listener, transport and timer it held.
 */
import type { TimerGroup } from '../lib/clock';
import type { EventLog } from '../lib/event-log';
import { errorText } from '../lib/error-text';
import type { RelayState, Rendezvous } from '../discovery/rendezvous';
import { signalingUrlsOf, type Settings, type SignalingStop } from '../settings/settings';
import type { IceServerCheck } from '../signaling/ice-check';
import type { SignalingState } from '../signaling/signaling';
import type { SignalPaths } from '../signaling/signal-paths';
import { Announcer } from './announcer';
import type { AutoDialler } from './auto-dialler';
import { IceChecks, type IceServerChecker } from './ice-checks';
import { NetworkStatus } from './network-status';
import { openTransports, type TransportFactories } from './node-transports';
import type { RecordIntake } from './record-intake';
import type { RedialPolicy } from './redial-policy';
import type { RoomServices } from './room-services';
import type { SessionAdmission } from './session-admission';
import type { SessionTable } from './session-table';
import { SignalingStopSchedule } from './signaling-stop';
import type { SnapshotInput } from './build-snapshot';

/**
 * How often each connection's transport counters are read (getStats): rates are averages over this
 * window. Every 2 s rather than every second halves the idle node's getStats calls, its largest cost.
 */
export const STATS_INTERVAL_MS = 2000;
/** How often the auto-dialler sweeps the room's records, the redial holds pruned first. */
export const DIAL_SWEEP_MS = 3000;

interface OnlineRunDeps {
  /** What a run's transports are made with; `identity` and `clock` serve the run's parts too. */
  transports: TransportFactories;
  /** Checks each STUN/TURN server when a run starts with it (ice-checks.ts); none when absent. */
  checkIceServer?: IceServerChecker;
  /** The timers of the run and of every part riding on it (dial sweeps, refusals, a stop's end): all cleared when it ends. */
  timers: TimerGroup;
  log: EventLog;
  /** The settings the node runs with now (the record says whether it routes). */
  settings(): Settings | null;
  /** The connections: their traffic is sampled, and the ready ones are the record's neighbours. */
  sessions: Pick<SessionTable, 'all' | 'readyIds'>;
  /** The node key of a node whose record is fresh and valid (the only senders fallback signaling hears). */
  freshKeyOf(nodeId: string): CryptoKey | null;
  admission: Pick<SessionAdmission, 'inbound' | 'met' | 'holds' | 'trackerOffersWanted' | 'closeRefused'>;
  intake: Pick<RecordIntake, 'take' | 'screened' | 'stop'>;
  room: Pick<RoomServices, 'start' | 'stop' | 'heard'>;
  dialler: Pick<AutoDialler, 'sweep' | 'stop'>;
  redial: Pick<RedialPolicy, 'prune'>;
  /** A link a tracker set up was taken as a dial of this node's (session-admission.ts): it counts as one. */
  dialled(): void;
  /** The snapshot changed; `urgent`: a state change the user must see at once. */
  changed(urgent: boolean): void;
}

/** What a run adds to the node's snapshot. */
type RunSnapshot = Pick<SnapshotInput, 'signaling' | 'relayStates' | 'lastAnnounceAt'> & { ice: IceServerCheck[] };

export class OnlineRun {
  private readonly network: NetworkStatus;
  private readonly signalingStop: SignalingStopSchedule;
  private readonly announcer: Announcer;
  private readonly iceChecks: IceChecks | null;
  private paths: SignalPaths | null = null;
  private board: Rendezvous | null = null;
  private unsubscribers: (() => void)[] = [];
  /** The endpoints the records list, joined (null while offline): a change announces at once. */
  private announcedUrls: string | null = null;
  private lastAnnounceAt: number | null = null;

  constructor(private readonly deps: OnlineRunDeps) {
    const { identity, clock } = deps.transports;
    const { timers, log } = deps;
    this.network = new NetworkStatus({ clock, log });
    this.signalingStop = new SignalingStopSchedule({
      clock,
      timers,
      onChange: (stopped) => {
        log.add('info', 'control:signaling', stopped ? 'signaling stopped; open connections kept' : 'signaling resumed');
        this.announcer.now();
      },
    });
    this.announcer = new Announcer({
      identity,
      clock,
      timers,
      content: () => {
        const settings = deps.settings();
        if (!settings) return null;
        const signal = this.signalingStop.isPaused ? [] : (this.paths?.announcedUrls() ?? []);
        return { signal, routing: settings.routing, neighbors: deps.sessions.readyIds() };
      },
      rendezvous: () => this.board,
      onAnnounced: (at) => {
        this.lastAnnounceAt = at;
        deps.changed(false);
      },
      onError: (error) => log.add('warn', 'rendezvous:announce', `announce failed: ${errorText(error)}`),
    });
    this.iceChecks = deps.checkIceServer
      ? new IceChecks(deps.checkIceServer, clock, (result) => {
          if (result.state === 'failed') log.add('warn', 'ice:check', `ICE server ${result.url}: ${result.error}`);
          else log.add('info', 'ice:check', `ICE server ${result.url} answered`);
          deps.changed(true);
        })
      : null;
  }

  get isOnline(): boolean {
    return this.paths !== null;
  }

  /** The run's signaling paths; null while offline. */
  get signaling(): SignalPaths | null {
    return this.paths;
  }

  /** The run's rendezvous; null while offline. */
  get rendezvous(): Rendezvous | null {
    return this.board;
  }

  /** The signaling state the views see: `stopped` while offline. */
  get signalingState(): SignalingState {
    return this.paths ? this.network.signaling.state : 'stopped';
  }

  /** Transport listeners held: 0 while offline. */
  get listenerCount(): number {
    return this.unsubscribers.length;
  }

  /** Goes online with `settings`: transports made, their events taken, everything riding on the run started. */
  start(settings: Settings): void {
    const { deps } = this;
    const { signaling, rendezvous } = openTransports(deps.transports, settings, {
      freshKeyOf: (nodeId) => deps.freshKeyOf(nodeId),
      offersWanted: () => deps.admission.trackerOffersWanted(),
      holds: (nodeId) => deps.admission.holds(nodeId),
      pathsChanged: () => {
        deps.changed(true);
        deps.dialler.sweep();
      },
    });
    this.paths = signaling;
    this.board = rendezvous;
    this.network.connecting(settings.relayUrls);
    this.unsubscribers.push(
      signaling.events.on('signaling:state', ({ state, error }) => this.onSignalingState(state, error)),
      signaling.events.on('link:inbound', (link) => deps.admission.inbound(link)),
      signaling.events.on('link:met', (link) => {
        if (deps.admission.met(link)) deps.dialled();
      }),
      signaling.events.on('message:dropped', (why) => deps.log.add('warn', 'signaling:dropped', `a signaling server's message dropped: ${why}`)),
      rendezvous.events.on('record:update', ({ value, verdict }) => deps.intake.take(value, verdict)),
      rendezvous.events.on('relay:state', ({ url, state }) => this.onRelayState(url, state)),
      rendezvous.events.on('records:refused', (refused) => deps.intake.screened(refused)),
      rendezvous.events.on('shared:update', ({ channel, value, verdict }) => deps.room.heard(channel, value, verdict)),
    );
    if (this.signalingStop.startWith(settings.signalingStop)) this.setSignalingState('stopped', null);
    else {
      this.setSignalingState('connecting', null);
      signaling.start();
    }
    rendezvous.start();
    deps.room.start(rendezvous, settings);
    this.iceChecks?.start(settings.iceServers);
    this.announcer.start();
    this.announcedUrls = signaling.announcedUrls().join();
    deps.timers.interval(() => this.sampleTraffic(), STATS_INTERVAL_MS);
    deps.timers.interval(() => {
      deps.redial.prune();
      deps.dialler.sweep();
    }, DIAL_SWEEP_MS);
  }

  /**
   * Goes offline: the links being refused closed, the records waiting for their check dropped, the
   * transports stopped, and every listener and timer of the run released. The node closes its sessions
   * first, while the transports still carry their bye.
   */
  stop(): void {
    const { deps } = this;
    deps.admission.closeRefused();
    deps.intake.stop();
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.unsubscribers = [];
    deps.room.stop();
    this.iceChecks?.stop();
    this.paths?.stop();
    this.board?.stop();
    this.paths = null;
    this.board = null;
    this.signalingStop.reset();
    this.announcer.stop();
    this.announcedUrls = null;
    deps.timers.clear();
    deps.dialler.stop();
    this.network.offline();
    deps.changed(true);
  }

  /** Leaves or rejoins the signaling servers as the user's `Stop signaling` says (signaling-stop.ts); nothing while offline. */
  reconcileStop(stop: SignalingStop | null): void {
    this.signalingStop.reconcile(stop, this.paths);
  }

  /** `Retry now`, or the network is back: signaling skips its reconnect backoff. */
  retrySignaling(): void {
    this.paths?.retryNow();
  }

  /** A ready peer came or went: the record's neighbours changed (announcer.ts spaces the announces out). */
  neighboursChanged(): void {
    this.announcer.neighboursChanged();
  }

  snapshot(): RunSnapshot {
    const paths = this.paths;
    const idle = signalingUrlsOf(this.deps.settings() ?? { signalingUrl: '' }).filter(Boolean);
    return {
      signaling: {
        ...this.network.signaling,
        attempts: paths?.attempts ?? 0,
        stoppedByUser: this.signalingStop.isPaused,
        endpoints: paths?.endpointSnapshots() ?? idle.map((url) => ({ url, state: 'stopped', lastError: null })),
        fallbacks: paths?.fallbackSnapshots() ?? [],
      },
      relayStates: this.network.relayStates,
      lastAnnounceAt: this.lastAnnounceAt,
      ice: this.iceChecks?.snapshot() ?? [],
    };
  }

  private onRelayState(url: string, state: RelayState): void {
    const { back, lostOne } = this.network.relayChanged(url, state);
    // Back on a relay after losing it: be found again at once, not at the next 15 s announce;
    // and the network is back, so signaling need not wait out its backoff either.
    if (back) {
      this.announcer.now();
      this.paths?.retryNow();
    }
    // A relay lost while others stay: announce through them at once, so that a node reading the room
    // through another relay (or one peered with the lost one) finds this node fresh there now.
    if (lostOne) this.announcer.now();
    this.deps.changed(true);
  }

  private onSignalingState(state: SignalingState, error: string | null): void {
    this.network.signalingChanged(state, error);
    this.deps.changed(true);
    // The record lists the endpoints this node is registered on: say so as soon as that changes.
    const announced = this.paths?.announcedUrls().join() ?? '';
    if (this.announcedUrls !== null && announced !== this.announcedUrls) {
      this.announcedUrls = announced;
      this.announcer.now();
    }
    if (state === 'open') this.deps.dialler.sweep();
  }

  private setSignalingState(state: SignalingState, error: string | null): void {
    this.network.setSignaling(state, error);
    this.deps.changed(true);
  }

  private sampleTraffic(): void {
    Promise.all(this.deps.sessions.all().map((s) => s.sampleTraffic())).then(
      () => this.deps.changed(false),
      (error: unknown) => this.deps.log.add('warn', 'stats:sample', `traffic not sampled: ${errorText(error)}`),
    );
  }
}
