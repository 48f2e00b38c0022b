/**
 * A token bucket on a monotonic clock: `rate` tokens a second, at most `burst` saved up. take(n) spends
 * n tokens if there are that many.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.at = now;
  }

  take(now: number, count = 1): boolean {
    this.refill(now);
    if (this.tokens < count) return false;
    this.tokens -= count;
    return true;
  }

  /** Milliseconds until `count` tokens are there (0: now), spending none. */
  msUntil(now: number, count = 1): number {
    this.refill(now);
    return this.tokens >= count ? 0 : Math.ceil(((count - this.tokens) / this.rate) * 1000);
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, now - this.at) / 1000) * this.rate);
    this.at = now;
  }
}

/**
 * A TokenBucket per key (a route's source, say), for at most `kept` keys: the least recently used key
 * goes first, so a stream of new keys cannot grow the table. A key forgotten starts again with a full
 * bucket, so `kept` must exceed the keys that can be active at once.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly rate: { perSecond: number; burst: number },
    private readonly kept: number,
  ) {}

  /** Spends `count` of `key`'s tokens if it has that many. */
  take(key: string, now: number, count = 1): boolean {
    let bucket = this.buckets.get(key);
    if (bucket) this.buckets.delete(key);
    else bucket = new TokenBucket(this.rate.perSecond, this.rate.burst, now);
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.kept) this.buckets.delete(this.buckets.keys().next().value!);
    return bucket.take(now, count);
  }

  get size(): number {
    return this.buckets.size;
  }
}
