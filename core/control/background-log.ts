/**
 * The background's own lines for the event log. The node host keeps the log the views show, so a line
 * goes to it; while no host hears (none yet, or one being re-created), lines wait, the last
 * PENDING_LOG_LIMIT of them, and go with the next delivery.
 */
import type { LogLevel } from '../lib/event-log';
import type { BackgroundLogLine } from './host-handle';

/** Background log lines kept for a host that cannot hear them now. */
const PENDING_LOG_LIMIT = 50;

export class BackgroundLog {
  private pending: BackgroundLogLine[] = [];
  /** The delivery on its way, settled either way; null when none is. */
  private delivering: Promise<unknown> | null = null;

  /** `send` hands lines to the host (HostHandle.log). */
  constructor(private readonly send: (lines: BackgroundLogLine[]) => Promise<void>) {}

  /** Adds a line, also to the console, and tries to deliver it now. */
  report(level: LogLevel, type: string, message: string): void {
    (level === 'error' ? console.error : console.warn)(`meshdeck: ${message}`);
    this.pending = [...this.pending, { level, type, message }].slice(-PENDING_LOG_LIMIT);
    this.flush().catch(() => undefined);
  }

  /**
   * Delivers the lines waiting; a failure keeps them for the next delivery. One delivery at a time: a
   * line reported while one is on its way waits behind it, so lines a failed delivery gives back are
   * older than every line still waiting, and the newest are the ones kept. (Two deliveries failing at
   * once gave their lines back in reverse order, and the oldest lines were kept.)
   */
  async flush(): Promise<void> {
    while (this.delivering) await this.delivering;
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    const delivery = this.send(lines);
    this.delivering = delivery.catch(() => undefined);
    try {
      await delivery;
    } catch (error) {
      this.pending = [...lines, ...this.pending].slice(-PENDING_LOG_LIMIT);
      throw error;
    } finally {
      this.delivering = null;
    }
  }
}
