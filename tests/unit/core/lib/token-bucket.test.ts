import { describe, expect, it } from 'vitest';
import { TokenBucket, TokenBuckets } from '../../../../core/lib/token-bucket';

describe('TokenBucket', () => {
  it('spends up to its burst, then refills at its rate', () => {
    const bucket = new TokenBucket(2, 3, 0);
    expect([1, 2, 3, 4].map(() => bucket.take(0))).toEqual([true, true, true, false]);
    expect(bucket.msUntil(0)).toBe(500);
    expect(bucket.take(500)).toBe(true);
    expect(bucket.take(500)).toBe(false);
  });
});

describe('TokenBuckets', () => {
  it('keeps a budget per key', () => {
    const buckets = new TokenBuckets({ perSecond: 1, burst: 2 }, 16);
    expect([1, 2, 3].map(() => buckets.take('a', 0))).toEqual([true, true, false]);
    expect(buckets.take('b', 0)).toBe(true);
    expect(buckets.take('a', 1000)).toBe(true);
  });

  it('keeps at most `kept` keys, forgetting the least recently used first', () => {
    const buckets = new TokenBuckets({ perSecond: 1, burst: 1 }, 2);
    buckets.take('a', 0);
    buckets.take('b', 0);
    // `a` used again: `b` is now the least recently used, and goes when `c` comes.
    expect(buckets.take('a', 0)).toBe(false);
    buckets.take('c', 0);
    expect(buckets.size).toBe(2);
    expect(buckets.take('a', 0)).toBe(false);
    // A forgotten key starts again with a full bucket.
    expect(buckets.take('b', 0)).toBe(true);
  });
});
