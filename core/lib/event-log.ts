/** The node's structured event log: a bounded ring buffer the dashboard shows and diagnostics export. */
import type { Clock } from './clock';
import { Emitter } from './events';
import type { LogEntry, LogLevel } from '../node/observed-state';
import { RingBuffer } from './ring-buffer';

export const LOG_CAPACITY = 500;

export class EventLog {
  readonly events = new Emitter<{ 'log:entry': LogEntry }>();
  private readonly entries = new RingBuffer<LogEntry>(LOG_CAPACITY);
  private seq = 0;

  constructor(private readonly clock: Clock) {}

  add(level: LogLevel, type: string, message: string, nodeId?: string): void {
    const entry: LogEntry = { seq: ++this.seq, at: this.clock.now(), level, type, message, ...(nodeId ? { nodeId } : {}) };
    this.entries.push(entry);
    this.events.emit('log:entry', entry);
  }

  /** Oldest first. */
  all(): LogEntry[] {
    return this.entries.toArray();
  }
}
