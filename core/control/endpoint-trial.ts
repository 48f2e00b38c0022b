/**
 * Endpoint changes on trial: a new signaling endpoint or relay list is applied at once, and rolled
 * back to the previous one if the node cannot connect within 15 s, unless the user keeps it. Every
 * configuration that worked joins a short history the user can restore from.
 */
import type { Settings } from '../settings/settings';
import type { KeyValueStore } from '../lib/storage';

export const TRIAL_MS = 15_000;
export const TRIAL_STORAGE = 'meshdeck:trial';
const ENDPOINT_HISTORY_STORAGE = 'meshdeck:endpoint-history';
export const ENDPOINT_HISTORY_LIMIT = 10;

export type Endpoints = Pick<Settings, 'signalingUrl' | 'backupSignalingUrls' | 'relayUrls' | 'room' | 'iceServers'>;

export interface EndpointTrial {
  /** Names this trial in the host's result, so a late result cannot end a newer trial. */
  id: string;
  previous: Endpoints;
  next: Endpoints;
  startedAt: number;
  /** Rolled back at this time unless the node connected or the user kept it. */
  deadline: number;
}

export interface WorkingEndpoints extends Endpoints {
  /** When the node last connected with them. */
  workedAt: number;
}

export const endpointsOf = ({ signalingUrl, backupSignalingUrls, relayUrls, room, iceServers }: Settings): Endpoints => ({
  signalingUrl,
  backupSignalingUrls: [...(backupSignalingUrls ?? [])],
  relayUrls: [...relayUrls],
  room,
  iceServers,
});

export const sameEndpoints = (a: Endpoints, b: Endpoints): boolean => JSON.stringify(endpointsOf(a as Settings)) === JSON.stringify(endpointsOf(b as Settings));

export class EndpointTrials {
  constructor(
    private readonly local: KeyValueStore,
    private readonly now: () => number = Date.now,
  ) {}

  async current(): Promise<EndpointTrial | null> {
    return ((await this.local.get(TRIAL_STORAGE)) as EndpointTrial | undefined) ?? null;
  }

  /** Starts a trial of `next`; the configuration it replaces was the working one. */
  async begin(previous: Settings, next: Settings): Promise<EndpointTrial> {
    const running = await this.current();
    // A change during a trial keeps the last configuration known to work as the one to go back to.
    const fallback = running ? running.previous : endpointsOf(previous);
    if (!running) await this.remember(fallback);
    const startedAt = this.now();
    const trial = { id: crypto.randomUUID(), previous: fallback, next: endpointsOf(next), startedAt, deadline: startedAt + TRIAL_MS };
    await this.local.set(TRIAL_STORAGE, trial);
    return trial;
  }

  /** The node connected, or the user kept the new endpoints: the trial ends and they join the history. */
  async commit(): Promise<void> {
    const trial = await this.current();
    if (!trial) return;
    await this.remember(trial.next);
    await this.local.set(TRIAL_STORAGE, null);
  }

  /** Ends the trial; returns the endpoints to restore, or null when there was no trial. */
  async rollBack(): Promise<Endpoints | null> {
    const trial = await this.current();
    if (!trial) return null;
    await this.local.set(TRIAL_STORAGE, null);
    return trial.previous;
  }

  async history(): Promise<WorkingEndpoints[]> {
    return ((await this.local.get(ENDPOINT_HISTORY_STORAGE)) as WorkingEndpoints[] | undefined) ?? [];
  }

  private async remember(endpoints: Endpoints): Promise<void> {
    const history = (await this.history()).filter((entry) => !sameEndpoints(entry, endpoints));
    history.unshift({ ...endpoints, workedAt: this.now() });
    await this.local.set(ENDPOINT_HISTORY_STORAGE, history.slice(0, ENDPOINT_HISTORY_LIMIT));
  }
}
