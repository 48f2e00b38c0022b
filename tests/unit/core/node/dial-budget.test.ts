import { describe, expect, it } from 'vitest';
import { DialBudget, MET_KEPT, STRANGER_DIALS, SWEEP_GAP_MAX_MS, SWEEP_GAP_MIN_MS } from '../../../../core/node/dial-budget';
import { FakeClock } from '../../../support/fake-clock';

describe('DialBudget', () => {
  it('lets a burst of dials to strangers through, then one every 1 / perSecond seconds', async () => {
    const clock = new FakeClock();
    const budget = new DialBudget(clock);
    for (let i = 0; i < STRANGER_DIALS.burst; i++) expect(budget.take(`n${i}`)).toBe(true);
    expect(budget.take('late')).toBe(false);
    const wait = budget.msUntil('late');
    expect(wait).toBe(1000 / STRANGER_DIALS.perSecond);
    await clock.advance(wait - 1);
    expect(budget.take('late')).toBe(false);
    await clock.advance(1);
    expect(budget.take('late')).toBe(true);
  });

  it('never budgets a node this one has met, and forgets the oldest met past MET_KEPT', () => {
    const clock = new FakeClock();
    const budget = new DialBudget(clock, { perSecond: 1, burst: 0 });
    budget.met('friend');
    expect(budget.take('friend')).toBe(true);
    expect(budget.msUntil('friend')).toBe(0);
    expect(budget.take('stranger')).toBe(false);
    for (let i = 0; i < MET_KEPT; i++) budget.met(`m${i}`);
    expect(budget.take('friend')).toBe(false);
  });

  it(`spaces the sweep's dials out while strangers do not answer, up to ${SWEEP_GAP_MAX_MS} ms, and not a newly found node's; a stranger met halves the gap`, async () => {
    const clock = new FakeClock();
    const budget = new DialBudget(clock, { perSecond: 100, burst: 100 });
    const gaps: number[] = [];
    for (let i = 0; i < 6; i++) {
      expect(budget.take(`sybil${i}`)).toBe(true);
      budget.unanswered(`sybil${i}`);
      gaps.push(budget.msUntil('next'));
      // The newly found are not held by the sweep's gap.
      expect(budget.msUntil('newcomer', 'newly-found')).toBe(0);
      await clock.advance(gaps.at(-1)!);
    }
    // The gap is set when a dial starts, from the failures before it.
    expect(gaps).toEqual([0, SWEEP_GAP_MIN_MS, 2 * SWEEP_GAP_MIN_MS, 4 * SWEEP_GAP_MIN_MS, SWEEP_GAP_MAX_MS, SWEEP_GAP_MAX_MS]);
    expect(budget.take('next')).toBe(true);
    expect(budget.take('next2')).toBe(false);
    expect(budget.take('newcomer', 'newly-found')).toBe(true);
    // A stranger this node dialled that answers halves the gap (under the least gap it closes); one
    // that dialled in, or a node met before, does not.
    budget.met('inbound');
    budget.met('newcomer', { ourDial: true });
    budget.met('newcomer', { ourDial: true });
    await clock.advance(SWEEP_GAP_MAX_MS);
    expect(budget.take('a')).toBe(true);
    expect(budget.msUntil('b')).toBe(SWEEP_GAP_MAX_MS / 2);
    // 8 s → 4 s → 2 s → closed.
    for (let i = 0; i < 3; i++) budget.met(`friend${i}`, { ourDial: true });
    await clock.advance(SWEEP_GAP_MAX_MS);
    expect(budget.take('b')).toBe(true);
    expect(budget.take('c')).toBe(true);
  });
});

