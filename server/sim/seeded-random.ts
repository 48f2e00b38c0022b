/** A small seeded pseudo-random generator (mulberry32): the same seed gives the same simulated network. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A whole number in [min, max]. */
  between(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** `count` distinct items of `items`, in random order. */
  sample<T>(items: readonly T[], count: number): T[] {
    const out = [...items];
    const n = Math.min(count, out.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.next() * (out.length - i));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out.slice(0, n);
  }

  /** A generator seeded from this seed and `parts` (a link's two node numbers): the same parts, the same stream. */
  static of(seed: number, ...parts: number[]): SeededRandom {
    let h = 2166136261 ^ seed;
    for (const part of parts) h = Math.imul(h ^ part, 16777619);
    return new SeededRandom(h);
  }
}
