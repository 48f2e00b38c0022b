/**
 * The throwaway connection of an ICE server check: closed on every path and released (Chromium counts
 * each against the renderer's 500 until collected, issue 22). The real servers: tests/integration.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkIceServer, ICE_CHECK_MS } from '../../../../core/signaling/ice-check';
import type { IceServerCheck } from '../../../../core/node/observed-state';
import { FakeClock, settle } from '../../../support/fake-clock';
import { collected, FakePeerConnection, installFakePeerConnections, openConnections } from '../../../support/fake-peer-connection';

const STUN = { urls: 'stun:127.0.0.1:3478' };
let restore: () => void;
beforeEach(() => (restore = installFakePeerConnections()));
afterEach(() => restore());

/** Starts a check and hands back its connection and its result once there is one. */
async function started(clock: FakeClock, options?: Parameters<typeof checkIceServer>[2]) {
  let result: IceServerCheck | null = null;
  void checkIceServer(STUN, clock, options).then((r) => (result = r));
  await settle();
  return { pc: FakePeerConnection.made.at(-1)!, result: () => result };
}

describe('checkIceServer and its connection', () => {
  it('closes its connection on every path: answer, end of candidates, timeout, failed offer', async () => {
    const clock = new FakeClock();
    const answered = await started(clock);
    answered.pc.candidate('candidate:1 1 udp 1 203.0.113.7 5000 typ srflx raddr 0.0.0.0 rport 0');
    await settle();
    expect(answered.result()).toMatchObject({ state: 'ok' });

    const silent = await started(clock);
    silent.pc.candidate(null);
    await settle();
    expect(silent.result()).toMatchObject({ state: 'failed', error: 'no answer from the server' });

    const late = await started(clock);
    await clock.advance(ICE_CHECK_MS);
    expect(late.result()).toMatchObject({ state: 'failed', error: expect.stringMatching(/no answer within 5 s/) });

    FakePeerConnection.failOffer = true;
    try {
      const refused = await started(clock);
      expect(refused.result()).toMatchObject({ state: 'failed', error: expect.stringMatching(/not usable/) });
    } finally {
      FakePeerConnection.failOffer = false;
    }
    expect(FakePeerConnection.made).toHaveLength(4);
    expect(openConnections()).toEqual([]);
  });

  it('a data channel that cannot be made fails the check at once, its connection closed, not left to the timer', async () => {
    const clock = new FakeClock();
    FakePeerConnection.failChannel = true;
    try {
      const check = await started(clock);
      expect(check.result()).toMatchObject({ state: 'failed', error: expect.stringMatching(/not usable/) });
      expect(check.pc.isClosed).toBe(true);
    } finally {
      FakePeerConnection.failChannel = false;
    }
  });

  it('an aborted check closes its connection at once; one aborted before it started makes none', async () => {
    const clock = new FakeClock();
    const abort = new AbortController();
    const check = await started(clock, { signal: abort.signal });
    expect(check.pc.isClosed).toBe(false);
    abort.abort();
    await settle();
    expect(check.pc.isClosed).toBe(true);
    expect(check.result()).toMatchObject({ state: 'failed', error: 'check stopped' });
    expect(await checkIceServer(STUN, clock, { signal: abort.signal })).toMatchObject({ state: 'failed' });
    expect(FakePeerConnection.made).toHaveLength(1);
  });

  it('a construction Chromium refuses is a failed check, not an exception', async () => {
    FakePeerConnection.refuse = true;
    expect(await checkIceServer(STUN, new FakeClock())).toMatchObject({ state: 'failed', error: expect.stringMatching(/so many PeerConnections/) });
  });

  it('once done, nothing holds its connection, not even the signal it was given', async () => {
    const clock = new FakeClock();
    const abort = new AbortController();
    // Started in a function of its own, so that no variable of this test holds the connection.
    const check = async () => {
      const { pc, result } = await started(clock, { signal: abort.signal });
      FakePeerConnection.made.length = 0;
      pc.candidate(null);
      await settle();
      return { ref: new WeakRef(pc), result };
    };
    const { ref, result } = await check();
    expect(result()).toMatchObject({ state: 'failed' });
    // The fake clock keeps a cleared timer's callback until its time comes (a browser drops it at once).
    await clock.advance(ICE_CHECK_MS);
    expect(await collected(ref)).toBe(true);
    expect(abort.signal.aborted).toBe(false);
  });
});
