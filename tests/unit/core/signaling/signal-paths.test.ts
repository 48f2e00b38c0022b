import { describe, expect, it } from 'vitest';
import { Emitter } from '../../../../core/lib/events';
import { SignalPaths, PRIMARY_AVOID_MS } from '../../../../core/signaling/signal-paths';
import type { FallbackSignaling, Signaling, SignalingEvents } from '../../../../core/signaling/signaling';
import type { SignalingState } from '../../../../core/node/observed-state';
import { linkPair, type MemoryLink } from '../../../../server/sim/memory-network';
import { FakeClock } from '../../../support/fake-clock';

const URL = 'http://127.0.0.1:9000/peerjs';
const SELF = 'n' + 'a'.repeat(26);

class FakePath implements FallbackSignaling {
  readonly events = new Emitter<SignalingEvents>();
  readonly attempts = 0;
  dialled: string[] = [];
  lastLink: MemoryLink | null = null;
  paused = false;
  constructor(
    readonly url: string,
    public state: SignalingState,
  ) {}
  setState(state: SignalingState): void {
    this.state = state;
    this.events.emit('signaling:state', { state, error: null });
  }
  dial(nodeId: string): MemoryLink {
    this.dialled.push(nodeId);
    return (this.lastLink = linkPair(SELF, nodeId)[0]);
  }
  snapshot() {
    return { path: 'gun' as const, state: this.state, setUp: 0, refused: 0, lastError: null };
  }
  start(): void {}
  stop(): void {}
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  retryNow(): void {}
}

function paths() {
  const clock = new FakeClock();
  const primary = new FakePath(URL, 'stopped');
  const gun = new FakePath('gun', 'stopped');
  const signaling = new SignalPaths([primary as Signaling], [gun], [], clock, () => undefined);
  return { clock, primary, gun, signaling };
}

describe('SignalPaths', () => {
  it('dials through PeerJS when both ends are on its server, else through the open fallback', () => {
    const { primary, gun, signaling } = paths();
    primary.setState('open');
    gun.setState('open');
    signaling.dial('n1', { signal: [URL] });
    signaling.dial('n2', { signal: ['http://elsewhere/peerjs'] });
    expect(primary.dialled).toEqual(['n1']);
    expect(gun.dialled).toEqual(['n2']);
    primary.setState('error');
    signaling.dial('n3', { signal: [URL] });
    expect(gun.dialled).toEqual(['n2', 'n3']);
    expect(signaling.canReach({ signal: [] })).toBe(true);
    gun.setState('connecting');
    expect(signaling.canReach({ signal: [URL] })).toBe(false);
  });

  it('after a PeerJS dial fails before it opened, dials that target through the fallback for a while', async () => {
    const { clock, primary, gun, signaling } = paths();
    primary.setState('open');
    gun.setState('open');
    signaling.dial('n1', { signal: [URL] });
    primary.lastLink!.events.emit('error', new Error('n1 is not registered on the signaling server'));
    signaling.dial('n1', { signal: [URL] });
    expect(gun.dialled).toEqual(['n1']);
    await clock.advance(PRIMARY_AVOID_MS + 1);
    signaling.dial('n1', { signal: [URL] });
    expect(primary.dialled).toEqual(['n1', 'n1']);
  });

  it('Stop signaling pauses every path', () => {
    const { primary, gun, signaling } = paths();
    signaling.pause();
    expect([primary.paused, gun.paused]).toEqual([true, true]);
    signaling.resume();
    expect([primary.paused, gun.paused]).toEqual([false, false]);
  });
});

describe('SignalPaths with several PeerJS servers', () => {
  const OTHER = 'http://127.0.0.1:9001/peerjs';

  it('registers on every one, dials through the first both ends list, and announces only the live ones', () => {
    const clock = new FakeClock();
    const first = new FakePath(URL, 'stopped');
    const second = new FakePath(OTHER, 'stopped');
    const signaling = new SignalPaths([first as Signaling, second as Signaling], [], [], clock, () => undefined);
    first.setState('open');
    second.setState('open');
    expect(signaling.announcedUrls()).toEqual([URL, OTHER]);
    signaling.dial('n1', { signal: [OTHER] });
    signaling.dial('n2', { signal: [URL, OTHER] });
    expect([first.dialled, second.dialled]).toEqual([['n2'], ['n1']]);
    first.events.emit('signaling:state', { state: 'disconnected', error: 'socket closed' });
    first.state = 'disconnected';
    expect(signaling.announcedUrls()).toEqual([OTHER]);
    signaling.dial('n3', { signal: [URL, OTHER] });
    expect(second.dialled).toEqual(['n1', 'n3']);
    expect(signaling.endpointSnapshots()).toEqual([
      { url: URL, state: 'disconnected', lastError: 'socket closed' },
      { url: OTHER, state: 'open', lastError: null },
    ]);
    // Retrying after a failure, the server is not listed: a dialler would try it in vain.
    first.setState('connecting');
    expect(signaling.announcedUrls()).toEqual([OTHER]);
  });
});
