/**
 * NetworkStatus alone, on the fake clock: the signaling state with its since and its last error kept
 * while the node retries, each relay's state, and one log line per change.
 */
import { describe, expect, it } from 'vitest';
import { NetworkStatus } from '../../../../core/node/network-status';
import { EventLog } from '../../../../core/lib/event-log';
import { FakeClock } from '../../../support/fake-clock';

function setup() {
  const clock = new FakeClock();
  const log = new EventLog(clock);
  return { clock, log, status: new NetworkStatus({ clock, log }), types: () => log.all().map((e) => e.type) };
}

describe('NetworkStatus', () => {
  it('keeps the last signaling error while the node retries, and clears it on open or stop', async () => {
    const { clock, status } = setup();
    status.signalingChanged('connecting', null);
    const since = status.signaling.since;
    await clock.advance(1000);
    status.signalingChanged('error', 'server unreachable');
    expect(status.signaling).toEqual({ state: 'error', since: since + 1000, error: 'server unreachable' });
    status.signalingChanged('connecting', null);
    expect(status.signaling.error).toBe('server unreachable');
    status.signalingChanged('open', null);
    expect(status.signaling.error).toBeNull();
    status.signalingChanged('error', 'lost');
    status.offline();
    expect(status.signaling).toMatchObject({ state: 'stopped', error: null });
  });

  it('dates a state from when it began, not from each report of it', async () => {
    const { clock, status } = setup();
    status.signalingChanged('open', null);
    const since = status.signaling.since;
    await clock.advance(5000);
    status.signalingChanged('open', null);
    expect(status.signaling.since).toBe(since);
  });

  it('logs a signaling change, and every report that carries an error, but not a repeat', () => {
    const { status, types } = setup();
    status.signalingChanged('connecting', null);
    status.signalingChanged('connecting', null);
    status.signalingChanged('error', 'refused');
    status.signalingChanged('error', 'refused again');
    expect(types()).toEqual(['signaling:connecting', 'signaling:error', 'signaling:error']);
  });

  it("says when a relay came back and when one was lost while another stays open, logging each relay's changes", () => {
    const { status, types } = setup();
    status.connecting(['http://127.0.0.1:9000/gun', 'http://127.0.0.2:9000/gun']);
    expect([...status.relayStates.values()]).toEqual(['connecting', 'connecting']);
    expect(status.relayChanged('http://127.0.0.1:9000/gun', 'open')).toEqual({ back: false, lostOne: false });
    expect(status.relayChanged('http://127.0.0.2:9000/gun', 'open')).toEqual({ back: false, lostOne: false });
    expect(status.relayChanged('http://127.0.0.1:9000/gun', 'closed')).toEqual({ back: false, lostOne: true });
    expect(status.relayChanged('http://127.0.0.1:9000/gun', 'open')).toEqual({ back: true, lostOne: false });
    // The same state again is no change: not logged.
    status.relayChanged('http://127.0.0.1:9000/gun', 'open');
    expect(types()).toEqual(['relay:open', 'relay:open', 'relay:closed', 'relay:open']);
    status.offline();
    expect(status.relayStates.size).toBe(0);
  });
});
