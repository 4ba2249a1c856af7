/**
 * Scanned CSV records → columns of feature values (STYLE.md's data path): one Float64Array per
 * feature column, NaN where a cell is missing, filled a block of rows at a time and handed to
 * `onBlock` (which must use it before returning: the arrays are reused). Only the cells of
 * undecided columns (no value seen yet) are decoded as text; feature cells are parsed from the
 * bytes; other columns are not looked at. Each record's fields are checked in column order, as
 * the general path checks them, so the first bad cell of the input is the one reported.
 */
import type { CsvRecord } from '../../io/fast/csv-scanner.js';
import { raggedRow } from '../../io/csv-rows.js';
import type { FeaturePlan } from '../feature-plan.js';
import type { CellValues } from './cell-values.js';

/** Rows a block holds: a few hundred KB of values for ten features. */
export const BLOCK_ROWS = 4096;

export interface ColumnBlock {
  /** Rows in this block. */
  rows: number;
  /** Values by column index (undefined: not a feature); the first `rows` entries are valid. */
  columns: (Float64Array | undefined)[];
}

export class ColumnReader {
  private readonly block: ColumnBlock;
  private features: number[];
  private undecided: number[];

  constructor(
    private readonly width: number,
    private readonly label: string,
    private readonly plan: FeaturePlan,
    private readonly values: CellValues,
    private readonly onBlock: (block: ColumnBlock) => void,
    private readonly capacity = BLOCK_ROWS,
  ) {
    this.block = { rows: 0, columns: new Array<Float64Array | undefined>(width).fill(undefined) };
    this.features = [];
    this.undecided = plan.undecided();
    this.refreshFeatures();
  }

  /** A data record (not the header, not blank). */
  record(record: CsvRecord): void {
    if (record.values !== null) {
      this.recordParsed(record.values);
      return;
    }
    if (record.length !== this.width) throw raggedRow(this.width, record.length, this.label, record.line);
    if (this.undecided.length > 0) this.decide(record);
    const { block, features, values } = this;
    const i = block.rows;
    const columns = block.columns;
    for (let f = 0; f < features.length; f++) {
      const j = features[f]!;
      columns[j]![i] = values.value(record, j);
    }
    block.rows = i + 1;
    if (block.rows === this.capacity) this.flush();
  }

  /**
   * The feature columns, once every column is decided and when NumericLines may parse them (no
   * missing marker is a number); undefined otherwise.
   */
  fixedFeatures(): readonly number[] | undefined {
    return this.undecided.length === 0 && !this.values.hasNumericMarkers ? this.features : undefined;
  }

  /** A data record of `width` fields whose feature values were parsed already: values[j] for column j. */
  private recordParsed(values: Float64Array): void {
    if (this.undecided.length > 0) throw new Error('ColumnReader: parsed values before every column is decided');
    const { block, features } = this;
    const i = block.rows;
    const columns = block.columns;
    for (let f = 0; f < features.length; f++) {
      const j = features[f]!;
      columns[j]![i] = values[j]!;
    }
    block.rows = i + 1;
    if (block.rows === this.capacity) this.flush();
  }

  /** Hands on the rows held, if any. */
  flush(): void {
    if (this.block.rows === 0) return;
    this.onBlock(this.block);
    this.block.rows = 0;
  }

  /** Drops the rows held (a task that failed half-way: its rows are not wanted). */
  discard(): void {
    this.block.rows = 0;
  }

  /** Columns whose first non-missing value is in this record become features (or not). */
  private decide(record: CsvRecord): void {
    let changed = false;
    for (const j of this.undecided) if (this.plan.observeCell(j, record.text(j))) changed = true;
    if (!changed) return;
    this.undecided = this.plan.undecided();
    this.refreshFeatures();
  }

  private refreshFeatures(): void {
    this.features = this.plan.featureIndices();
    for (const j of this.features) {
      // Rows of this block before the column became a feature had no value in it: NaN.
      this.block.columns[j] ??= new Float64Array(this.capacity).fill(Number.NaN);
    }
  }
}
