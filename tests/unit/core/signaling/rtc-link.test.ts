import { describe, expect, it } from 'vitest';
import { gatheringDone, HOST_CANDIDATES_QUIET_MS } from '../../../../core/signaling/rtc-link';
import { FakeClock } from '../../../support/fake-clock';

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
