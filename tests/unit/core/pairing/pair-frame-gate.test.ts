import { describe, expect, it } from 'vitest';
import { PAIR_FRAME_BURST, PAIR_FRAME_INTERVAL_MS, PairFrameGate } from '../../../../core/pairing/pair-frame-gate';
import type { Pair } from '../../../../core/session/wire';

/** A join of the right shape (its proof is not checked here: the background does that). */
const wellFormedJoin = (): Pair => ({ t: 'pair', step: 'join', proof: 'p'.repeat(43), iv: 'i'.repeat(16), box: 'b'.repeat(64) });

describe('PairFrameGate (issue 23, item 2)', () => {
  it('carries a well-formed join, one at a time per session, and drops a malformed one unread', () => {
    let now = 0;
    const gate = new PairFrameGate(() => now);
    const a = {};
    const b = {};
    expect(gate.admit(a, { t: 'pair', step: 'join' })).toBe('malformed join');
    expect(gate.admit(a, wellFormedJoin())).toBe('carry');
    expect(gate.admit(a, wellFormedJoin())).toBe('join already under way');
    // Another session is judged on its own.
    expect(gate.admit(b, wellFormedJoin())).toBe('carry');
    gate.answered(a);
    expect(gate.admit(a, { t: 'pair', step: 'refused' })).toBe('pass');
    // Four frames: the session's burst is spent.
    expect(gate.admit(a, wellFormedJoin())).toBe('over budget');
    expect(gate.dropped(a)).toBe(3);
    now += PAIR_FRAME_INTERVAL_MS;
    expect(gate.admit(a, wellFormedJoin())).toBe('carry');
  });

  it(`lets a session send ${PAIR_FRAME_BURST} pair frames at once, then one every ${PAIR_FRAME_INTERVAL_MS / 1000} s`, () => {
    let now = 0;
    const gate = new PairFrameGate(() => now);
    const session = {};
    const verdicts = Array.from({ length: 200 }, () => gate.admit(session, { t: 'pair', step: 'offer' }));
    expect(verdicts.filter((v) => v === 'pass')).toHaveLength(PAIR_FRAME_BURST);
    now += PAIR_FRAME_INTERVAL_MS;
    expect(gate.admit(session, { t: 'pair', step: 'offer' })).toBe('pass');
    expect(gate.admit(session, { t: 'pair', step: 'offer' })).toBe('over budget');
  });
});
