import { beforeAll, describe, expect, it } from 'vitest';
import { mayAutoDial, type DialContext } from '../../../../core/node/dial-policy';
import { RedialPolicy } from '../../../../core/node/redial-policy';
import { isStranger } from '../../../../core/node/trust-policy';
import { RECORD_STALE_MS, signRecord, verifyRecord, type VerifiedRecord } from '../../../../core/discovery/rendezvous-record';
import { IdentityVerifier } from '../../../../core/identity/identity';
import { defaultSettings, type Settings } from '../../../../core/settings/settings';
import { FakeClock } from '../../../support/fake-clock';
import { makeIdentity } from '../../../support/identities';
import { fakeId } from '../../../support/ids';

const settings: Settings = { ...defaultSettings(), maxPeers: 2 };

describe('mayAutoDial', () => {
  const clock = new FakeClock();
  const selfId = fakeId(1);
  let known: VerifiedRecord;

  beforeAll(async () => {
    const { identity } = await makeIdentity();
    const record = await signRecord(identity, { signal: [settings.signalingUrl], routing: true, neighbors: [] }, clock.now());
    known = await verifyRecord(record, new IdentityVerifier());
  });

  /** A context in which the dial is allowed; each test changes one thing. */
  const context = (overrides: Partial<DialContext> = {}): DialContext => ({
    settings,
    signalingState: 'open',
    selfId,
    now: clock.now(),
    sessionCount: 0,
    hasSession: () => false,
    isBlocked: () => false,
    isStranger: () => false,
    redial: new RedialPolicy(clock),
    ...overrides,
  });
  const id = () => known.record.id;

  it('dials a fresh, valid, unblocked node on our signaling server', () => {
    expect(mayAutoDial(id(), known, context())).toBe(true);
  });

  it('only while enabled, with outgoing connections not paused and signaling open', () => {
    expect(mayAutoDial(id(), known, context({ settings: null }))).toBe(false);
    expect(mayAutoDial(id(), known, context({ settings: { ...settings, enabled: false } }))).toBe(false);
    expect(mayAutoDial(id(), known, context({ settings: { ...settings, pauseOutgoing: true } }))).toBe(false);
    for (const state of ['stopped', 'connecting', 'disconnected', 'error'] as const) {
      expect(mayAutoDial(id(), known, context({ signalingState: state })), state).toBe(false);
    }
  });

  it('never itself, nor a node it already holds a session with', () => {
    expect(mayAutoDial(id(), known, context({ selfId: id() }))).toBe(false);
    expect(mayAutoDial(id(), known, context({ hasSession: (nodeId) => nodeId === id() }))).toBe(false);
  });

  it('below maxPeers sessions only', () => {
    expect(mayAutoDial(id(), known, context({ sessionCount: settings.maxPeers - 1 }))).toBe(true);
    expect(mayAutoDial(id(), known, context({ sessionCount: settings.maxPeers }))).toBe(false);
    expect(mayAutoDial(id(), known, context({ settings: { ...settings, maxPeers: 0 } }))).toBe(false);
  });

  it('never a node without a record, or with a stale one', () => {
    expect(mayAutoDial(id(), undefined, context())).toBe(false);
    expect(mayAutoDial(id(), known, context({ now: known.record.ts + RECORD_STALE_MS }))).toBe(true);
    expect(mayAutoDial(id(), known, context({ now: known.record.ts + RECORD_STALE_MS + 1 }))).toBe(false);
  });

  it('never a blocked node, nor a node of a blocked user', () => {
    const asked: [string, string | null][] = [];
    expect(mayAutoDial(id(), known, context({ isBlocked: (nodeId, userId) => (asked.push([nodeId, userId]), nodeId === id()) }))).toBe(false);
    expect(mayAutoDial(id(), known, context({ isBlocked: (_, userId) => userId === known.userId }))).toBe(false);
    // The user is the one its record's certificate names.
    expect(asked).toEqual([[id(), known.userId]]);
  });

  it('with Trusted peers only, never a stranger: a trusted node ID or user ID is dialled', () => {
    const trustedOnly = (trusted: string[]) => ({
      isStranger: (nodeId: string, userId: string | null) => isStranger({ trustedOnly: true, trusted: new Set(trusted), selfUserId: fakeId(0, 'u') }, nodeId, userId),
    });
    expect(mayAutoDial(id(), known, context(trustedOnly([])))).toBe(false);
    expect(mayAutoDial(id(), known, context(trustedOnly([fakeId(7)])))).toBe(false);
    expect(mayAutoDial(id(), known, context(trustedOnly([id()])))).toBe(true);
    // By the user its record's certificate names.
    expect(mayAutoDial(id(), known, context(trustedOnly([known.userId])))).toBe(true);
  });

  it('never a node registered on another signaling server (PeerJS servers do not federate)', () => {
    expect(mayAutoDial(id(), known, context({ settings: { ...settings, signalingUrl: 'http://127.0.0.1:9001/peerjs' } }))).toBe(false);
    expect(mayAutoDial(id(), { ...known, signal: [] }, context())).toBe(false);
  });

  it('as the redial rules allow, asked with the record’s time', () => {
    const redial = new RedialPolicy(clock);
    redial.closed(id(), 'user-disconnect', true);
    expect(mayAutoDial(id(), known, context({ redial }))).toBe(false);
    const seen: [string, number][] = [];
    const spy = new RedialPolicy(clock);
    spy.mayDial = (nodeId, recordTs) => (seen.push([nodeId, recordTs]), true);
    expect(mayAutoDial(id(), known, context({ redial: spy }))).toBe(true);
    expect(seen).toEqual([[id(), known.record.ts]]);
  });
});
