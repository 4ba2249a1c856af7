/**
 * Per-feature moments (count, mean, M2, min, max) of `width` features, updated one value or one
 * column at a time and merged exactly across shards. Pure: no I/O, no process state.
 *
 * State per feature j, all in Float64Arrays so that it is cheap to copy and to serialize:
 *
 *   n[j]     number of non-missing values seen
 *   s[j]     shift K: the first value the feature saw (or the saved mean, see `fromSummary`)
 *   ex[j]    scale exponent E, and inv[j] = 2^−E: deviations are kept as (x − K)·2^−E
 *   mu[j]    mean of the scaled shifted values (x − K)·2^−E
 *   sq[j]    M2·2^−2E, where M2 = Σ (x − mean)²  (shift-invariant)
 *   lo, hi   min and max (NaN when unknown, see `fromSummary`)
 *
 * Why the shift: for data like 1e9 + noise, every x − K is small and (by Sterbenz's lemma, when
 * x and K are within a factor 2 of each other) computed exactly, so Welford's recurrence works on
 * numbers of the size of the noise, not of the offset. Relative error of the variance drops from
 * ~1e-10 (plain Welford on 1000 values 1e9 + noise of ±30) to ~1e-15. The naive Σx² − (Σx)²/n is never used.
 *
 * Why the scale: squares of deviations leave float64's normal range long before the statistics
 * do. Deviations of 1e152 (the variance of 10^5 such values, 1e304, is a double) square to
 * 1e304 and M2 = Σ of them overflows; deviations below ~1e-154 square to subnormals, and the mean
 * of subnormal deviations, updated by δ/n, rounds to the subnormal spacing at every step (1%
 * off for values of a few 1e-321). So deviations are multiplied by a power of two 2^−E that
 * brings them near 1, chosen when the first non-zero deviation is tiny or a deviation is huge
 * (scaled beyond 2^±300) and raised when a larger one comes. Scaling by a power of two is exact
 * in the normal range, so for everyday data (E = 0, or any E) every result is bit-for-bit what
 * the unscaled recurrence gives; only the final mean, variance and M2 are scaled back, rounding
 * once (twice at most for a subnormal result).
 */

/** Scaled deviations stay within [2^−300, 2^300] (or are 0): their squares, and sums of 2^53 of them, are normal doubles. */
const HIGH = 2 ** 300;
const LOW = 2 ** -300;

/** x·2^k for an integer k of any size: exact unless the result leaves the normal range. */
function ldexp(x: number, k: number): number {
  let v = x;
  let e = k;
  while (e > 1000) {
    v *= 2 ** 1000;
    e -= 1000;
  }
  while (e < -1000) {
    v *= 2 ** -1000;
    e += 1000;
  }
  return v * 2 ** e;
}

/** The scale exponent that brings |r| (finite, non-zero) near 1: ⌊log₂|r|⌋ (±1), within [−1022, 1022] so that 2^±E are normal doubles. */
function scaleExponent(r: number): number {
  return Math.max(-1022, Math.min(1022, Math.floor(Math.log2(Math.abs(r)))));
}

export class Moments {
  readonly width: number;
  private readonly n: Float64Array;
  private readonly s: Float64Array;
  private readonly ex: Float64Array;
  private readonly inv: Float64Array;
  private readonly mu: Float64Array;
  private readonly sq: Float64Array;
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;

  constructor(width: number) {
    if (!Number.isInteger(width) || width < 0) {
      throw new RangeError(`Moments: width must be a non-negative integer, got ${width}`);
    }
    this.width = width;
    this.n = new Float64Array(width);
    this.s = new Float64Array(width);
    this.ex = new Float64Array(width);
    this.inv = new Float64Array(width).fill(1);
    this.mu = new Float64Array(width);
    this.sq = new Float64Array(width);
    this.lo = new Float64Array(width).fill(NaN);
    this.hi = new Float64Array(width).fill(NaN);
  }

  /*
   * Welford's update on shifted values (Welford 1962, "Note on a method for calculating corrected
   * sums of squares and products", Technometrics 4(3); the shift is the standard remedy, see
   * Chan, Golub & LeVeque 1983, "Algorithms for computing the sample variance: analysis and
   * recommendations", The American Statistician 37(3)).
   *
   * With d = x − K, the mean of the first n shifted values obeys
   *     μ_n = μ_{n−1} + (d − μ_{n−1})/n,
   * and M2_n − M2_{n−1} = (d − μ_{n−1})·(d − μ_n), because
   *     (d − μ_n) = (d − μ_{n−1})·(n−1)/n   and   M2_n = M2_{n−1} + (d − μ_{n−1})²·(n−1)/n.
   * Both factors have the same sign (rounding is monotone and μ_n lies between μ_{n−1} and d), so
   * M2 never decreases and is never negative. A constant column has d = 0 throughout: M2 stays 0.
   *
   * The recurrence runs on scaled deviations d·2^−E (see the file comment); `rescale` changes E
   * when a deviation would leave [2^−300, 2^300] after scaling: any huge one, or a tiny first
   * non-zero one (before it, μ and M2 are 0 and any E will do).
   */

  /** Add one finite value to feature j (0 ≤ j < width, not checked: this is the hot path). NaN means missing and is ignored. */
  add(j: number, x: number): void {
    // Case: missing value.
    if (x !== x) return;
    const n = this.n[j]! + 1;
    this.n[j] = n;
    // Case: first value. It becomes the shift K, so its own shifted value is exactly 0.
    if (n === 1) {
      this.s[j] = x;
      this.ex[j] = 0;
      this.inv[j] = 1;
      this.mu[j] = 0;
      this.sq[j] = 0;
      this.lo[j] = x;
      this.hi[j] = x;
      return;
    }
    // Case: general update.
    let d = (x - this.s[j]!) * this.inv[j]!;
    // Case: a deviation out of the scaled range (rare): change the scale first. (On |d|: a test
    // on the sign of d would be a branch the CPU mispredicts half the time, +5 ns a value.)
    const size = Math.abs(d);
    if (size > HIGH || (size < LOW && size !== 0 && this.sq[j] === 0 && this.mu[j] === 0)) {
      d = this.rescale(j, x - this.s[j]!);
    }
    const mu = this.mu[j]!;
    const delta = d - mu;
    const muNext = mu + delta / n;
    this.mu[j] = muNext;
    this.sq[j] = this.sq[j]! + delta * (d - muNext);
    // NaN min/max (unknown, from a summary) stay unknown: both comparisons are false.
    if (x < this.lo[j]!) this.lo[j] = x;
    if (x > this.hi[j]!) this.hi[j] = x;
  }

  /**
   * Give feature j the scale that brings the deviation r = x − K near 1, converting μ and M2
   * (exactly: powers of two); return r scaled. A deviation beyond float64 (values ±1e308 apart)
   * cannot be scaled: it stays infinite, the statistics become non-finite, and callers report it.
   */
  private rescale(j: number, r: number): number {
    if (Number.isFinite(r)) this.setScale(j, scaleExponent(r));
    return r * this.inv[j]!;
  }

  /** Change feature j's scale exponent to e, converting μ and M2. */
  private setScale(j: number, e: number): void {
    const shift = this.ex[j]! - e;
    this.mu[j] = ldexp(this.mu[j]!, shift);
    this.sq[j] = ldexp(ldexp(this.sq[j]!, shift), shift);
    this.ex[j] = e;
    this.inv[j] = ldexp(1, -e);
  }

  /**
   * Add values[0..length) of feature j; NaN entries are missing and skipped. Bit-for-bit the same
   * result as calling `add` on each value in order, with the state held in locals.
   */
  addColumn(j: number, values: Float64Array, length: number = values.length): void {
    if (!Number.isInteger(j) || j < 0 || j >= this.width) {
      throw new RangeError(`Moments.addColumn: feature index ${j} out of range [0, ${this.width})`);
    }
    if (!Number.isInteger(length) || length < 0 || length > values.length) {
      throw new RangeError(`Moments.addColumn: length ${length} out of range [0, ${values.length}]`);
    }
    let i = 0;
    let n = this.n[j]!;
    // Case: feature still empty. The first non-missing value becomes the shift.
    if (n === 0) {
      while (i < length && values[i]! !== values[i]!) i++;
      if (i === length) return;
      const first = values[i++]!;
      n = 1;
      this.s[j] = first;
      this.ex[j] = 0;
      this.inv[j] = 1;
      this.mu[j] = 0;
      this.sq[j] = 0;
      this.lo[j] = first;
      this.hi[j] = first;
    }
    const k = this.s[j]!;
    let f = this.inv[j]!;
    let mu = this.mu[j]!;
    let m2 = this.sq[j]!;
    let lo = this.lo[j]!;
    let hi = this.hi[j]!;
    for (; i < length; i++) {
      const x = values[i]!;
      // Case: missing value.
      if (x !== x) continue;
      n += 1;
      let d = (x - k) * f;
      // Case: a deviation out of the scaled range (rare): change the scale first, as `add` does.
      const size = Math.abs(d);
      if (size > HIGH || (size < LOW && size !== 0 && m2 === 0 && mu === 0)) {
        this.mu[j] = mu;
        this.sq[j] = m2;
        d = this.rescale(j, x - k);
        f = this.inv[j]!;
        mu = this.mu[j]!;
        m2 = this.sq[j]!;
      }
      const delta = d - mu;
      const muNext = mu + delta / n;
      m2 += delta * (d - muNext);
      mu = muNext;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    this.n[j] = n;
    this.mu[j] = mu;
    this.sq[j] = m2;
    this.lo[j] = lo;
    this.hi[j] = hi;
  }

  /*
   * Pairwise merge (Chan, Golub & LeVeque 1979, "Updating formulae and a pairwise algorithm for
   * computing sample variances", Stanford report STAN-CS-79-773):
   *
   *     n  = n_A + n_B
   *     δ  = mean_B − mean_A
   *     mean = mean_A + δ·n_B/n
   *     M2 = M2_A + M2_B + δ²·n_A·n_B/n
   *
   * Derivation: Σ_{A∪B}(x − mean)² = Σ_X [M2_X + n_X·(mean_X − mean)²] over X ∈ {A, B}, and
   * mean_A − mean = −δ·n_B/n, mean_B − mean = δ·n_A/n, so the cross terms sum to
   * δ²·(n_A·n_B² + n_B·n_A²)/n² = δ²·n_A·n_B/n. No subtraction of large sums anywhere.
   *
   * The two sides may hold different shifts K_A, K_B. In original units mean_X = K_X + μ_X, so
   *     δ = (K_B − K_A) + (μ_B − μ_A),
   * which never forms K + μ (which would round at the scale of the offset). The result keeps
   * K_A, so its shifted mean is μ_A + δ·n_B/n. M2 is shift-invariant and needs no correction.
   * Equal shifts and equal means (e.g. shards of a constant column) give δ = 0 exactly.
   *
   * Scales: both sides are brought to the larger of their scales, or to the scale of K_B − K_A
   * when that is larger still, so that δ² cannot overflow. A side whose μ and M2 are 0 (a
   * constant one) has no scale of its own to respect. Then the formulas above apply unchanged.
   */

  /** Exact Chan–Golub–LeVeque merge of `other` (same width) into this. `other` is not changed; merging with itself is allowed. */
  merge(other: Moments): void {
    if (other.width !== this.width) {
      throw new RangeError(`Moments.merge: width ${other.width} does not match ${this.width}`);
    }
    for (let j = 0; j < this.width; j++) {
      // Read every field of `other` before writing: `other` may be `this`.
      const nB = other.n[j]!;
      const kB = other.s[j]!;
      const muB = other.mu[j]!;
      const m2B = other.sq[j]!;
      const loB = other.lo[j]!;
      const hiB = other.hi[j]!;
      const nA = this.n[j]!;

      // Case: empty side B. Nothing to add.
      if (nB === 0) continue;

      // Case: empty side A. Take B's state as is (shift included).
      if (nA === 0) {
        this.n[j] = nB;
        this.s[j] = kB;
        this.ex[j] = other.ex[j]!;
        this.inv[j] = other.inv[j]!;
        this.mu[j] = muB;
        this.sq[j] = m2B;
        this.lo[j] = loB;
        this.hi[j] = hiB;
        continue;
      }

      // Case: both sides hold values.
      const kA = this.s[j]!;
      const eA = this.ex[j]!;
      const eB = other.ex[j]!;
      const muA = this.mu[j]!;
      const m2A = this.sq[j]!;
      const dk = kB - kA;
      let e = Math.max(
        muA !== 0 || m2A !== 0 ? eA : -Infinity,
        muB !== 0 || m2B !== 0 ? eB : -Infinity,
        dk !== 0 && Number.isFinite(dk) ? scaleExponent(dk) : -Infinity,
      );
      if (e === -Infinity) e = 0; // two constant sides with one shift: δ = 0
      const a = ldexp(muA, eA - e);
      const b = ldexp(muB, eB - e);
      const n = nA + nB;
      const delta = ldexp(dk, -e) + (b - a);
      this.n[j] = n;
      this.ex[j] = e;
      this.inv[j] = ldexp(1, -e);
      this.mu[j] = a + delta * (nB / n);
      this.sq[j] = ldexp(ldexp(m2A, eA - e), eA - e) + ldexp(ldexp(m2B, eB - e), eB - e) + delta * delta * nA * (nB / n);

      // min/max: an unknown (NaN) on either side makes the result unknown.
      const loA = this.lo[j]!;
      const hiA = this.hi[j]!;
      this.lo[j] = loA !== loA || loB !== loB ? NaN : loB < loA ? loB : loA;
      this.hi[j] = hiA !== hiA || hiB !== hiB ? NaN : hiB > hiA ? hiB : hiA;
    }
  }

  /** Number of non-missing values of feature j. */
  count(j: number): number {
    return this.n[j]!;
  }

  /** Mean of feature j; NaN when it has no values. */
  mean(j: number): number {
    // Case: empty feature.
    if (this.n[j]! === 0) return NaN;
    return this.s[j]! + this.mu[j]! / this.inv[j]!;
  }

  /**
   * What `mean(j)` rounds away: mean(j) + meanLow(j) equals the internal K + μ exactly (a
   * double-double, via Knuth's TwoSum). Saving it beside the mean lets `fromSummary` rebuild a
   * state that merges as accurately as the original: with the mean alone, rounding it to
   * float64 (ulp 1.2e-7 at 1e9) limits a merge of 1e9 + noise shards to ~1e-10 relative in the
   * variance. NaN when the feature has no values; 0 when the mean is exact.
   */
  meanLow(j: number): number {
    // Case: empty feature.
    if (this.n[j]! === 0) return NaN;
    const k = this.s[j]!;
    const mu = this.mu[j]! / this.inv[j]!;
    const hi = k + mu;
    const muPart = hi - k;
    return (k - (hi - muPart)) + (mu - muPart);
  }

  /**
   * Biased variance M2/n (BN's σ_B²); NaN when the feature has no values; exactly 0 for a
   * constant column; never negative. Infinity or NaN when the data overflow float64 (e.g.
   * values near ±1e300): callers must check `Number.isFinite` before reporting.
   */
  variance(j: number): number {
    const n = this.n[j]!;
    // Case: empty feature.
    if (n === 0) return NaN;
    return this.unscale2(j, this.sq[j]! / n);
  }

  /** Sample (unbiased) variance M2/(n−1); NaN when the feature has fewer than 2 values. */
  sampleVariance(j: number): number {
    const n = this.n[j]!;
    // Case: fewer than 2 values.
    if (n < 2) return NaN;
    return this.unscale2(j, this.sq[j]! / (n - 1));
  }

  /** A scaled second moment v·2^−2E back in the data's units: v·2^2E. */
  private unscale2(j: number, v: number): number {
    const e = this.ex[j]!;
    return e === 0 ? v : ldexp(v, 2 * e);
  }

  /** Smallest value of feature j; NaN when it has no values or when unknown (built from a summary without min). */
  min(j: number): number {
    if (this.n[j]! === 0) return NaN;
    return this.lo[j]!;
  }

  /** Largest value of feature j; NaN when it has no values or when unknown (built from a summary without max). */
  max(j: number): number {
    if (this.n[j]! === 0) return NaN;
    return this.hi[j]!;
  }

  /**
   * M2 = Σ (x − mean)² of feature j; 0 when it has no values (an empty sum). Infinity when M2 is
   * beyond float64 although the variance M2/n is not (10^5 values of ±1e152): prefer `variance`.
   */
  m2(j: number): number {
    return this.unscale2(j, this.sq[j]!);
  }

  /**
   * Build from saved summaries (count, mean, biased var, optional min/max) — used by `bn merge`
   * on stats files. The mean becomes the shift and M2 = var·count, so mean() returns the saved
   * mean exactly and variance() returns the saved var to within one rounding (var·n/n).
   * Optional `meanLow` (from `meanLow(j)`) is the low part of a double-double mean; with it the
   * rebuilt state merges as accurately as the original (see `meanLow`).
   * The scale is that of √var (or of meanLow, when larger), so var·count never overflows.
   * A feature with count 0 is empty (its mean, var, min and max are ignored). Without min/max the
   * extremes are unknown (NaN) and stay unknown through merges and adds.
   * Inputs are expected to be validated by the caller (stats-file loader); violations here are
   * programming errors and throw RangeError.
   */
  static fromSummary(s: {
    count: ArrayLike<number>;
    mean: ArrayLike<number>;
    var: ArrayLike<number>;
    min?: ArrayLike<number>;
    max?: ArrayLike<number>;
    meanLow?: ArrayLike<number>;
  }): Moments {
    const width = s.count.length;
    const lengths: Array<[string, ArrayLike<number> | undefined]> = [
      ['mean', s.mean],
      ['var', s.var],
      ['min', s.min],
      ['max', s.max],
      ['meanLow', s.meanLow],
    ];
    for (const [name, arr] of lengths) {
      if (arr !== undefined && arr.length !== width) {
        throw new RangeError(`Moments.fromSummary: ${name} has length ${arr.length}, count has ${width}`);
      }
    }
    const m = new Moments(width);
    for (let j = 0; j < width; j++) {
      const n = s.count[j]!;
      if (!Number.isInteger(n) || n < 0) {
        throw new RangeError(`Moments.fromSummary: count[${j}] must be a non-negative integer, got ${n}`);
      }
      // Case: empty feature.
      if (n === 0) continue;
      const mean = s.mean[j]!;
      const v = s.var[j]!;
      if (!Number.isFinite(mean)) throw new RangeError(`Moments.fromSummary: mean[${j}] is not finite: ${mean}`);
      if (!Number.isFinite(v) || v < 0) {
        throw new RangeError(`Moments.fromSummary: var[${j}] must be finite and ≥ 0, got ${v}`);
      }
      const low = s.meanLow === undefined ? 0 : s.meanLow[j]!;
      if (!Number.isFinite(low)) throw new RangeError(`Moments.fromSummary: meanLow[${j}] is not finite: ${low}`);
      const size = Math.max(Math.sqrt(v), Math.abs(low));
      const e = size === 0 ? 0 : scaleExponent(size);
      m.n[j] = n;
      m.s[j] = mean;
      m.ex[j] = e;
      m.inv[j] = ldexp(1, -e);
      m.mu[j] = ldexp(low, -e);
      m.sq[j] = ldexp(ldexp(v, -e), -e) * n;
      m.lo[j] = s.min === undefined ? NaN : s.min[j]!;
      m.hi[j] = s.max === undefined ? NaN : s.max[j]!;
    }
    return m;
  }

  /**
   * A new Moments of width `indices.length` whose feature f is a copy of this one's feature
   * indices[f] (state copied exactly, shift included). The pipeline keeps one Moments per batch
   * indexed by column; running statistics and stats files are per feature.
   */
  pick(indices: readonly number[]): Moments {
    const p = new Moments(indices.length);
    indices.forEach((j, f) => {
      if (!Number.isInteger(j) || j < 0 || j >= this.width) {
        throw new RangeError(`Moments.pick: feature index ${j} out of range [0, ${this.width})`);
      }
      p.n[f] = this.n[j]!;
      p.s[f] = this.s[j]!;
      p.ex[f] = this.ex[j]!;
      p.inv[f] = this.inv[j]!;
      p.mu[f] = this.mu[j]!;
      p.sq[f] = this.sq[j]!;
      p.lo[f] = this.lo[j]!;
      p.hi[f] = this.hi[j]!;
    });
    return p;
  }

  /** An independent copy. */
  clone(): Moments {
    const c = new Moments(this.width);
    c.n.set(this.n);
    c.s.set(this.s);
    c.ex.set(this.ex);
    c.inv.set(this.inv);
    c.mu.set(this.mu);
    c.sq.set(this.sq);
    c.lo.set(this.lo);
    c.hi.set(this.hi);
    return c;
  }
}
