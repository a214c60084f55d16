/**
 * The seeded random numbers of the code base, in one module importable from every side (it
 * imports nothing). Math.random cannot be seeded.
 *
 * - `SeededRandom` is the generator: sfc32 (Chris Doty-Humphrey's "small fast counting"
 *   generator, 128-bit state) seeded through splitmix32 so that nearby seeds (1, 2, 3 or
 *   seed + batch index) give unrelated streams. Training draws its split, patches and
 *   augmentation from it, so every trained model and figure depends on its exact output.
 * - `seededRandom` (mulberry32) and `seededUniform` (xorshift32) make the fixed test and
 *   benchmark data (synthetic scores and labels, kernel inputs); they keep their algorithms so
 *   that data stays what the tests and the recorded benchmarks were checked on. New code uses
 *   `SeededRandom`.
 */

/** splitmix32 step: a well-mixed 32-bit hash of `x` (used to derive seeds, never as the stream itself). */
export function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/** Seeded random numbers: uniform floats, integers, Gaussians. */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | null = null;

  /** `seed` and optional `stream` (e.g. a batch index) pick an independent, repeatable sequence. */
  constructor(seed: number, stream = 0) {
    const s = mix32((seed | 0) ^ mix32(stream | 0));
    this.a = mix32(s);
    this.b = mix32(this.a);
    this.c = mix32(this.b);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextUint32(); // warm up away from the seeding pattern
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A standard normal number (Box-Muller, both values used). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

/** A uniform [0, 1) function of a seed (mulberry32), for fixed test and benchmark data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Reproducible float32 test data: xorshift32 uniform values in [low, high). */
export function seededUniform(count: number, seed: number, low = -0.5, high = 0.5): Float32Array {
  const out = new Float32Array(count);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = low + ((state >>> 0) / 2 ** 32) * (high - low);
  }
  return out;
}
