/**
 * A column of doubles with nulls (a Parquet DOUBLE page with missing values), kept as doubles:
 * NaN in `values` where a cell is null, and `valid` to tell a null from a NaN the file holds.
 *
 * Why: such a page was spread into a plain array with null in it, a boxed number a value; a
 * table whose numeric columns have a few nulls (most real ones) made every page of them that,
 * hundreds of thousands of heap objects a row group, alive until its rows were written.
 * Statistics take `values` as they are (a null is a missing value, as NaN is); a writer asks
 * cell by cell, and writes a null as a null and NaN as NaN.
 */
export class NullableDoubles {
  constructor(
    readonly values: Float64Array,
    /** 1 where the cell has a value, 0 where it is null. */
    readonly valid: Uint8Array,
  ) {}

  get length(): number {
    return this.values.length;
  }

  cell(i: number): number | null {
    return this.valid[i] === 1 ? this.values[i]! : null;
  }

  toArray(): (number | null)[] {
    return Array.from(this.values, (x, i) => (this.valid[i] === 1 ? x : null));
  }

  /** The first `length` cells. */
  slice(length: number): NullableDoubles {
    return new NullableDoubles(this.values.subarray(0, length), this.valid.subarray(0, length));
  }

  /**
   * `count` cells from `defined` (the page's values, in order): its next one where `levels[i]` is
   * `present`, null elsewhere, into `out` and `valid` (their contents are overwritten).
   */
  static spread(defined: Float64Array, levels: ArrayLike<number>, present: number, count: number, out: Float64Array, valid: Uint8Array = new Uint8Array(count)): NullableDoubles {
    let next = 0;
    for (let i = 0; i < count; i++) {
      if (levels[i] !== present) {
        out[i] = Number.NaN;
        valid[i] = 0;
        continue;
      }
      if (next === defined.length) throw new Error(`a page of ${defined.length} values has more defined`);
      valid[i] = 1;
      out[i] = defined[next++]!;
    }
    if (next !== defined.length) throw new Error(`a page of ${defined.length} values has ${next} defined`);
    return new NullableDoubles(out, valid);
  }

  /** Pages of doubles one after the other (a page without nulls: all valid), into `out`. */
  static join(pages: readonly (Float64Array | NullableDoubles)[], out: Float64Array): NullableDoubles {
    const valid = new Uint8Array(out.length);
    let at = 0;
    for (const page of pages) {
      if (page instanceof NullableDoubles) {
        out.set(page.values, at);
        valid.set(page.valid, at);
      } else {
        out.set(page, at);
        valid.fill(1, at, at + page.length);
      }
      at += page.length;
    }
    return new NullableDoubles(out, valid);
  }
}
