/**
 * `bn export --to sql`: the transform as one SELECT over a table that returns every column of it,
 * in order, each feature replaced by its normalized value under the same name. NULL stays NULL,
 * as SQL's arithmetic on NULL gives NULL.
 *
 * The constants are written as the shortest decimal that reads back as the same float64, inside
 * a cast to the dialect's float64 type: a bare literal such as 0.1 is a DECIMAL in DuckDB and a
 * NUMERIC in PostgreSQL, and mixed with a double it would be converted after the fact, not parsed
 * to the nearest double. The operations are bn's, in bn's order: (x − mean)·scale + β, and with a
 * low part of the mean (--exact) the TwoSum of ../pipeline/transform-batch.ts.
 */
import { BnError, quoteText } from '../errors.js';
import { splitItems, unquoteName } from '../pipeline/name-list.js';
import type { ExportTransform } from './export-transform.js';

export const DIALECTS = ['duckdb', 'postgres', 'sqlite'] as const;
export type Dialect = (typeof DIALECTS)[number];

/** Each dialect's name of the IEEE 754 double. */
const DOUBLE_TYPE: Record<Dialect, string> = { duckdb: 'DOUBLE', postgres: 'DOUBLE PRECISION', sqlite: 'REAL' };

export interface SqlOptions {
  table: string;
  dialect: Dialect;
  /**
   * The table's columns in order. DuckDB can do without (SELECT * REPLACE keeps the others in
   * place); PostgreSQL and SQLite have no such form, so the query must name every column.
   */
  columns?: readonly string[];
}

export function sqlSelect(transform: ExportTransform, options: SqlOptions): string {
  const { features } = transform;
  if (!features) {
    throw new BnError('BN_USAGE', 'SQL names the columns, and the stats file has no "features" (a PyTorch or Keras file matched by position): add "features" to it');
  }
  const expressions = new Map(features.map((name, f) => [name, featureExpression(transform, f, options.dialect)]));
  const from = `FROM ${tableName(options.table)}`;
  if (options.columns === undefined) {
    if (options.dialect !== 'duckdb') {
      throw new BnError('BN_USAGE', `--dialect ${options.dialect} needs --columns LIST, the table's columns in order: it has no SELECT * REPLACE to keep the others in place`);
    }
    const replaced = features.map((name) => `  ${expressions.get(name)} AS ${quoteIdentifier(name)}`);
    return `SELECT * REPLACE (\n${replaced.join(',\n')}\n)\n${from};\n`;
  }
  const missing = features.filter((name) => !options.columns!.includes(name));
  if (missing.length > 0) {
    throw new BnError('BN_USAGE', `--columns: the stats file's features ${missing.map((n) => quoteText(n)).join(', ')} are not among the columns given`);
  }
  const list = options.columns.map((name) => {
    const expression = expressions.get(name);
    return expression === undefined ? `  ${quoteIdentifier(name)}` : `  ${expression} AS ${quoteIdentifier(name)}`;
  });
  return `SELECT\n${list.join(',\n')}\n${from};\n`;
}

/** y = (x·p − mean)·scale + β for feature f (p is 1 but for tiny values); with a low part, x·p − mean as TwoSum's d + (e − low). */
function featureExpression(transform: ExportTransform, f: number, dialect: Dialect): string {
  const { mean, meanLow, scale, beta, prescale } = transform.params;
  const n = (value: number) => sqlNumber(value, dialect);
  const p = prescale ? prescale[f]! : 1;
  // A feature of tiny values, in units of 1/p first (a power of two: exact).
  const x = p === 1 ? quoteIdentifier(transform.features![f]!) : `(${quoteIdentifier(transform.features![f]!)} * ${n(p)})`;
  const low = meanLow[f]!;
  if (low === 0) return `(${x} - ${n(mean[f]!)}) * ${n(scale[f]!)} + ${n(beta[f]!)}`;
  const d = `(${x} - ${n(mean[f]!)})`;
  const v = `(${d} - ${x})`;
  const e = `((${x} - (${d} - ${v})) + (${n(-mean[f]!)} - ${v}))`;
  return `(${d} + (${e} - ${n(low)})) * ${n(scale[f]!)} + ${n(beta[f]!)}`;
}

/** A float64 as SQL: the shortest decimal that reads back as it (−0 keeps its sign), cast to the dialect's double. */
export function sqlNumber(value: number, dialect: Dialect): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  const text = Object.is(value, -0) ? '-0' : String(value);
  return `CAST('${text}' AS ${DOUBLE_TYPE[dialect]})`;
}

/**
 * A delimited identifier: "…" with " doubled, which DuckDB, PostgreSQL and SQLite all read, so a
 * name with spaces, quotes, or that is a keyword (select, order) is safe. Quoted names match case
 * for case: in PostgreSQL a column created unquoted as Price is price. Names no dialect can write
 * (empty, or with a NUL character) are refused.
 */
export function quoteIdentifier(name: string): string {
  if (name === '' || name.includes('\0')) {
    throw new BnError('BN_USAGE', `cannot write the name ${quoteText(name)} in SQL: ${name === '' ? 'an identifier cannot be empty' : 'it holds a NUL character'}`);
  }
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * `--table`: a dotted name is schema.table (each part quoted); a part in double quotes, as in
 * --columns, is one name, dots and all (`"a.b"`, `s."a.b"`).
 */
export function tableName(table: string): string {
  const bad = (why: string) => new BnError('BN_USAGE', `--table: ${why}: ${quoteText(table)}`);
  return splitItems(table, bad, '.').map((part) => quoteIdentifier(unquoteName(part, bad))).join('.');
}
