/**
 * The background's watch over the node host. A host is dead when it is gone, when it stops beating
 * (`host:alive`), or when it keeps failing to apply its configuration; a dead host is closed and
 * created again, with backoff, so that a host that fails on boot is not re-created in a hot loop.
 */
import { Backoff } from '../lib/backoff';
import { HOST_HEARTBEAT_MS } from './protocol';
import type { HostHandle } from './host-handle';

/** Two beats missed (and a margin for a busy machine) make a host dead. */
const HOST_SILENCE_MS = 2.5 * HOST_HEARTBEAT_MS;
/** Failures heard in a row (error replies to a configuration, beats that report one) before a re-create. */
const HOST_FAILURES_FOR_RESTART = 3;
const RESTART_BACKOFF = { baseMs: 1000, capMs: 60_000 };

interface HostWatchdogDeps {
  host: HostHandle;
  now: () => number;
  /** Pushes the current configuration to the host again. */
  reconfigure(): Promise<void>;
  /** Says what the watchdog did, for the event log. */
  report(message: string): void;
  random?: () => number;
}

export class HostWatchdog {
  private lastBeatAt: number;
  private failures = 0;
  private lastFailure: string | null = null;
  private notBefore = 0;
  private readonly backoff: Backoff;

  constructor(private readonly deps: HostWatchdogDeps) {
    // A worker that just started has heard nothing yet: the host gets a full silence period.
    this.lastBeatAt = deps.now();
    this.backoff = new Backoff({ ...RESTART_BACKOFF, random: deps.random });
  }

  /** The host beat (`host:alive`) or booted (`host:boot`); `failure` is its last failed step, if any. */
  heard(failure: string | null = null): void {
    this.lastBeatAt = this.deps.now();
    if (failure) this.failed(failure);
    else this.succeeded();
  }

  /** A configuration reached the host and was applied. */
  succeeded(): void {
    this.failures = 0;
    this.lastFailure = null;
    this.backoff.reset();
  }

  /** The host answered a configuration with an error. */
  failed(reason: string): void {
    this.failures++;
    this.lastFailure = reason;
  }

  /** The periodic check (every HOST_CHECK_MS while the worker is awake). */
  async check(): Promise<void> {
    const { host, now } = this.deps;
    if (now() < this.notBefore) return;
    if (!(await host.exists())) {
      this.deps.report('the node host is gone: creating it again');
      return this.restart(false);
    }
    const silentMs = now() - this.lastBeatAt;
    if (silentMs > HOST_SILENCE_MS) {
      this.deps.report(`the node host has not been heard for ${Math.round(silentMs / 1000)} s: re-creating it`);
      return this.restart(true);
    }
    if (this.failures >= HOST_FAILURES_FOR_RESTART) {
      this.deps.report(`the node host failed ${this.failures} configurations in a row (${this.lastFailure}): re-creating it`);
      return this.restart(true);
    }
    if (this.failures > 0) {
      this.notBefore = now() + this.backoff.next();
      await this.deps.reconfigure();
    }
  }

  private async restart(close: boolean): Promise<void> {
    const { host, now } = this.deps;
    this.notBefore = now() + this.backoff.next();
    this.failures = 0;
    this.lastFailure = null;
    this.lastBeatAt = now();
    if (close) await host.close();
    await host.ensure();
  }
}
