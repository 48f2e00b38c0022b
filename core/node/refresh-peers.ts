/**
 * The `Refresh peers` control: re-reads the room's rendezvous at once, dials up to maxPeers, and after
 * REFRESH_SETTLE_MS reports how many nodes it newly found and how many dials were started meanwhile.
 */
import type { Clock } from '../lib/clock';
import type { EventLog } from '../lib/event-log';
import type { RecordTable } from '../discovery/record-table';
import type { Rendezvous } from '../discovery/rendezvous';
import type { AutoDialler } from './auto-dialler';
import { NodeOfflineError } from './node-errors';
import type { OutboundDials } from './outbound-dials';
import type { RefreshResult } from './refresh-result';

/** How long `Refresh peers` waits for the rendezvous to answer before reporting what it found. */
export const REFRESH_SETTLE_MS = 1000;

export interface RefreshPeersDeps {
  clock: Clock;
  /** The online run's rendezvous; null while offline (the refresh throws NodeOfflineError). */
  rendezvous: Pick<Rendezvous, 'reread'> | null;
  records: Pick<RecordTable, 'ids' | 'freshIds'>;
  dials: Pick<OutboundDials, 'count'>;
  dialler: Pick<AutoDialler, 'sweep'>;
  log: EventLog;
}

export async function refreshPeers({ clock, rendezvous, records, dials, dialler, log }: RefreshPeersDeps): Promise<RefreshResult> {
  if (!rendezvous) throw new NodeOfflineError();
  const before = new Set(records.ids());
  const dialsBefore = dials.count;
  rendezvous.reread();
  dialler.sweep();
  await new Promise<void>((resolve) => clock.setTimeout(() => resolve(), REFRESH_SETTLE_MS));
  const found = records.freshIds(clock.now()).filter((id) => !before.has(id)).length;
  const result = { found, dialling: dials.count - dialsBefore };
  log.add('info', 'control:refresh', `refresh: found ${result.found} new, dialling ${result.dialling}`);
  return result;
}
