/**
 * Seeded pseudo-random numbers. Every stochastic step of the ML core takes an explicit seed so
 * that a run is reproducible byte for byte; Math.random is never used.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = mix32(seed >>> 0) || 0x9e3779b9;
  }

  /** Uniform 32-bit unsigned integer (mulberry32). */
  nextU32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** In-place Fisher-Yates shuffle. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}

/** splitmix-style 32-bit mixer, used to derive independent seeds (one per tree, per fold, ...). */
export function mix32(x: number): number {
  let z = (x + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** The seed of the i-th child stream of `seed` (e.g. tree i of a forest). */
export function childSeed(seed: number, i: number): number {
  return mix32((mix32(seed >>> 0) ^ Math.imul(i + 1, 0x27d4eb2d)) >>> 0);
}
