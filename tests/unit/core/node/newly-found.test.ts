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
});
