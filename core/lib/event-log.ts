/**
 * The node's structured event log: a bounded ring buffer the dashboard shows and diagnostics export.
 * A flood must not become a log flood pushed to every view: each line is clamped to LINE_MAX_LENGTH,
 * and each source (the peer a line is about, else its type) may add LINES_PER_SOURCE a second; what
 * a source says beyond that is counted and reported with its next line that gets through.
 */
import type { Clock } from './clock';
import { Emitter } from './events';
import { RingBuffer } from './ring-buffer';
import { TokenBucket } from './token-bucket';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One structured event of the node's log (a bounded ring buffer). */
export interface LogEntry {
  seq: number;
  at: number;
  level: LogLevel;
  /** `noun:verb`, e.g. `peer:ready`, `peer:close`, `handshake:refused`, `signaling:error`, `control:routing`. */
  type: string;
  message: string;
  /** The peer the event is about, if any. */
  nodeId?: string;
}

export const LOG_CAPACITY = 500;
export const LINE_MAX_LENGTH = 400;
export const LINES_PER_SOURCE = { perSecond: 5, burst: 20 };
/** Sources whose budget is tracked at once; the least recently heard go first. */
const SOURCES_KEPT = 256;

interface Source {
  budget: TokenBucket;
  suppressed: number;
}

export class EventLog {
  readonly events = new Emitter<{ 'log:entry': LogEntry }>();
  private readonly entries = new RingBuffer<LogEntry>(LOG_CAPACITY);
  private readonly sources = new Map<string, Source>();
  private seq = 0;

  constructor(private readonly clock: Clock) {}

  add(level: LogLevel, type: string, message: string, nodeId?: string): void {
    const source = this.source(nodeId ?? type);
    if (!source.budget.take(this.clock.monotonic())) {
      source.suppressed++;
      return;
    }
    const suppressed = source.suppressed ? ` (${source.suppressed} more lines from the same source were left out)` : '';
    source.suppressed = 0;
    const text = message.length > LINE_MAX_LENGTH ? `${message.slice(0, LINE_MAX_LENGTH - 1)}…` : message;
    const entry: LogEntry = { seq: ++this.seq, at: this.clock.now(), level, type, message: text + suppressed, ...(nodeId ? { nodeId } : {}) };
    this.entries.push(entry);
    this.events.emit('log:entry', entry);
  }

  /** Oldest first. */
  all(): LogEntry[] {
    return this.entries.toArray();
  }

  private source(key: string): Source {
    let source = this.sources.get(key);
    if (source) this.sources.delete(key);
    else source = { budget: new TokenBucket(LINES_PER_SOURCE.perSecond, LINES_PER_SOURCE.burst, this.clock.monotonic()), suppressed: 0 };
    this.sources.set(key, source);
    if (this.sources.size > SOURCES_KEPT) this.sources.delete(this.sources.keys().next().value!);
    return source;
  }
}
