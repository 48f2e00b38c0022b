import { describe, expect, it } from 'vitest';
import { DialBudget, MET_KEPT, STRANGER_DIALS } from '../../../../core/node/dial-budget';
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
});
