// Deterministic, fast pseudo-random numbers for the demo bank.
// sfc32 (Chris Doty-Humphrey's small fast counting generator), seeded by hashing a tuple
// (seed, stream, index, ...) so each customer, day or purpose gets its own independent stream:
// changing one part of the generator never shifts the numbers drawn elsewhere.

/** murmur3's 32-bit finaliser: a good avalanche mix of one 32-bit word. */
export function mix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash any number (integer up to 2^53) into 32 bits. */
function hashNumber(n: number): number {
  const lo = n >>> 0;
  const hi = Math.floor(n / 4294967296) >>> 0;
  return mix32(lo ^ mix32(hi + 0x9e3779b9));
}

/** Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const [a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0] = a;
  const [b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0] = b;
  const [c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0] = c;
  const [d0 = 0, d1 = 0, d2 = 0, d3 = 0] = d;
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
}

const NORMAL_QUANTILES = Float64Array.from({ length: 4096 }, (_, k) => normalQuantile((k + 0.5) / 4096));

export class Rng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 1;

  constructor(seed = 0, x = 0, y = 0, z = 0) {
    this.reseed(seed, x, y, z);
  }

  private lastSeed = Number.NaN;
  private seedHash = 0;

  /** Restart the stream from the tuple (seed, x, y, z). Cheap enough to call per customer-day. */
  reseed(seed: number, x = 0, y = 0, z = 0): this {
    if (seed !== this.lastSeed) {
      this.lastSeed = seed;
      this.seedHash = hashNumber(seed);
    }
    let h = this.seedHash;
    h = mix32(h ^ Math.imul(x | 0, 0x9e3779b1));
    h = mix32(h ^ Math.imul(y | 0, 0x85ebca77));
    h = mix32(h ^ Math.imul(z | 0, 0xc2b2ae3d));
    // splitmix32 expands the hash into the four state words
    h = (h + 0x9e3779b9) | 0;
    this.a = mix32(h);
    h = (h + 0x9e3779b9) | 0;
    this.b = mix32(h);
    h = (h + 0x9e3779b9) | 0;
    this.c = mix32(h);
    this.d = 1;
    for (let i = 0; i < 3; i++) this.u32();
    return this;
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [lo, hi] inclusive. */
  range(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  /** Uniform real in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + this.float() * (hi - lo);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  /** Log-uniform real in [lo, hi). */
  logUniform(lo: number, hi: number): number {
    return lo * Math.exp(this.float() * Math.log(hi / lo));
  }

  /** Standard normal, from a 4096-step table of its quantiles (plenty for simulated amounts). */
  normal(): number {
    return NORMAL_QUANTILES[this.u32() >>> 20] ?? 0;
  }

  /** Log-normal with the given median and sigma of the underlying normal. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Exponential with mean 1. */
  exp1(): number {
    return -Math.log(1 - this.float());
  }

  /** Poisson count given e^(-lambda) (Knuth's method; fine for lambda below ~30). */
  poissonFromExp(expNegLambda: number): number {
    let k = 0;
    let p = this.float();
    while (p > expNegLambda) {
      k++;
      p *= this.float();
    }
    return k;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
}

/** A discrete distribution over items by weight; draws by binary search on the cumulative weights. */
export class Weighted<T> {
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(
    readonly items: readonly T[],
    weights: readonly number[],
  ) {
    if (items.length === 0 || items.length !== weights.length) throw new Error('Weighted: bad items/weights');
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    weights.forEach((w, i) => {
      sum += w;
      this.cumulative[i] = sum;
    });
    this.total = sum;
  }

  static of<T>(pairs: readonly (readonly [T, number])[]): Weighted<T> {
    return new Weighted(
      pairs.map((p) => p[0]),
      pairs.map((p) => p[1]),
    );
  }

  index(rng: Rng): number {
    const x = rng.float() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cumulative[mid] ?? 0) > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  draw(rng: Rng): T {
    const item = this.items[this.index(rng)];
    if (item === undefined) throw new Error('Weighted: empty');
    return item;
  }
}
