/**
 * Which columns are features, and how a feature cell becomes a number.
 *
 * By default a column is a feature when its first non-missing value is a number (SPEC §2), so a
 * column is undecided until that value arrives; `--select` decides every column up front.
 * Cells of feature columns are parsed here, and only here, so every reader shares one notion of
 * "number", "missing" and "invalid".
 */
import { BnError, quoteValue, type ErrorLocation } from '../errors.js';
import { classifyNumber } from '../io/numbers.js';
import type { Cell, Row } from '../io/table.js';

type ColumnRole = 'undecided' | 'feature' | 'other';

export class FeaturePlan {
  readonly columns: string[];
  private readonly roles: ColumnRole[];
  private readonly isMissing: (text: string) => boolean;
  private readonly label: string;
  private frozen = false;

  /**
   * @param selected column indices chosen by `--select`; undefined for the default rule.
   */
  constructor(columns: string[], isMissing: (text: string) => boolean, label: string, selected?: readonly number[]) {
    this.columns = columns;
    this.isMissing = isMissing;
    this.label = label;
    if (selected) {
      this.roles = columns.map(() => 'other');
      for (const j of selected) this.roles[j] = 'feature';
      this.frozen = true;
    } else {
      this.roles = columns.map(() => 'undecided');
    }
  }

  /** Decide undecided columns from this row's cells (a no-op once frozen). */
  observe(row: Row): void {
    if (this.frozen) return;
    const { cells } = row;
    for (let j = 0; j < this.roles.length; j++) {
      if (this.roles[j] !== 'undecided') continue;
      const cell = cells[j];
      if (this.cellIsMissing(cell)) continue;
      this.roles[j] = looksNumeric(cell) ? 'feature' : 'other';
    }
  }

  /** Stop deciding: columns still undecided (no value seen) are not features. */
  freeze(): void {
    for (let j = 0; j < this.roles.length; j++) if (this.roles[j] === 'undecided') this.roles[j] = 'other';
    this.frozen = true;
  }

  isFeature(j: number): boolean {
    return this.roles[j] === 'feature';
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
    if (typeof cell === 'number') {
      if (Number.isFinite(cell)) return cell;
      throw this.invalid('BN_NOT_FINITE', 'not a finite number', cell, j, row);
    }
    if (this.cellIsMissing(cell)) return Number.NaN;
    if (typeof cell === 'string') {
      const parsed = classifyNumber(cell);
      if (parsed.kind === 'number') return parsed.value;
      if (parsed.kind === 'overflow') throw this.invalid('BN_NOT_FINITE', 'number out of float64 range', cell, j, row);
    }
    throw this.invalid('BN_NOT_A_NUMBER', 'not a number', cell, j, row);
  }

  where(j: number, row: Row): ErrorLocation {
    return row.record !== undefined
      ? { file: this.label, record: row.record, name: this.columns[j] }
      : { file: this.label, line: row.line, column: j + 1, name: this.columns[j] };
  }

  private invalid(code: 'BN_NOT_A_NUMBER' | 'BN_NOT_FINITE', what: string, cell: Cell, j: number, row: Row): BnError {
    return new BnError(code, `${what}: ${quoteValue(cell)}`, this.where(j, row));
  }
}

function looksNumeric(cell: Cell): boolean {
  if (typeof cell === 'number') return true;
  // "1e999" is written as a number: the column is a feature, and that cell is then an error.
  return typeof cell === 'string' && classifyNumber(cell).kind !== 'invalid';
}
