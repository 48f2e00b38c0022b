/**
 * The node's view of its STUN/TURN servers: each is checked when the node goes online with it, and
 * the result stays in the snapshot, so a wrong TURN credential is a sentence in the dashboard rather
 * than connections that quietly never set up.
 */
import type { Clock } from '../lib/clock';
import type { IceServer } from '../settings/settings';
import type { IceServerCheck } from '../signaling/ice-check';
import { firstUrl } from '../signaling/ice-check';

/** Checks one server (core/signaling/ice-check.ts); `signal` ends the check and closes its connection at once. */
export type IceServerChecker = (server: IceServer, clock: Clock, options?: { signal?: AbortSignal }) => Promise<IceServerCheck>;

export class IceChecks {
  private results: IceServerCheck[] = [];
  /** Counts runs, so the results of servers replaced meanwhile are dropped. */
  private run = 0;
  /** Ends the current run's checks: each holds an RTCPeerConnection until it answers or times out. */
  private abort: AbortController | null = null;

  constructor(
    private readonly check: IceServerChecker,
    private readonly clock: Clock,
    private readonly changed: (result: IceServerCheck) => void,
  ) {}

  /** Checks every server of `servers` at once; the previous run's late answers are ignored. */
  start(servers: readonly IceServer[]): void {
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    const run = ++this.run;
    this.results = servers.map((server) => ({ url: firstUrl(server), state: 'checking', error: null, at: this.clock.now() }));
    servers.forEach((server, i) => {
      this.check(server, this.clock, { signal: abort.signal })
        .catch((error: unknown): IceServerCheck => ({ url: firstUrl(server), state: 'failed', error: String(error), at: this.clock.now() }))
        .then((result) => {
          if (run !== this.run) return;
          this.results = this.results.map((old, j) => (j === i ? result : old));
          this.changed(result);
        });
    });
  }

  /** Drops the results and ends the checks still running, closing their connections now rather than at their timeout. */
  stop(): void {
    this.abort?.abort();
    this.abort = null;
    this.run++;
    this.results = [];
  }

  snapshot(): IceServerCheck[] {
    return this.results;
  }
}
