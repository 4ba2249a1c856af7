/**
 * src/io/nullable-doubles.ts: a null stays a null and a NaN a NaN for a writer, both are NaN for
 * statistics, through spreading a page's values over its levels and joining pages.
 */
import { describe, expect, it } from 'vitest';
import { NullableDoubles } from '../../src/io/nullable-doubles.js';

describe('NullableDoubles', () => {
  it('spread: the values where the levels say, null elsewhere; a NaN value stays a value', () => {
    const cells = NullableDoubles.spread(Float64Array.of(1.5, Number.NaN, -2), Uint8Array.of(1, 0, 1, 0, 1), 1, 5, new Float64Array(5));
    expect(cells.toArray()).toEqual([1.5, null, Number.NaN, null, -2]);
    expect([0, 1, 2].map((i) => cells.cell(i))).toEqual([1.5, null, Number.NaN]);
    // Statistics see both as missing.
    expect(Array.from(cells.values)).toEqual([1.5, Number.NaN, Number.NaN, Number.NaN, -2]);
    expect(() => NullableDoubles.spread(Float64Array.of(1, 2), Uint8Array.of(1, 0, 0), 1, 3, new Float64Array(3))).toThrow(/2 values has 1 defined/);
    expect(() => NullableDoubles.spread(Float64Array.of(1), Uint8Array.of(1, 1), 1, 2, new Float64Array(2))).toThrow(/1 values has more defined/);
  });

  it('join: pages with and without nulls, in order, into the room given; slice keeps the first cells', () => {
    const withNulls = NullableDoubles.spread(Float64Array.of(3), Uint8Array.of(0, 1), 1, 2, new Float64Array(2));
    const room = new Float64Array(5);
    const joined = NullableDoubles.join([Float64Array.of(1, 2), withNulls, Float64Array.of(Number.NaN)], room);
    expect(joined.values).toBe(room);
    expect(joined.toArray()).toEqual([1, 2, null, 3, Number.NaN]);
    expect(joined.slice(3).toArray()).toEqual([1, 2, null]);
  });
});
