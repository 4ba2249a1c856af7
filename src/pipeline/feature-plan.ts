/**
 * Which columns are features, and how a feature cell becomes a number.
 *
 * By default a column is a feature when its first non-missing value is a number (SPEC §2), so a
 * column is undecided until that value arrives; `--select` (see select.ts) makes some columns
 * features up front, leaves others to that rule, and the rest out. The column list may grow while
 * the input is read (JSON objects: a key first seen in record 500): a new column gets its role
 * when it first appears, and a column that first appears after `freeze` is never a feature.
 * A feature cell's text is parsed by `value` (the row reader's way; the byte scanner parses
 * plain numbers from the bytes itself and asks here for everything else), so every reader
 * shares one notion of "number", "missing" and "invalid".
 */
import { RawNumber } from '../io/json-number.js';
import { BnError, quoteValue, type ErrorLocation } from '../errors.js';
import { classifyNumber, hasDecimalComma } from '../io/numbers.js';
import type { Cell, Row } from '../io/table.js';
import type { TableShape } from '../io/table.js';
import { ALL_COLUMNS, bindSelection, type Selection, type SelectionSpec } from './select.js';

type ColumnRole = 'undecided' | 'feature' | 'other';

export class FeaturePlan {
  readonly columns: string[];
  private readonly roles: ColumnRole[] = [];
  private readonly isMissing: (text: string) => boolean;
  private readonly label: string;
  private readonly selection: Selection;
  private frozen = false;
  /** Columns found text by a first value with a decimal comma (`1,5`): named when no column is a feature. */
  private readonly commaDecimals: number[] = [];
  /** Bumped whenever a column becomes a feature: a reader's cue to look at featureIndices again. */
  private featureChanges = 0;

  /**
   * @param columns the source's column list, which may still grow (read, never written, here)
   * @param selection `--select` bound to the columns; the default rule for every column without it
   */
  constructor(columns: string[], isMissing: (text: string) => boolean, label: string, selection: Selection = ALL_COLUMNS) {
    this.columns = columns;
    this.isMissing = isMissing;
    this.label = label;
    this.selection = selection;
    this.addNewColumns();
  }

  /** Give each column that appeared since the last call its role. */
  private addNewColumns(): void {
    for (let j = this.roles.length; j < this.columns.length; j++) {
      const role = this.selection.role(this.columns[j]!, j);
      this.roles.push(role === 'feature' ? 'feature' : role === 'candidate' && !this.frozen ? 'undecided' : 'other');
      if (role === 'feature') this.featureChanges++;
    }
  }

  /**
   * Decide undecided columns from this row's cells (a no-op once frozen). A JSON object's row
   * has cells at its own keys only: those are visited, not every column (thousands of keys,
   * a few a record, would make this quadratic).
   */
  observe(row: Row): void {
    if (this.roles.length < this.columns.length) this.addNewColumns();
    if (this.frozen) return;
    const { cells, keys } = row;
    if (keys !== undefined) {
      for (const j of keys) this.observeCell(j, cells[j]);
      return;
    }
    for (let j = 0; j < this.roles.length; j++) this.observeCell(j, cells[j]);
  }

  /**
   * Decide column j from one of its cells when it is undecided and the cell is not missing.
   * Returns whether that decided it. (The fast CSV path looks only at undecided columns' cells.)
   */
  observeCell(j: number, cell: Cell): boolean {
    if (this.frozen || this.roles[j] !== 'undecided' || this.cellIsMissing(cell)) return false;
    this.roles[j] = looksNumeric(cell) ? 'feature' : 'other';
    if (this.roles[j] === 'feature') this.featureChanges++;
    else if (typeof cell === 'string' && hasDecimalComma(cell)) this.commaDecimals.push(j);
    return true;
  }

  /**
   * Decide column j when it is undecided: a typed format (Parquet, Arrow) says by the column's
   * type, not by how a value reads (a string column of digits is text). Returns whether that decided it.
   */
  decide(j: number, feature: boolean): boolean {
    if (this.roles.length < this.columns.length) this.addNewColumns();
    if (this.frozen || this.roles[j] !== 'undecided') return false;
    this.roles[j] = feature ? 'feature' : 'other';
    if (feature) this.featureChanges++;
    return true;
  }

  /** Columns still waiting for their first non-missing value. */
  undecided(): number[] {
    const out: number[] = [];
    this.roles.forEach((role, j) => role === 'undecided' && out.push(j));
    return out;
  }

  /**
   * Stop deciding: columns still undecided (no value seen) are not features. A name or index of
   * `--select` that is none of the columns read so far is an error now.
   */
  freeze(): void {
    this.addNewColumns();
    this.selection.check(this.columns, this.label);
    for (let j = 0; j < this.roles.length; j++) if (this.roles[j] === 'undecided') this.roles[j] = 'other';
    this.frozen = true;
  }

  /** The names of the columns whose first value had a decimal comma (text to bn). */
  decimalCommaColumns(): string[] {
    return this.commaDecimals.map((j) => this.columns[j]!);
  }

  /** The columns --select picks (as features or candidates), or undefined without --select. */
  picked(): string[] | undefined {
    if (this.selection === ALL_COLUMNS) return undefined;
    return this.columns.filter((name, j) => this.selection.role(name, j) !== 'other');
  }

  /** Changes whenever the features change (a column became one). */
  get generation(): number {
    return this.featureChanges;
  }

  isFeature(j: number): boolean {
    return this.roles[j] === 'feature';
  }

  /** Column j may still become a feature (its first value decides). */
  isUndecided(j: number): boolean {
    return this.roles[j] === 'undecided';
  }

  /** Column indices of the features, in column order. */
  featureIndices(): number[] {
    const out: number[] = [];
    this.roles.forEach((role, j) => role === 'feature' && out.push(j));
    return out;
  }

  cellIsMissing(cell: Cell): boolean {
    if (cell === null || cell === undefined) return true;
    if (typeof cell === 'string') return this.isMissing(cell);
    return false;
  }

  /** The value of a feature cell: a finite number, or NaN when missing. Throws on anything else. */
  value(cell: Cell, j: number, row: Row): number {
    // A JSON number that keeps its text (an id beyond 2^53): a feature takes its double (checked as any number is).
    if (cell instanceof RawNumber) cell = cell.value;
    if (typeof cell === 'number') {
      if (Number.isFinite(cell)) return cell;
      // JSON has no Infinity: a parsed Infinity was a number beyond float64, such as 1e999. Its
      // text is gone (showing "Infinity" would suggest the input said so).
      throw new BnError('BN_NOT_FINITE', `number out of float64 range: a JSON number beyond ${cell > 0 ? '' : '-'}1.8e308`, this.where(j, row));
    }
    if (this.cellIsMissing(cell)) return Number.NaN;
    if (typeof cell === 'string') {
      const parsed = classifyNumber(cell);
      if (parsed.kind === 'number') return parsed.value;
      if (parsed.kind === 'overflow') throw this.invalid('BN_NOT_FINITE', 'number out of float64 range', cell, j, row);
    }
    throw this.invalid('BN_NOT_A_NUMBER', 'not a number', cell, j, row);
  }

  /** A JSON array's record by index; an NDJSON object by line; a CSV field or NDJSON array value by line and position. */
  where(j: number, row: Row): ErrorLocation {
    const name = this.columns[j];
    if (row.record !== undefined) return { file: this.label, record: row.record, name };
    if (row.keys !== undefined) return { file: this.label, line: row.line, name };
    return { file: this.label, line: row.line, column: j + 1, name };
  }

  private invalid(code: 'BN_NOT_A_NUMBER' | 'BN_NOT_FINITE', what: string, cell: Cell, j: number, row: Row): BnError {
    const hint = code === 'BN_NOT_A_NUMBER' && typeof cell === 'string' && MISSING_LOOKING.test(cell.trim()) ? MISSING_HINT : '';
    return new BnError(code, `${what}: ${quoteValue(cell)}${hint}`, this.where(j, row));
  }
}

/** How other tools write a missing value (SQL, Excel, pandas, R, Python), where bn's defaults do not. */
const MISSING_LOOKING = /^(?:null|none|nil|na|n\/a|#n\/a|#na|<na>|nan|missing|-|\?|\.)$/i;
const MISSING_HINT = ' (a marker of a missing value? name it with --na-values, which replaces the default list)';

function looksNumeric(cell: Cell): boolean {
  if (typeof cell === 'number' || cell instanceof RawNumber) return true;
  // "1e999" is written as a number: the column is a feature, and that cell is then an error.
  return typeof cell === 'string' && classifyNumber(cell).kind !== 'invalid';
}

/** The plan for a source whose first chunk has been read (so that its header is known). */
export function makePlan(source: TableShape, options: { isMissing: (text: string) => boolean; select?: SelectionSpec }, selection?: Selection): FeaturePlan {
  const bound = selection ?? (options.select ? bindSelection(options.select, source.columns) : ALL_COLUMNS);
  // Columns of CSV, TSV and JSON arrays are all known now: an unknown --select name fails at once.
  // JSON objects may bring new keys up to the end; the plan checks when it is frozen.
  if (!columnsMayGrow(source)) bound.check(source.columns, source.label);
  return new FeaturePlan(source.columns, options.isMissing, source.label, bound);
}

function columnsMayGrow(source: Pick<TableShape, 'keyed' | 'format'>): boolean {
  return source.keyed && (source.format === 'json' || source.format === 'ndjson');
}
