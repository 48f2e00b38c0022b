import { describe, expect, it } from 'vitest';
import { CLOSED_KEPT, CLOSED_KEPT_MS, SessionTable } from '../../../../core/node/session-table';
import type { ClosedPeerSnapshot } from '../../../../core/node/observed-state';
import type { PeerSession } from '../../../../core/session/peer-session';
import { fakeId } from '../../../support/ids';

const closedAt = (at: number, n = at): ClosedPeerSnapshot => ({
  nodeId: fakeId(n),
  userId: null,
  direction: 'outbound',
  closedAt: at,
  reason: 'connection lost',
  lastError: null,
});

const session = (remoteId: string, isReady = true): PeerSession => ({ remoteId, isReady }) as unknown as PeerSession;

describe('SessionTable', () => {
  it('holds one session per node; a stale session removed late does not evict its replacement', () => {
    const table = new SessionTable();
    const first = session(fakeId(1));
    const replacement = session(fakeId(1));
    table.add(first);
    table.add(replacement);
    expect(table.size).toBe(1);
    table.remove(first);
    expect(table.get(fakeId(1))).toBe(replacement);
    table.remove(replacement);
    expect(table.has(fakeId(1))).toBe(false);
  });

  it('lists the node IDs of the ready sessions only', () => {
    const table = new SessionTable();
    table.add(session(fakeId(1), true));
    table.add(session(fakeId(2), false));
    expect(table.readyIds()).toEqual([fakeId(1)]);
  });

  it(`keeps the newest ${CLOSED_KEPT} closed connections, newest first`, () => {
    const table = new SessionTable();
    for (let i = 1; i <= CLOSED_KEPT + 5; i++) table.rememberClosed(closedAt(i));
    const kept = table.recentlyClosed(CLOSED_KEPT + 5);
    expect(kept).toHaveLength(CLOSED_KEPT);
    expect(kept.map((c) => c.closedAt)).toEqual(Array.from({ length: CLOSED_KEPT }, (_, i) => CLOSED_KEPT + 5 - i));
  });

  it(`shows a closed connection for ${CLOSED_KEPT_MS / 60_000} minutes and not a millisecond longer`, () => {
    const table = new SessionTable();
    table.rememberClosed(closedAt(1000));
    expect(table.recentlyClosed(1000 + CLOSED_KEPT_MS)).toHaveLength(1);
    expect(table.recentlyClosed(1000 + CLOSED_KEPT_MS + 1)).toEqual([]);
  });

  it('prunes on reads without changing what it holds: a read at a later time hides nothing from one at an earlier time', () => {
    const table = new SessionTable();
    table.rememberClosed(closedAt(0, 1));
    table.rememberClosed(closedAt(CLOSED_KEPT_MS, 2));
    expect(table.recentlyClosed(CLOSED_KEPT_MS + 1).map((c) => c.nodeId)).toEqual([fakeId(2)]);
    // The older entry is still held: the read above did not drop it.
    expect(table.recentlyClosed(CLOSED_KEPT_MS).map((c) => c.nodeId)).toEqual([fakeId(2), fakeId(1)]);
    // Nor does changing what a read returned change the table.
    const read = table.recentlyClosed(CLOSED_KEPT_MS);
    read.length = 0;
    expect(table.recentlyClosed(CLOSED_KEPT_MS)).toHaveLength(2);
  });

  it('drops the expired entries when it remembers a new one, so they do not take the places of fresh ones', () => {
    const table = new SessionTable();
    for (let i = 0; i < CLOSED_KEPT; i++) table.rememberClosed(closedAt(0, i));
    const later = CLOSED_KEPT_MS + 1;
    table.rememberClosed(closedAt(later, 100));
    // Read as of long ago, only the new entry is left: the expired ones went on remembering.
    expect(table.recentlyClosed(0).map((c) => c.nodeId)).toEqual([fakeId(100)]);
  });
});
