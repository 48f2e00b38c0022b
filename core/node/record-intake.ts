/**
 * The records the rendezvous reads, taken in: each is checked into the room's record table, the reader
 * is told whether it was news (its verdict), and a node found for the first time or with a changed
 * record is handed to the auto-dialler.
 */
import type { Clock } from '../lib/clock';
import type { EventLog } from '../lib/event-log';
import { errorText } from '../lib/error-text';
import type { Verdict } from '../discovery/rendezvous';
import type { RecordTable } from '../discovery/record-table';
import type { AutoDialler } from './auto-dialler';

interface RecordIntakeDeps {
  selfId: string;
  clock: Clock;
  records: Pick<RecordTable, 'ingest' | 'get' | 'countScreened' | 'stop'>;
  dialler: Pick<AutoDialler, 'found' | 'changed'>;
  log: EventLog;
  /** The room's records changed (a routine update of the snapshot). */
  changed(): void;
}

export class RecordIntake {
  private lastAt: number | null = null;

  constructor(private readonly deps: RecordIntakeDeps) {}

  /** When a record last brought news (a node found, or a newer record of one); null before any. */
  get lastDiscoveryAt(): number | null {
    return this.lastAt;
  }

  /** A record the rendezvous read, and the verdict the reader waits for. */
  take(raw: unknown, verdict: Verdict): void {
    const { deps } = this;
    deps.records.ingest(raw).then(
      (result) => {
        // Only news ends the read: a copy of the record held, or one not checked, may stand in front of a
        // newer write. This node's own record is no news, and nothing better will come by waiting.
        verdict(result === 'new' || result === 'updated' || (raw as { id?: unknown } | null)?.id === deps.selfId);
        if (result === 'ignored' || result === 'stale') return;
        if (result === 'invalid') return deps.changed();
        this.lastAt = deps.clock.now();
        const nodeId = (raw as { id: string }).id;
        const known = deps.records.get(nodeId);
        if (result === 'new' && known) {
          // Ranked by the signed date, but never later than now: records may be dated up to 2 minutes
          // ahead (clock skew), and Sybils dated ahead would otherwise outrank every newcomer.
          deps.dialler.found(nodeId, Math.min(known.record.ts, deps.clock.now()));
        } else {
          deps.dialler.changed(nodeId);
        }
        deps.changed();
      },
      (error: unknown) => {
        verdict(false);
        deps.log.add('warn', 'rendezvous:record', `record not handled: ${errorText(error)}`);
      },
    );
  }

  /** Deliveries the rendezvous's screen refused before they reached the table: counted, never taken. */
  screened(refused: readonly unknown[]): void {
    for (const raw of refused) this.deps.records.countScreened(raw);
    this.deps.changed();
  }

  /** The run ended: every delivery still waiting for its check is answered and dropped. */
  stop(): void {
    this.deps.records.stop();
  }
}
