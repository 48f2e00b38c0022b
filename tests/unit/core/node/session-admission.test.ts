/**
 * Session admission alone, on the fake clock: which inbound links and trackers' links become sessions
 * (the making of a session is a stand-in that records it), the links turned away while incoming
 * connections are paused, and the offers the trackers should have out.
 */
import { describe, expect, it } from 'vitest';
import { SessionAdmission } from '../../../../core/node/session-admission';
import { AccessLists } from '../../../../core/node/access-lists';
import { MAX_UNAUTHENTICATED_INBOUND } from '../../../../core/node/inbound-gate';
import { SessionTable } from '../../../../core/node/session-table';
import { TimerGroup } from '../../../../core/lib/clock';
import { EventLog } from '../../../../core/lib/event-log';
import { defaultSettings, type Settings } from '../../../../core/settings/settings';
import { HANDSHAKE_TIMEOUT_MS, type PeerSession } from '../../../../core/session/peer-session';
import type { Link } from '../../../../core/session/link';
import { linkPair, MemoryLink } from '../../../../server/sim/memory-network';
import { FakeClock, settle } from '../../../support/fake-clock';
import { fakeId } from '../../../support/ids';

const SELF = fakeId(0);

function setUp(overrides: Partial<Settings> = {}) {
  const clock = new FakeClock();
  const timers = new TimerGroup(clock);
  const log = new EventLog(clock);
  const sessions = new SessionTable();
  const replacements = new Map<string, PeerSession>();
  const state = { settings: { ...defaultSettings(), maxPeers: 100, ...overrides } as Settings, reachesTargets: true, trustedOnly: false };
  const access = new AccessLists({ selfUserId: fakeId(0, 'u'), trustedOnly: () => state.trustedOnly, log });
  /** The links made sessions, in order; each session is a stand-in that is never ready. */
  const adopted: { link: Link; replacing: boolean }[] = [];
  const admission = new SessionAdmission({
    selfId: SELF,
    settings: () => state.settings,
    sessions,
    replacements,
    access,
    userIdOf: () => null,
    reachesTargets: () => state.reachesTargets,
    adopt: (link, options) => {
      const replacing = options?.replacing ?? false;
      adopted.push({ link, replacing });
      const session = { remoteId: link.remoteId, link, isReady: false, close: () => link.close() } as unknown as PeerSession;
      if (replacing) replacements.set(link.remoteId, session);
      else sessions.add(session);
      return session;
    },
    timers,
    log,
  });
  /** An inbound link from the n-th node, held by this node, and the dialler's end of it. */
  const inbound = (n: number): [MemoryLink, MemoryLink] => {
    const [dialler, ours] = linkPair(fakeId(n), SELF);
    dialler.open();
    ours.open();
    return [ours, dialler];
  };
  return { clock, timers, log, sessions, replacements, state, access, adopted, admission, inbound };
}

describe('SessionAdmission', () => {
  it(`takes links in their handshake up to ${MAX_UNAUTHENTICATED_INBOUND}, and drops the rest at once, in the log`, () => {
    const { admission, adopted, inbound, log } = setUp();
    const links = Array.from({ length: 40 }, (_, i) => inbound(i + 1)[0]);
    for (const link of links) admission.inbound(link);
    expect(adopted).toHaveLength(MAX_UNAUTHENTICATED_INBOUND);
    expect(links.filter((l) => l.isClosed)).toHaveLength(40 - MAX_UNAUTHENTICATED_INBOUND);
    expect(log.all().filter((e) => e.type === 'peer:dropped')).toHaveLength(40 - MAX_UNAUTHENTICATED_INBOUND);
  });

  it('while incoming is paused, turns each link away with bye paused, holding at most 16 until the bye is out (issue 23)', async () => {
    const { state, admission, adopted, inbound } = setUp({ pauseIncoming: true });
    const pairs = Array.from({ length: 40 }, (_, i) => inbound(i + 1));
    for (const [ours] of pairs) admission.inbound(ours);
    expect(admission.refusedCount).toBe(MAX_UNAUTHENTICATED_INBOUND);
    expect(pairs.filter(([ours]) => ours.isClosed)).toHaveLength(40 - MAX_UNAUTHENTICATED_INBOUND);
    expect(adopted).toEqual([]);
    // A link being refused counts against the same cap as a handshaking one: none is taken beside them.
    state.settings = { ...state.settings, pauseIncoming: false };
    const [late] = inbound(41);
    admission.inbound(late);
    expect([late.isClosed, adopted.length]).toEqual([true, 0]);
    // A dialler that speaks is answered with its bye and closed, freeing its place.
    const [ours, dialler] = pairs.find(([link]) => !link.isClosed)!;
    dialler.send(JSON.stringify({ t: 'hello' }));
    await settle();
    expect(ours.sent.map((frame) => JSON.parse(frame) as unknown)).toEqual([{ t: 'bye', reason: 'paused' }]);
    expect(ours.isClosed).toBe(true);
    expect(admission.refusedCount).toBe(MAX_UNAUTHENTICATED_INBOUND - 1);
  });

  it('a link refused holds nothing once it times out of the handshake, or the node goes offline', async () => {
    const { clock, timers, admission, inbound } = setUp({ pauseIncoming: true });
    const [silent] = inbound(1);
    admission.inbound(silent);
    await clock.advance(HANDSHAKE_TIMEOUT_MS);
    expect([silent.isClosed, admission.refusedCount, timers.size]).toEqual([true, 0, 0]);
    const links = [inbound(2)[0], inbound(3)[0]];
    for (const link of links) admission.inbound(link);
    admission.closeRefused();
    expect(links.every((l) => l.isClosed)).toBe(true);
    expect([admission.refusedCount, timers.size]).toEqual([0, 0]);
  });

  it('a second link from a peer with a ready session handshakes beside it, replacing an earlier such link', () => {
    const { sessions, replacements, admission, adopted, inbound } = setUp();
    const [first] = inbound(1);
    admission.inbound(first);
    (sessions.get(fakeId(1)) as { isReady: boolean }).isReady = true;
    const [second] = inbound(1);
    admission.inbound(second);
    const [third] = inbound(1);
    admission.inbound(third);
    expect(adopted.map((a) => a.replacing)).toEqual([false, true, true]);
    expect([second.isClosed, third.isClosed]).toEqual([true, false]);
    expect(replacements.get(fakeId(1))?.link).toBe(third);
    expect(admission.holds(fakeId(1))).toBe(true);
    expect(admission.holds(fakeId(2))).toBe(false);
  });

  it("takes a tracker's link as a dial of its own, under the same rules, and says whether it did", () => {
    const { state, access, admission, adopted } = setUp({ maxPeers: 1 });
    const met = (n: number) => linkPair(SELF, fakeId(n))[0];
    state.settings = { ...state.settings, pauseOutgoing: true };
    expect(admission.met(met(1))).toBe(false);
    state.settings = { ...state.settings, pauseOutgoing: false };
    access.setBlocked([fakeId(1)]);
    expect(admission.met(met(1))).toBe(false);
    access.setBlocked([]);
    state.trustedOnly = true;
    expect(admission.met(met(1))).toBe(false);
    state.trustedOnly = false;
    expect(admission.met(met(1))).toBe(true);
    // A connection to it exists, then maxPeers of them.
    expect(admission.met(met(1))).toBe(false);
    expect(admission.met(met(2))).toBe(false);
    expect(adopted.map((a) => a.link.remoteId)).toEqual([fakeId(1)]);
  });

  it('wants tracker offers only while no server or relay reaches the room and outgoing dials are allowed, up to maxPeers', () => {
    const { state, sessions, admission } = setUp({ maxPeers: 3 });
    expect(admission.trackerOffersWanted()).toBe(0);
    state.reachesTargets = false;
    expect(admission.trackerOffersWanted()).toBe(3);
    sessions.add({ remoteId: fakeId(1), link: { direction: 'outbound' }, isReady: true } as unknown as PeerSession);
    expect(admission.trackerOffersWanted()).toBe(2);
    state.settings = { ...state.settings, pauseOutgoing: true };
    expect(admission.trackerOffersWanted()).toBe(0);
  });
});
