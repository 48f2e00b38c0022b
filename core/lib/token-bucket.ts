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
