import { describe, expect, it } from 'vitest';
import { gatheringDone, HOST_CANDIDATES_QUIET_MS, RtcLink } from '../../../../core/signaling/rtc-link';
import { FakeClock } from '../../../support/fake-clock';
import { collected, FakePeerConnection } from '../../../support/fake-peer-connection';

/** The slice of RTCPeerConnection gatheringDone reads: its gathering state and two events. */
class GatheringPc extends EventTarget {
  iceGatheringState: RTCIceGatheringState = 'gathering';
  candidate(): void {
    this.dispatchEvent(Object.assign(new Event('icecandidate'), { candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host' } }));
  }
  complete(): void {
    this.iceGatheringState = 'complete';
    this.dispatchEvent(new Event('icegatheringstatechange'));
  }
}

async function settledAfter(hostOnly: boolean, act: (pc: GatheringPc, clock: FakeClock) => Promise<void>): Promise<boolean> {
  const clock = new FakeClock();
  const pc = new GatheringPc();
  let settled = false;
  void gatheringDone(pc as unknown as RTCPeerConnection, clock, 3000, hostOnly).then(() => (settled = true));
  await act(pc, clock);
  await Promise.resolve();
  return settled;
}

describe('gatheringDone', () => {
  it('with no ICE servers, settles once host candidates stopped coming, without waiting for complete', async () => {
    expect(await settledAfter(true, async (pc, clock) => {
      pc.candidate();
      await clock.advance(HOST_CANDIDATES_QUIET_MS - 1);
      pc.candidate();
      await clock.advance(HOST_CANDIDATES_QUIET_MS - 1);
    })).toBe(false);
    expect(await settledAfter(true, async (pc, clock) => {
      pc.candidate();
      await clock.advance(HOST_CANDIDATES_QUIET_MS);
    })).toBe(true);
  });

  it('with ICE servers, waits for complete (server candidates come later), or the deadline', async () => {
    expect(await settledAfter(false, async (pc, clock) => {
      pc.candidate();
      await clock.advance(1000);
    })).toBe(false);
    expect(await settledAfter(false, async (pc) => pc.complete())).toBe(true);
    expect(await settledAfter(false, async (_pc, clock) => clock.advance(3000))).toBe(true);
  });
});

describe('RtcLink and Chromium\'s RTCPeerConnection budget (issue 22)', () => {
  const asPc = (pc: FakePeerConnection) => pc as unknown as RTCPeerConnection;

  it('made on demand: a link closed before it needed a connection never makes one', () => {
    const clock = new FakeClock();
    let made = 0;
    const link = new RtcLink('nB', 'inbound', 'gun', () => (made++, asPc(new FakePeerConnection())), clock);
    let closed = false;
    link.events.on('close', () => (closed = true));
    link.close();
    expect(closed).toBe(true);
    expect(made).toBe(0);
    expect(() => link.pc).toThrow(/closed/);
    expect(made).toBe(0);
  });

  it('makes its connection on first use, once, and closes it with the link', async () => {
    const clock = new FakeClock();
    const made: FakePeerConnection[] = [];
    const link = new RtcLink('nB', 'outbound', 'gun', () => asPc(made[made.push(new FakePeerConnection()) - 1]!), clock);
    expect(made).toHaveLength(0);
    expect(link.pc).toBe(link.pc);
    expect(made).toHaveLength(1);
    expect(made[0]!.channels).toHaveLength(1);
    link.close();
    await clock.advance(1000);
    expect(made[0]!.isClosed).toBe(true);
    expect(link.isFinished).toBe(true);
  });

  it('a construction Chromium refuses fails where the connection is asked for, and the link can still close', () => {
    const clock = new FakeClock();
    const link = new RtcLink('nB', 'outbound', 'gun', () => {
      throw new DOMException('Cannot create so many PeerConnections', 'UnknownError');
    }, clock);
    expect(() => link.pc).toThrow(/so many/);
    link.close();
    expect(link.isFinished).toBe(true);
  });

  it('a finished link holds its connection no more, even while the link itself is held', async () => {
    const clock = new FakeClock();
    // Made in a function of its own, so that no variable of this test holds the connection.
    const open = (): { link: RtcLink; ref: WeakRef<FakePeerConnection> } => {
      const pc = new FakePeerConnection();
      FakePeerConnection.made.length = 0;
      return { link: new RtcLink('nB', 'outbound', 'gun', asPc(pc), clock), ref: new WeakRef(pc) };
    };
    const { link, ref } = open();
    link.close();
    await clock.advance(1000);
    expect(link.isFinished).toBe(true);
    expect(link.fingerprints()).toBeNull();
    expect(await link.readTraffic()).toBeNull();
    expect(await collected(ref)).toBe(true);
    expect(link.remoteId).toBe('nB');
  });
});
