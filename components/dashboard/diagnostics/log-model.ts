/**
 * The node's event log as the Diagnostics panel shows it: newest first, deduplicated by `seq`, at most
 * LOG_LIMIT entries, with a level filter. The host sends its whole ring buffer on every (re)connect
 * (a reset: a re-created host may count `seq` from 0 again) and then each new entry.
 */
import { computed, signal, type ReadonlySignal } from '@preact/signals';
import type { LogEntry, LogLevel } from '../../../core/node/observed-state';
import type { ViewClient } from '../../client/view-client';

type LogClient = Pick<ViewClient, 'onLog'>;

export const LOG_LIMIT = 500;

/** The lowest level shown. */
export type LevelFilter = 'all' | 'info' | 'warn' | 'error';

export const LEVEL_FILTERS: readonly { value: LevelFilter; label: string }[] = [
  { value: 'all', label: 'All levels' },
  { value: 'info', label: 'Info and above' },
  { value: 'warn', label: 'Warnings and errors' },
  { value: 'error', label: 'Errors only' },
];

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const FILTER_RANK: Record<LevelFilter, number> = { all: 0, info: 1, warn: 2, error: 3 };

export interface LogModel {
  /** Newest first, at most LOG_LIMIT. */
  readonly entries: ReadonlySignal<readonly LogEntry[]>;
  readonly filter: ReadonlySignal<LevelFilter>;
  /** `entries` at or above the filter's level. */
  readonly visible: ReadonlySignal<readonly LogEntry[]>;
  setFilter(filter: LevelFilter): void;
  dispose(): void;
}

export function createLogModel(client: LogClient): LogModel {
  const entries = signal<readonly LogEntry[]>([]);
  const filter = signal<LevelFilter>('all');
  const visible = computed(() => {
    const min = FILTER_RANK[filter.value];
    const all = entries.value;
    return min === 0 ? all : all.filter((entry) => (RANK[entry.level] ?? 0) >= min);
  });
  const dispose = client.onLog((batch, reset) => {
    entries.value = mergeLog(reset ? [] : entries.peek(), batch);
  });
  return {
    entries,
    filter,
    visible,
    setFilter(next) {
      filter.value = next;
    },
    dispose,
  };
}

/**
 * `current` (newest first) with the entries of `batch` it does not have yet, newest first, at most
 * `limit`. Returns `current` itself when nothing was new. The host numbers entries in order, so an
 * unseen entry numbered below the newest one, or a known number with other content, means the log
 * restarted from 1 under the same port (the host replaced its node, e.g. under a new user key): the
 * batch then starts the log afresh rather than being dropped as seen or sorted below older entries.
 */
export function mergeLog(current: readonly LogEntry[], batch: readonly LogEntry[], limit = LOG_LIMIT): readonly LogEntry[] {
  const seen = new Map(current.map((entry) => [entry.seq, entry]));
  const newest = current[0]?.seq ?? -Infinity;
  const fresh: LogEntry[] = [];
  for (const entry of batch) {
    if (typeof entry.seq !== 'number') continue;
    const known = seen.get(entry.seq);
    const restarted = known ? known.at !== entry.at || known.message !== entry.message : entry.seq < newest;
    if (restarted && current.length > 0) return mergeLog([], batch, limit);
    if (known) continue;
    seen.set(entry.seq, entry);
    fresh.push(entry);
  }
  if (fresh.length === 0) return current;
  return [...fresh, ...current].sort((a, b) => b.seq - a.seq).slice(0, limit);
}
