import { describe, expect, it } from 'vitest';
import { NEWLY_FOUND_KEPT, NewlyFound } from '../../../../core/node/newly-found';

describe('NewlyFound', () => {
  it('lists the latest signed first, whatever order they were found in', () => {
    const found = new NewlyFound();
    found.add('b', 2000);
    found.add('c', 3000);
    found.add('a', 1000);
    expect(found.latestFirst()).toEqual(['c', 'b', 'a']);
  });

  it('keeps NEWLY_FOUND_KEPT: one signed earlier than all of them is not kept, a later one drops the earliest', () => {
    const found = new NewlyFound();
    for (let i = 0; i < NEWLY_FOUND_KEPT; i++) found.add(`n${i}`, 1000 + i);
    found.add('older', 1);
    expect(found.latestFirst()).not.toContain('older');
    found.add('newer', 5000);
    expect(found.latestFirst()[0]).toBe('newer');
    expect(found.latestFirst()).not.toContain('n0');
    expect(found.latestFirst()).toHaveLength(NEWLY_FOUND_KEPT);
  });

  it('holds a node once: found again, it moves to its new date', () => {
    const found = new NewlyFound();
    found.add('a', 1000);
    found.add('b', 2000);
    found.add('a', 3000);
    expect(found.latestFirst()).toEqual(['a', 'b']);
    found.remove('a');
    expect(found.latestFirst()).toEqual(['b']);
    found.clear();
    expect(found.latestFirst()).toEqual([]);
  });

  it('once a node dialled from the list did not answer, nodes ranked no higher lose their place and later ones keep it', () => {
    const found = new NewlyFound();
    for (let i = 0; i < 6; i++) found.add(`sybil${i}`, 1000 + i);
    found.dialled('sybil5');
    found.unanswered('sybil5');
    expect(found.latestFirst()).toEqual([]);
    found.add('sybil-late', 1003);
    found.add('newcomer', 2000);
    expect(found.latestFirst()).toEqual(['newcomer']);
    found.clear();
    found.add('after-restart', 10);
    expect(found.latestFirst()).toEqual(['after-restart']);
  });

  it('the bar is the rank the node was dialled at: a record re-signed or dated ahead since cannot raise it', () => {
    const found = new NewlyFound();
    found.add('sybil', 1000);
    found.dialled('sybil');
    // Found meanwhile, signed after the Sybil: keeps its place whatever the Sybil re-signs.
    found.add('newcomer', 1500);
    found.unanswered('sybil');
    expect(found.latestFirst()).toEqual(['newcomer']);
    // A dial not made from the list (the sweep's), or one answered, sets no bar.
    found.unanswered('someone-else');
    found.dialled('newcomer');
    found.answered('newcomer');
    found.unanswered('newcomer');
    found.add('next', 1200);
    expect(found.latestFirst()).toEqual(['next']);
  });
});
