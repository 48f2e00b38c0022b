/**
 * `Refresh peers` alone, on the fake clock: it re-reads the rendezvous and sweeps at once, waits
 * REFRESH_SETTLE_MS of the clock, and counts the fresh nodes it newly found and the dials started.
 */
import { describe, expect, it } from 'vitest';
import { REFRESH_SETTLE_MS, refreshPeers, type RefreshPeersDeps } from '../../../../core/node/refresh-peers';
import type { RefreshResult } from '../../../../core/node/refresh-result';
import { EventLog } from '../../../../core/lib/event-log';
import { FakeClock, settle } from '../../../support/fake-clock';
import { fakeId } from '../../../support/ids';

function setUp() {
  const clock = new FakeClock();
  const log = new EventLog(clock);
  const state = { known: [fakeId(1)], fresh: [fakeId(1)], dials: 5, rereads: 0, sweeps: 0 };
  const deps: RefreshPeersDeps = {
    clock,
    rendezvous: { reread: () => void state.rereads++ },
    records: { ids: () => state.known, freshIds: () => state.fresh },
    dials: {
      get count() {
        return state.dials;
      },
    },
    dialler: { sweep: () => void state.sweeps++ },
    log,
  };
  return { clock, log, state, deps };
}

describe('refreshPeers', () => {
  it('re-reads and sweeps at once, then after REFRESH_SETTLE_MS reports the fresh nodes newly found and the dials started', async () => {
    const { clock, log, state, deps } = setUp();
    let result: RefreshResult | null = null;
    void refreshPeers(deps).then((r) => (result = r));
    expect([state.rereads, state.sweeps]).toEqual([1, 1]);
    // What the re-read brings: one fresh node, one whose record is stale, and a dial.
    state.known = [fakeId(1), fakeId(2), fakeId(3)];
    state.fresh = [fakeId(1), fakeId(2)];
    state.dials = 6;
    await clock.advance(REFRESH_SETTLE_MS - 1);
    expect(result).toBeNull();
    await clock.advance(1);
    await settle();
    expect(result).toEqual({ found: 1, dialling: 1 });
    expect(log.all().at(-1)).toMatchObject({ type: 'control:refresh', message: 'refresh: found 1 new, dialling 1' });
  });

  it('refuses while offline, re-reading nothing', async () => {
    const { state, deps } = setUp();
    await expect(refreshPeers({ ...deps, rendezvous: null })).rejects.toMatchObject({ name: 'NodeOfflineError' });
    expect([state.rereads, state.sweeps]).toEqual([0, 0]);
  });
});
