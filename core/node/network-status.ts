/**
 * The node's network status as the views show it: the signaling state (since when, and its last
 * error, kept while it retries) and each relay's state, with a log line for each change. What a change
 * sets off (an announce, a retry, a sweep) is the node's to do: relayChanged says what happened.
 */
import type { Clock } from '../lib/clock';
import type { EventLog } from '../lib/event-log';
import type { RelayState } from '../discovery/rendezvous';
import type { SignalingState } from '../signaling/signaling';

interface SignalingStatus {
  state: SignalingState;
  since: number;
  error: string | null;
}

export class NetworkStatus {
  private current: SignalingStatus;
  private readonly relays = new Map<string, RelayState>();

  constructor(private readonly deps: { clock: Clock; log: EventLog }) {
    this.current = { state: 'stopped', since: deps.clock.now(), error: null };
  }

  get signaling(): SignalingStatus {
    return this.current;
  }

  get relayStates(): ReadonlyMap<string, RelayState> {
    return this.relays;
  }

  /** The node goes online with these relays. */
  connecting(relayUrls: readonly string[]): void {
    for (const url of relayUrls) this.relays.set(url, 'connecting');
  }

  /** The node went offline. */
  offline(): void {
    this.relays.clear();
    this.setSignaling('stopped', null);
  }

  /**
   * A relay's new state: `back` when it opened after it was lost, `lostOne` when it closed while
   * another is open.
   */
  relayChanged(url: string, state: RelayState): { back: boolean; lostOne: boolean } {
    const previous = this.relays.get(url);
    if (previous !== state) this.deps.log.add(state === 'open' ? 'info' : 'warn', `relay:${state}`, `relay ${url} ${state}`);
    this.relays.set(url, state);
    return {
      back: state === 'open' && previous === 'closed',
      lostOne: state === 'closed' && previous === 'open' && [...this.relays.values()].includes('open'),
    };
  }

  /** Signaling reported `state` (and an error): logged when it changed or failed. */
  signalingChanged(state: SignalingState, error: string | null): void {
    if (state !== this.current.state || error) {
      const level = state === 'error' ? 'warn' : 'info';
      this.deps.log.add(level, `signaling:${state}`, error ? `signaling ${state}: ${error}` : `signaling ${state}`);
    }
    this.setSignaling(state, error);
  }

  setSignaling(state: SignalingState, error: string | null): void {
    // The last error stays visible while the node retries; only success or a stop clears it.
    const lastError = error ?? (state === 'open' || state === 'stopped' ? null : this.current.error);
    const since = this.current.state === state ? this.current.since : this.deps.clock.now();
    this.current = { state, since, error: lastError };
  }
}
