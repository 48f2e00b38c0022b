import { describe, expect, it } from 'vitest';
import { signal } from '@preact/signals';
import { deepEqual, sameItems, stableComputed } from '../../../../components/ui/stable';

describe('deepEqual', () => {
  it('compares JSON-like values by content', () => {
    expect(deepEqual({ a: [1, { b: null }] }, { a: [1, { b: null }] })).toBe(true);
    expect(deepEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
    expect(deepEqual([], {})).toBe(false);
    expect(deepEqual(null, {})).toBe(false);
    expect(deepEqual(NaN, NaN)).toBe(true);
  });
});

describe('stableComputed', () => {
  it('hands out the previous value while the new one is equal, so dependents are not notified', () => {
    const source = signal({ n: 1, list: [1] });
    const part = stableComputed(() => source.value);
    const first = part.value;
    let runs = 0;
    const dependent = stableComputed(() => {
      runs++;
      return part.value.n;
    });
    expect(dependent.value).toBe(1);
    source.value = { n: 1, list: [1] };
    expect(part.value).toBe(first);
    expect(dependent.value).toBe(1);
    expect(runs).toBe(1);
    source.value = { n: 2, list: [1] };
    expect(part.value).not.toBe(first);
    expect(dependent.value).toBe(2);
  });
});

describe('sameItems', () => {
  it('compares by identity, in order', () => {
    const a = {};
    expect(sameItems([a, 1], [a, 1])).toBe(true);
    expect(sameItems([a], [{}])).toBe(false);
    expect(sameItems([1, 2], [1])).toBe(false);
  });
});
