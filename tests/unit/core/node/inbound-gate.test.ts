import { describe, expect, it } from 'vitest';
import { judgeInbound, MAX_UNAUTHENTICATED_INBOUND, refuseLink, type InboundContext } from '../../../../core/node/inbound-gate';
import { TimerGroup } from '../../../../core/lib/clock';
import { HANDSHAKE_TIMEOUT_MS, type PeerSession } from '../../../../core/session/peer-session';
import type { ConnectionDirection } from '../../../../core/node/observed-state';
import { linkPair } from '../../../../server/sim/memory-network';
import { FakeClock, settle } from '../../../support/fake-clock';
import { fakeId } from '../../../support/ids';

/** The two fields of a held session that judgeInbound reads. */
const session = (direction: ConnectionDirection, isReady: boolean): PeerSession =>
  ({ isReady, link: { direction } }) as unknown as PeerSession;

/** An inbound link from `remoteId`, as the node holding it sees it. */
const inboundFrom = (remoteId: string) => linkPair(remoteId, fakeId(0))[1];

/** A node far from its caps, with the fields a test sets. */
const ctx = (fields: Pick<InboundContext, 'selfId' | 'pauseIncoming' | 'existing'> & Partial<InboundContext>): InboundContext => ({
  unauthenticatedInbound: 0,
  sessions: 0,
  maxSessions: 16,
  ...fields,
});

describe('judgeInbound', () => {
  const [small, large] = [fakeId(1), fakeId(2)].sort() as [string, string];

  it('refuses with paused while incoming connections are paused, whatever is held', () => {
    expect(judgeInbound(inboundFrom(large), ctx({ selfId: small, pauseIncoming: true, existing: undefined }))).toEqual({ kind: 'refuse', reason: 'paused' });
    expect(judgeInbound(inboundFrom(large), ctx({ selfId: small, pauseIncoming: true, existing: session('outbound', false) }))).toEqual({
      kind: 'refuse',
      reason: 'paused',
    });
  });

  it('adopts a link from a peer it holds nothing for', () => {
    expect(judgeInbound(inboundFrom(large), ctx({ selfId: small, pauseIncoming: false, existing: undefined }))).toEqual({ kind: 'adopt', replaces: null });
  });

  it('when both dialled at once, keeps on both ends the link dialled by the smaller node ID', () => {
    // Each side holds its own outbound session, not ready yet, when the other's dial arrives.
    const atSmall = session('outbound', false);
    const atLarge = session('outbound', false);
    // The smaller ID keeps the link it dialled and closes the one the larger ID dialled...
    expect(judgeInbound(inboundFrom(large), ctx({ selfId: small, pauseIncoming: false, existing: atSmall }))).toEqual({ kind: 'keep-existing' });
    // ...and the larger ID takes the smaller's link, closing its own: the same link survives on both ends.
    expect(judgeInbound(inboundFrom(small), ctx({ selfId: large, pauseIncoming: false, existing: atLarge }))).toEqual({ kind: 'adopt', replaces: atLarge });
  });

  it('replaces a ready session only once the new link becomes ready (the peer restarted, or a stranger in its name)', () => {
    const ready = session('outbound', true);
    expect(judgeInbound(inboundFrom(large), ctx({ selfId: small, pauseIncoming: false, existing: ready }))).toEqual({ kind: 'replace-when-ready', existing: ready });
    const readyInbound = session('inbound', true);
    expect(judgeInbound(inboundFrom(large), ctx({ selfId: small, pauseIncoming: false, existing: readyInbound }))).toEqual({ kind: 'replace-when-ready', existing: readyInbound });
  });

  it('drops at once a link past 16 in their handshake, or past the session cap', () => {
    const full = ctx({ selfId: small, pauseIncoming: false, existing: undefined, unauthenticatedInbound: MAX_UNAUTHENTICATED_INBOUND });
    expect(judgeInbound(inboundFrom(large), full)).toMatchObject({ kind: 'drop' });
    const capped = ctx({ selfId: small, pauseIncoming: false, existing: undefined, sessions: 16, maxSessions: 16 });
    expect(judgeInbound(inboundFrom(large), capped)).toMatchObject({ kind: 'drop' });
    // A peer that has a session is not a new one: the cap on sessions does not refuse its redial.
    expect(judgeInbound(inboundFrom(large), { ...capped, existing: session('inbound', false) })).toMatchObject({ kind: 'adopt' });
  });

  it('drops at once past 16 unauthenticated links while paused too: a refused link holds a connection as well (issue 23)', () => {
    const full = ctx({ selfId: small, pauseIncoming: true, existing: undefined, unauthenticatedInbound: MAX_UNAUTHENTICATED_INBOUND });
    expect(judgeInbound(inboundFrom(large), full)).toMatchObject({ kind: 'drop' });
    expect(judgeInbound(inboundFrom(large), { ...full, unauthenticatedInbound: MAX_UNAUTHENTICATED_INBOUND - 1 })).toEqual({ kind: 'refuse', reason: 'paused' });
  });

  it('takes the new link over an inbound session still in its handshake (a redial from the same peer)', () => {
    const handshaking = session('inbound', false);
    expect(judgeInbound(inboundFrom(large), ctx({ selfId: small, pauseIncoming: false, existing: handshaking }))).toEqual({ kind: 'adopt', replaces: handshaking });
  });
});

describe('refuseLink', () => {
  it('answers the dialler’s hello with bye paused and closes', async () => {
    const clock = new FakeClock();
    const [dialler, refused] = linkPair(fakeId(1), fakeId(2));
    refuseLink(refused, 'paused', new TimerGroup(clock));
    refused.open();
    dialler.open();
    // The dialled side never speaks first.
    expect(refused.sent).toEqual([]);
    dialler.send(JSON.stringify({ t: 'hello' }));
    await settle();
    expect(refused.sent).toEqual([JSON.stringify({ t: 'bye', reason: 'paused' })]);
    expect(refused.isClosed).toBe(true);
    expect(dialler.isClosed).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('says bye once, however many frames the dialler sends while it flushes', async () => {
    const clock = new FakeClock();
    const [dialler, refused] = linkPair(fakeId(1), fakeId(2));
    // A transport that lingers to flush the bye (as closeWhenFlushed does) still delivers frames.
    refused.close = () => undefined;
    refuseLink(refused, 'paused', new TimerGroup(clock));
    refused.open();
    dialler.open();
    for (let i = 0; i < 3; i++) dialler.send(JSON.stringify({ t: 'hello' }));
    await settle();
    expect(refused.sent).toEqual([JSON.stringify({ t: 'bye', reason: 'paused' })]);
    expect(clock.pending).toBe(0);
  });

  it('closes a dialler that says nothing after the handshake limit, without a word', async () => {
    const clock = new FakeClock();
    const [dialler, refused] = linkPair(fakeId(1), fakeId(2));
    refuseLink(refused, 'paused', new TimerGroup(clock));
    refused.open();
    dialler.open();
    await clock.advance(HANDSHAKE_TIMEOUT_MS - 1);
    expect(refused.isClosed).toBe(false);
    await clock.advance(1);
    expect(refused.isClosed).toBe(true);
    expect(refused.sent).toEqual([]);
    expect(clock.pending).toBe(0);
  });

  it('drops its timer when the dialler goes away first', async () => {
    const clock = new FakeClock();
    const [dialler, refused] = linkPair(fakeId(1), fakeId(2));
    refuseLink(refused, 'paused', new TimerGroup(clock));
    refused.open();
    dialler.open();
    dialler.close();
    await settle();
    expect(refused.isClosed).toBe(true);
    expect(clock.pending).toBe(0);
  });
});
