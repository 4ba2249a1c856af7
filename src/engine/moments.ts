/**
 * Per-feature moments (count, Σx, Σx², min, max) of `width` features, updated one value or one
 * column at a time and merged across shards. Pure: no I/O, no process state.
 *
 * Σx and Σx² are exact (./exact-sum.ts: nothing is rounded while values go in, whatever their
 * order or split), and each statistic is computed from them once, exactly, and rounded once:
 *
 *     mean         = Σx / n
 *     var          = (n·Σx² − (Σx)²) / n²        (biased: BN's σ_B²)
 *     var_sample   = (n·Σx² − (Σx)²) / (n(n − 1))
 *
 * each the float64 nearest to the exact rational value of the float64 inputs (ties to even). So
 * the statistics of a column do not depend on the order of its values, on how many threads read
 * it, or on how it was split into shards and merged: the same bits every way. A constant column
 * has a variance of exactly 0; no variance is ever negative (n·Σx² ≥ (Σx)², exactly).
 *
 * A statistic is computed when first asked for (and cached until more values come): in
 * double-double arithmetic with an error bound where that proves the rounding (./double-double.ts;
 * nearly always on real data), else exactly with BigInt rationals. Both give the same double.
 * The hot path, add and addColumn, stays in float64.
 */
import { add, decide, divide, exactProduct, negate, multiply, usable, type Approx } from './double-double.js';
import { CALL_VALUES, ChunkSums, COUNT, ERRORS_HIGH, ERRORS_LOW, LARGEST, MAX, MIN, SMALLEST, SQUARES_HIGH, SQUARES_LOW, SQUARES_TAKEN, SUM_HIGH, SUM_LOW, SUM_TAKEN } from './chunk-sums.js';
import { CHUNK, dyadicOf, dyadicText, ExactSquares, ExactSum, parseDyadic, trim, ZERO, type Dyadic } from './exact-sum.js';
import type { Ratio } from './exact-scale.js';
import { roundQuotient } from './round-rational.js';

/** Moments as plain data, exact: what crosses from a worker thread. */
export interface MomentsText {
  count: number[];
  min: number[];
  max: number[];
  /** Σx and Σx², as dyadicText. */
  sum: string[];
  sumOfSquares: string[];
}

/**
 * The statistics of a feature, computed once: the mean and variance at once, the rarer ones
 * (sample variance, M2) when first asked for, from the spread n·Σx² − (Σx)²: spreadOverN, the
 * fast path's approximation of spread/n, or the exact spread.
 */
interface Rounded {
  mean: number;
  meanLow: number;
  /** Σx − mean·n is exactly 0 (the fast path knew it): meanLowTimes is 0 without BigInt. */
  exactMean?: boolean;
  variance: number;
  sampleVariance?: number;
  m2?: number;
  spreadOverN?: Approx;
  /** spreadOverN/n: the variance as the fast path computed it (for the scale: varianceRatio). */
  varianceApprox?: Approx;
  exact?: ExactSpread;
}

/** n·Σx² − (Σx)² = spread·2^exponent, exactly. */
interface ExactSpread {
  count: bigint;
  spread: bigint;
  exponent: number;
}

/** The exact spread of a feature from its exact sums. */
function exactSpread(s1: Dyadic, s2: Dyadic, count: bigint): ExactSpread {
  // n·Σx² − (Σx)² over the exponent 2·e(Σx) or e(Σx²), whichever is lower.
  const exponent = Math.min(2 * s1.exponent, s2.exponent);
  const spread = ((count * s2.mantissa) << BigInt(s2.exponent - exponent)) - ((s1.mantissa * s1.mantissa) << BigInt(2 * s1.exponent - exponent));
  return { count, spread, exponent };
}

/** A variance as a Ratio whose BigInt parts are computed when first read (see varianceRatio). */
class BatchVariance implements Ratio {
  constructor(
    private readonly exact: () => ExactSpread,
    readonly approx: Approx | undefined,
  ) {}

  get num(): bigint {
    return this.exact().spread;
  }

  get den(): bigint {
    const { count } = this.exact();
    return count * count;
  }

  get exp(): number {
    return this.exact().exponent;
  }
}

export class Moments {
  readonly width: number;
  private readonly n: Float64Array;
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  /** Made at a feature's first value: a file may have thousands of columns, few of them features. */
  private readonly sums: (ExactSum | undefined)[];
  private readonly squares: (ExactSquares | undefined)[];
  private readonly rounded: (Rounded | undefined)[];

  constructor(width: number) {
    if (!Number.isInteger(width) || width < 0) {
      throw new RangeError(`Moments: width must be a non-negative integer, got ${width}`);
    }
    this.width = width;
    this.n = new Float64Array(width);
    this.lo = new Float64Array(width).fill(NaN);
    this.hi = new Float64Array(width).fill(NaN);
    this.sums = new Array<ExactSum | undefined>(width).fill(undefined);
    this.squares = new Array<ExactSquares | undefined>(width).fill(undefined);
    this.rounded = new Array<Rounded | undefined>(width).fill(undefined);
  }

  /** Add one finite value to feature j (0 ≤ j < width, not checked: this is the hot path). NaN means missing and is ignored. */
  add(j: number, x: number): void {
    // Case: missing value.
    if (x !== x) return;
    const n = this.n[j]! + 1;
    this.n[j] = n;
    this.rounded[j] = undefined;
    (this.sums[j] ??= new ExactSum()).add(x);
    (this.squares[j] ??= new ExactSquares()).addSquare(x);
    // Case: first value.
    if (n === 1) {
      this.lo[j] = x;
      this.hi[j] = x;
      return;
    }
    // NaN min/max (unknown, from a summary) stay unknown: both comparisons are false.
    if (x < this.lo[j]!) this.lo[j] = x;
    if (x > this.hi[j]!) this.hi[j] = x;
  }

  /** Add values[0..length) of feature j; NaN entries are missing and skipped. The same state as `add` on each value. */
  addColumn(j: number, values: Float64Array, length: number = values.length): void {
    if (!Number.isInteger(j) || j < 0 || j >= this.width) {
      throw new RangeError(`Moments.addColumn: feature index ${j} out of range [0, ${this.width})`);
    }
    if (!Number.isInteger(length) || length < 0 || length > values.length) {
      throw new RangeError(`Moments.addColumn: length ${length} out of range [0, ${values.length}]`);
    }
    const sum = (this.sums[j] ??= new ExactSum());
    const squares = (this.squares[j] ??= new ExactSquares());
    let n = this.n[j]!;
    let lo = this.lo[j]!;
    let hi = this.hi[j]!;
    // Each chunk measured and summed in one pass, by WebAssembly (./chunk-sums.ts): its pairs go
    // into the bins; a chunk the pairs cannot take is summed here as before.
    const kernel = ChunkSums.get();
    const { records, record } = kernel;
    for (let from = 0; from < length; from += CALL_VALUES) {
      const chunks = kernel.run(values, from, Math.min(CALL_VALUES, length - from));
      for (let c = 0; c < chunks; c++) {
        const r = c * record;
        const count = records[r + COUNT]!;
        if (count === 0) continue; // only missing values
        const largest = records[r + LARGEST]!;
        if (largest !== 0) {
          const i = from + c * CHUNK;
          const end = Math.min(length, i + CHUNK);
          const smallest = records[r + SMALLEST]!;
          if (records[r + SUM_TAKEN] === 1) {
            sum.addPart(records[r + SUM_HIGH]!);
            sum.addPart(records[r + SUM_LOW]!);
          } else {
            sum.addChunk(values, i, end, largest, smallest);
          }
          if (records[r + SQUARES_TAKEN] === 1) {
            squares.addPart(records[r + SQUARES_HIGH]!);
            squares.addPart(records[r + SQUARES_LOW]!);
            squares.addPart(records[r + ERRORS_HIGH]!);
            squares.addPart(records[r + ERRORS_LOW]!);
          } else {
            squares.addSquaresChunk(values, i, end, largest, smallest);
          }
        }
        const min = records[r + MIN]!;
        const max = records[r + MAX]!;
        // Case: first values. (Unknown extremes, NaN from a summary, stay unknown: both comparisons are false.)
        if (n === 0) {
          lo = min;
          hi = max;
        } else {
          if (min < lo) lo = min;
          if (max > hi) hi = max;
        }
        n += count;
      }
    }
    if (n !== this.n[j]) this.rounded[j] = undefined;
    this.n[j] = n;
    this.lo[j] = lo;
    this.hi[j] = hi;
  }

  /** Merge `other` (same width) into this: exact, as if its values had been added here. `other` is not changed. */
  merge(other: Moments): void {
    if (other.width !== this.width) {
      throw new RangeError(`Moments.merge: width ${other.width} does not match ${this.width}`);
    }
    for (let j = 0; j < this.width; j++) {
      const nB = other.n[j]!;
      // Case: empty side B. Nothing to add.
      if (nB === 0) continue;
      const loB = other.lo[j]!;
      const hiB = other.hi[j]!;
      const nA = this.n[j]!;
      const sum = other === this ? other.sums[j]!.clone() : other.sums[j]!;
      const squares = other === this ? other.squares[j]!.clone() : other.squares[j]!;
      (this.sums[j] ??= new ExactSum()).merge(sum);
      (this.squares[j] ??= new ExactSquares()).merge(squares);
      this.n[j] = nA + nB;
      this.rounded[j] = undefined;
      // Case: empty side A. B's extremes as they are.
      if (nA === 0) {
        this.lo[j] = loB;
        this.hi[j] = hiB;
        continue;
      }
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

  /** Σx of feature j, exactly. */
  sum(j: number): Dyadic {
    return this.n[j]! === 0 ? ZERO : this.sums[j]!.value();
  }

  /** Σx² of feature j, exactly. */
  sumOfSquares(j: number): Dyadic {
    return this.n[j]! === 0 ? ZERO : this.squares[j]!.value();
  }

  /** Mean of feature j, correctly rounded; NaN when it has no values. */
  mean(j: number): number {
    return this.statistics(j)?.mean ?? NaN;
  }

  /**
   * The exact mean minus `mean(j)`, correctly rounded: mean + meanLow is the mean to twice the
   * precision (normalize subtracts both, so that x − μ is not off by μ's rounding). NaN when the
   * feature has no values; 0 when the mean is exact.
   */
  meanLow(j: number): number {
    return this.statistics(j)?.meanLow ?? NaN;
  }

  /**
   * meanLow·2^k, rounded once from the exact sums (for k > 0, not meanLow·2^k: a meanLow below
   * 2^−1022 has lost bits). For a feature whose values are so small that the transform works in
   * units of 2^−k (../pipeline/affine.ts). NaN when the feature has no values.
   */
  meanLowTimes(j: number, k: number): number {
    const s = this.statistics(j);
    if (!s) return NaN;
    if (s.exactMean) return 0;
    return lowOfMean(this.sums[j]!.value(), s.mean, BigInt(this.n[j]!), k);
  }

  /**
   * Biased variance (BN's σ_B²), correctly rounded; NaN when the feature has no values; exactly 0
   * for a constant column; never negative. Infinity when beyond float64 (values near ±1e300):
   * callers must check `Number.isFinite` before reporting.
   */
  variance(j: number): number {
    return this.statistics(j)?.variance ?? NaN;
  }

  /**
   * The biased variance exactly, as a rational (for a scale rounded once: ./exact-scale.ts), with
   * the fast path's approximation when there is one; undefined when the feature has no values.
   * The rational is computed only if asked for, and must be asked for before more values come
   * (a batch's parameters are used at once; a later use throws rather than read other sums).
   */
  varianceRatio(j: number): Ratio | undefined {
    const s = this.statistics(j);
    if (!s) return undefined;
    const approx = s.varianceApprox;
    return new BatchVariance(() => {
      if (s.exact) return s.exact;
      if (this.rounded[j] !== s) throw new Error('Moments.varianceRatio: the sums changed before the ratio was read');
      return this.spreadOf(j, s);
    }, approx);
  }

  /** Sample (unbiased) variance, correctly rounded; NaN when the feature has fewer than 2 values. */
  sampleVariance(j: number): number {
    const s = this.statistics(j);
    const n = this.n[j]!;
    if (!s || n < 2) return NaN;
    if (s.sampleVariance !== undefined) return s.sampleVariance;
    const fast = s.spreadOverN && decide(divide(s.spreadOverN, n - 1));
    if (fast !== undefined) return (s.sampleVariance = fast);
    const e = this.spreadOf(j, s);
    return (s.sampleVariance = roundQuotient(e.spread, e.count * (e.count - 1n), e.exponent));
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

  /** M2 = Σ (x − mean)² of feature j, correctly rounded; 0 when it has no values (an empty sum). */
  m2(j: number): number {
    const s = this.statistics(j);
    if (!s) return 0;
    if (s.m2 !== undefined) return s.m2;
    const fast = s.spreadOverN && decide(s.spreadOverN);
    if (fast !== undefined) return (s.m2 = fast);
    const e = this.spreadOf(j, s);
    return (s.m2 = roundQuotient(e.spread, e.count, e.exponent));
  }

  /** The statistics of feature j (undefined: no values), computed once. */
  private statistics(j: number): Rounded | undefined {
    const n = this.n[j]!;
    // Case: empty feature.
    if (n === 0) return undefined;
    const cached = this.rounded[j];
    if (cached) return cached;
    const rounded = this.fastStatistics(j, n) ?? this.exactStatistics(j, n);
    this.rounded[j] = rounded;
    return rounded;
  }

  /**
   * Mean, its low part and the variance in double-double arithmetic, each decided by its error
   * bound (./double-double.ts); undefined when any is not: the exact path then computes all three.
   */
  private fastStatistics(j: number, n: number): Rounded | undefined {
    const s1 = usable(this.sums[j]!.approximate());
    const s2 = usable(this.squares[j]!.approximate());
    if (s1 === undefined || s2 === undefined) return undefined;
    const mean = decide(divide(s1, n));
    if (mean === undefined) return undefined;
    // (Σx − mean·n)/n: exact only if Σx is (which the bins usually give).
    const rest = usable(add(s1, negate(exactProduct(mean, n))));
    const meanLow = rest && decide(divide(rest, n));
    if (meanLow === undefined) return undefined;
    const exactMean = rest!.hi === 0 && rest!.lo === 0 && rest!.err === 0;
    // spread/n = Σx² − (Σx)²/n.
    const spreadOverN = usable(add(s2, negate(divide(multiply(s1, s1), n))));
    if (spreadOverN === undefined) return undefined;
    const varianceApprox = divide(spreadOverN, n);
    const variance = decide(varianceApprox);
    if (variance === undefined) return undefined;
    return { mean, meanLow, exactMean, variance, spreadOverN, varianceApprox };
  }

  /** The same three from the exact sums, with BigInt. */
  private exactStatistics(j: number, n: number): Rounded {
    const count = BigInt(n);
    const s1 = this.sums[j]!.value();
    const s2 = this.squares[j]!.value();
    const mean = roundQuotient(s1.mantissa, count, s1.exponent);
    const meanLow = lowOfMean(s1, mean, count, 0);
    const exact = exactSpread(s1, s2, count);
    return { mean, meanLow, variance: roundQuotient(exact.spread, count * count, exact.exponent), exact };
  }

  /** The exact spread of feature j (its statistics `s`), computed once. */
  private spreadOf(j: number, s: Rounded): ExactSpread {
    return (s.exact ??= exactSpread(this.sums[j]!.value(), this.squares[j]!.value(), BigInt(this.n[j]!)));
  }

  /**
   * Build from exact sums (a stats file's, see `sum` and `sumOfSquares`): the statistics, and
   * every merge, are then those of the values the sums were made of.
   */
  static fromSums(s: { count: ArrayLike<number>; sum: readonly Dyadic[]; sumOfSquares: readonly Dyadic[]; min?: ArrayLike<number>; max?: ArrayLike<number> }): Moments {
    const width = s.count.length;
    const m = new Moments(width);
    for (let j = 0; j < width; j++) {
      const n = s.count[j]!;
      if (!Number.isInteger(n) || n < 0) throw new RangeError(`Moments.fromSums: count[${j}] must be a non-negative integer, got ${n}`);
      if (n === 0) continue;
      m.n[j] = n;
      (m.sums[j] = new ExactSum()).addDyadic(s.sum[j]!);
      (m.squares[j] = new ExactSquares()).addDyadic(s.sumOfSquares[j]!);
      m.lo[j] = s.min === undefined ? NaN : s.min[j]!;
      m.hi[j] = s.max === undefined ? NaN : s.max[j]!;
    }
    return m;
  }

  /** Features `indices` as plain data (exact sums as text): what a worker thread sends, `fromText` reads. */
  toText(indices: readonly number[]): MomentsText {
    return {
      count: indices.map((j) => this.n[j]!),
      min: indices.map((j) => this.lo[j]!),
      max: indices.map((j) => this.hi[j]!),
      sum: indices.map((j) => dyadicText(this.sum(j))),
      sumOfSquares: indices.map((j) => dyadicText(this.sumOfSquares(j))),
    };
  }

  /** A Moments of `width` columns with `text` (from `toText`) at columns `indices`: exactly the original's. */
  static fromText(text: MomentsText, width: number, indices: readonly number[]): Moments {
    const m = new Moments(width);
    indices.forEach((j, f) => {
      const n = text.count[f]!;
      if (n === 0) return;
      m.n[j] = n;
      m.lo[j] = text.min[f]!;
      m.hi[j] = text.max[f]!;
      (m.sums[j] = new ExactSum()).addDyadic(parseDyadic(text.sum[f]!)!);
      (m.squares[j] = new ExactSquares()).addDyadic(parseDyadic(text.sumOfSquares[f]!)!);
    });
    return m;
  }

  /**
   * Build from saved summaries (count, mean, biased var, optional min/max and meanLow): what a
   * stats file of version 1 holds. The sums are those of n values with that mean (mean + meanLow,
   * taken as exact) and that variance: Σx = n·mean exactly, Σx² = n·var + (Σx)²/n to within
   * 2^−2148. So merging such files is as exact as the files are, not exact.
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
    const sum: Dyadic[] = [];
    const sumOfSquares: Dyadic[] = [];
    for (let j = 0; j < width; j++) {
      const n = s.count[j]!;
      if (!Number.isInteger(n) || n < 0) {
        throw new RangeError(`Moments.fromSummary: count[${j}] must be a non-negative integer, got ${n}`);
      }
      const mean = s.mean[j]!;
      const v = s.var[j]!;
      const low = s.meanLow === undefined ? 0 : s.meanLow[j]!;
      if (n > 0) {
        if (!Number.isFinite(mean)) throw new RangeError(`Moments.fromSummary: mean[${j}] is not finite: ${mean}`);
        if (!Number.isFinite(v) || v < 0) throw new RangeError(`Moments.fromSummary: var[${j}] must be finite and ≥ 0, got ${v}`);
        if (!Number.isFinite(low)) throw new RangeError(`Moments.fromSummary: meanLow[${j}] is not finite: ${low}`);
      }
      const count = BigInt(n);
      // Σx = n·(mean + meanLow), exactly.
      const a = dyadicOf(n > 0 ? mean : 0);
      const b = dyadicOf(n > 0 ? low : 0);
      const e = Math.min(a.exponent, b.exponent);
      const s1 = trim(count * ((a.mantissa << BigInt(a.exponent - e)) + (b.mantissa << BigInt(b.exponent - e))), e);
      // Σx² = n·var + (Σx)²/n, the last term rounded down to a multiple of 2^−2148·… (below any double's bits).
      const vd = dyadicOf(n > 0 ? v : 0);
      const floor = -4400;
      const squaresOfSum = n > 0 ? (s1.mantissa * s1.mantissa << BigInt(2 * s1.exponent - floor)) / count : 0n;
      const s2 = trim(((count * vd.mantissa) << BigInt(vd.exponent - floor)) + squaresOfSum, floor);
      sum.push(s1);
      sumOfSquares.push(s2);
    }
    const m = Moments.fromSums({ count: s.count, sum, sumOfSquares, ...(s.min ? { min: s.min } : {}), ...(s.max ? { max: s.max } : {}) });
    return m;
  }

  /** Empty again (every feature), keeping the memory of its sums: for the next batch of a pass that keeps none. */
  reset(): void {
    for (let j = 0; j < this.width; j++) {
      this.n[j] = 0;
      this.lo[j] = NaN;
      this.hi[j] = NaN;
      this.sums[j]?.reset();
      this.squares[j]?.reset();
      this.rounded[j] = undefined;
    }
  }

  /**
   * Keep the sums as exact values only, without their bins (a few hundred bytes a feature): for a
   * finished batch that is only read or merged from now on. Adding to it later still works.
   */
  compact(): void {
    for (let j = 0; j < this.width; j++) {
      this.sums[j]?.compact();
      this.squares[j]?.compact();
    }
  }

  /** A Moments of `width` ≥ this.width columns: these, and empty ones after them (a JSON key first seen late). */
  widen(width: number): Moments {
    if (width <= this.width) return this;
    const w = new Moments(width);
    for (let j = 0; j < this.width; j++) w.copyFrom(j, this, j);
    return w;
  }

  /**
   * A new Moments of width `indices.length` whose feature f is a copy of this one's feature
   * indices[f]. The pipeline keeps one Moments per batch indexed by column; running statistics
   * and stats files are per feature.
   */
  pick(indices: readonly number[]): Moments {
    const p = new Moments(indices.length);
    indices.forEach((j, f) => {
      if (!Number.isInteger(j) || j < 0 || j >= this.width) {
        throw new RangeError(`Moments.pick: feature index ${j} out of range [0, ${this.width})`);
      }
      p.copyFrom(f, this, j);
    });
    return p;
  }

  /** An independent copy. */
  clone(): Moments {
    return this.pick([...Array(this.width).keys()]);
  }

  private copyFrom(to: number, from: Moments, j: number): void {
    this.n[to] = from.n[j]!;
    this.lo[to] = from.lo[j]!;
    this.hi[to] = from.hi[j]!;
    this.sums[to] = from.sums[j]?.clone();
    this.squares[to] = from.squares[j]?.clone();
    this.rounded[to] = from.rounded[j];
  }
}

/** (Σx/n − mean)·2^k correctly rounded, from the exact sum: (Σx − mean·n)/n over a common exponent. */
function lowOfMean(sum: Dyadic, mean: number, count: bigint, k: number): number {
  const m = dyadicOf(mean);
  const e1 = Math.min(sum.exponent, m.exponent);
  const residue = (sum.mantissa << BigInt(sum.exponent - e1)) - ((m.mantissa * count) << BigInt(m.exponent - e1));
  return roundQuotient(residue, count, e1 + k);
}
