/**
 * The SQL text of `bn export --to sql`: quoting, numbers that read back as the same double, each
 * dialect's form. (That databases compute bn's values from it: test/e2e/export.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { BnError } from '../../src/errors.js';
import type { ExportTransform } from '../../src/export/export-transform.js';
import { quoteIdentifier, sqlNumber, sqlSelect, tableName } from '../../src/export/sql-select.js';

const transform = (meanLow = [0, 0]): ExportTransform => ({
  features: ['x1', 'my "odd" col'],
  params: { mean: Float64Array.of(10, -0.5), meanLow: Float64Array.from(meanLow), scale: Float64Array.of(0.1, 2), beta: Float64Array.of(0, -0) },
  statistics: 'running',
});

describe('quoteIdentifier', () => {
  it.each([
    ['x1', '"x1"'],
    ['select', '"select"'],
    ['two words', '"two words"'],
    ['say "hi"', '"say ""hi"""'],
    ['Price', '"Price"'],
    ["it's", `"it's"`],
    ['ünï', '"ünï"'],
  ])('%s → %s', (name, quoted) => expect(quoteIdentifier(name)).toBe(quoted));

  it.each([[''], ['a\0b']])('refuses %j', (name) => {
    expect(() => quoteIdentifier(name)).toThrow(BnError);
  });

  it('a dotted table name is schema.table', () => {
    expect(tableName('analytics.train set')).toBe('"analytics"."train set"');
  });

  it('a part in double quotes is one name, dots and quotes in it (as --columns reads names)', () => {
    expect(tableName('"a.b"')).toBe('"a.b"');
    expect(tableName('s."a.b"')).toBe('"s"."a.b"');
    expect(tableName('"say ""hi"""')).toBe('"say ""hi"""');
    expect(() => tableName('"a.b"x')).toThrow(/--table: text after the closing quote of "a\.b": "x"/);
    expect(() => tableName('"a.b')).toThrow(/--table: unclosed quote/);
    expect(() => tableName('a..b')).toThrow(/an identifier cannot be empty/);
  });
});

describe('sqlNumber', () => {
  it.each([0.1, 1 / 3, 5e-324, Number.MAX_VALUE, -Number.MIN_VALUE, 1e21, 123456789012345680000, 2 ** 53 + 2, -1.5e-7])('%s reads back as the same double', (x) => {
    const text = /^CAST\('([^']+)' AS DOUBLE\)$/.exec(sqlNumber(x, 'duckdb'))![1]!;
    expect(Object.is(Number(text), x)).toBe(true);
    // Shortest: one digit fewer would not do (JavaScript's String is the shortest round trip).
    expect(text).toBe(String(x));
  });

  it('keeps the sign of −0, and casts to each dialect\'s double', () => {
    expect(sqlNumber(-0, 'duckdb')).toBe("CAST('-0' AS DOUBLE)");
    expect(sqlNumber(0.5, 'postgres')).toBe("CAST('0.5' AS DOUBLE PRECISION)");
    expect(sqlNumber(0.5, 'sqlite')).toBe("CAST('0.5' AS REAL)");
  });
});

describe('sqlSelect', () => {
  it('duckdb: SELECT * REPLACE keeps the other columns in place', () => {
    expect(sqlSelect(transform(), { table: 't', dialect: 'duckdb' })).toBe(
      [
        'SELECT * REPLACE (',
        `  ("x1" - CAST('10' AS DOUBLE)) * CAST('0.1' AS DOUBLE) + CAST('0' AS DOUBLE) AS "x1",`,
        `  ("my ""odd"" col" - CAST('-0.5' AS DOUBLE)) * CAST('2' AS DOUBLE) + CAST('-0' AS DOUBLE) AS "my ""odd"" col"`,
        ')',
        'FROM "t";',
        '',
      ].join('\n'),
    );
  });

  it('postgres with --columns: every column, in the order given', () => {
    const text = sqlSelect(transform(), { table: 'public.t', dialect: 'postgres', columns: ['id', 'my "odd" col', 'note', 'x1'] });
    expect(text.split('\n')).toEqual([
      'SELECT',
      '  "id",',
      `  ("my ""odd"" col" - CAST('-0.5' AS DOUBLE PRECISION)) * CAST('2' AS DOUBLE PRECISION) + CAST('-0' AS DOUBLE PRECISION) AS "my ""odd"" col",`,
      '  "note",',
      `  ("x1" - CAST('10' AS DOUBLE PRECISION)) * CAST('0.1' AS DOUBLE PRECISION) + CAST('0' AS DOUBLE PRECISION) AS "x1"`,
      'FROM "public"."t";',
      '',
    ]);
  });

  it('a low part of the mean: the TwoSum of transformBatch, for that feature only', () => {
    const text = sqlSelect(transform([1e-15, 0]), { table: 't', dialect: 'sqlite', columns: ['x1', 'my "odd" col'] });
    const d = `("x1" - CAST('10' AS REAL))`;
    const v = `(${d} - "x1")`;
    expect(text).toContain(`  (${d} + ((("x1" - (${d} - ${v})) + (CAST('-10' AS REAL) - ${v})) - CAST('1e-15' AS REAL))) * CAST('0.1' AS REAL) + CAST('0' AS REAL) AS "x1",`);
    expect(text).toContain(`  ("my ""odd"" col" - CAST('-0.5' AS REAL)) * CAST('2' AS REAL)`);
  });

  it.each([
    ['postgres without columns', { table: 't', dialect: 'postgres' as const }, /needs --columns/],
    ['sqlite without columns', { table: 't', dialect: 'sqlite' as const }, /needs --columns/],
    ['a feature not among the columns', { table: 't', dialect: 'duckdb' as const, columns: ['x1', 'x2'] }, /"my \\"odd\\" col" are not among/],
    ['an empty table name', { table: '', dialect: 'duckdb' as const }, /cannot be empty/],
  ])('refuses %s (a usage error)', (_, options, message) => {
    let error: unknown;
    try {
      sqlSelect(transform(), options);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(BnError);
    expect((error as BnError).exitCode).toBe(2);
    expect((error as BnError).message).toMatch(message);
  });

  it('a file without feature names cannot be written as SQL', () => {
    expect(() => sqlSelect({ ...transform(), features: undefined }, { table: 't', dialect: 'duckdb' })).toThrow(/no "features"/);
  });
});
