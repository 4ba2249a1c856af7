/**
 * What the writers of typed formats (Parquet, Arrow) share: each output column's type, and rows
 * gathered into columns of values of that type. SPEC §4: features are float64 (a missing cell is
 * null); a pass-through column keeps the type it had in a typed input (an integer stays an
 * integer, a decimal the same decimal, digit for digit); from a text input (CSV, JSON) it is a
 * string column, as the text it was (a JSON number or boolean as its JSON text).
 */
import { unscaledDecimal, type ColumnType } from './column-types.js';
import { numberAsRead } from './format-number.js';
import type { Cell, Row } from './table.js';
import type { TableLayout } from './table-sink.js';

const FLOAT64: ColumnType = { kind: 'float', bits: 64 };
const STRING: ColumnType = { kind: 'string' };

/** The type each output column is written as. */
function outputTypes(layout: TableLayout): ColumnType[] {
  const features = new Set(layout.features);
  return layout.columns.map((_, j) => {
    if (features.has(j)) return FLOAT64;
    const type = layout.types?.[j];
    return type === undefined || type.kind === 'other' ? STRING : type;
  });
}

/** Values of one output column, ready for a writer: numbers, bigints (64-bit integers, decimals' unscaled integers), strings, booleans, nulls. */
export type ColumnValues = (number | bigint | string | boolean | null)[];

/** A cell as a value of the column's output type; `round` applies --precision to a feature's number. */
function typedValue(cell: Cell, type: ColumnType, round: (x: number) => number): number | bigint | string | boolean | null {
  if (cell === null || cell === undefined) return null;
  switch (type.kind) {
    case 'float':
      // A feature's missing cell (as read: "", "NA", null) is null.
      return typeof cell === 'number' ? (cell === cell ? round(cell) : null) : null;
    case 'int':
      if (type.bits === 64) return typeof cell === 'number' || typeof cell === 'string' ? BigInt(cell) : null;
      return typeof cell === 'number' ? cell : typeof cell === 'string' ? Number(cell) : null;
    case 'decimal':
      return typeof cell === 'number' || typeof cell === 'string' ? unscaledDecimal(cell, type.scale) : null;
    case 'bool':
      return typeof cell === 'boolean' ? cell : null;
    default:
      return cellText(cell);
  }
}

/** A cell as the text of a string column. */
function cellText(cell: Cell): string {
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number') return numberAsRead(cell);
  return typeof cell === 'boolean' ? String(cell) : JSON.stringify(cell);
}

/**
 * Rows gathered into typed columns, `limit` rows at a time (a Parquet row group, an Arrow record
 * batch): memory is bounded by that, not by the output.
 */
export class TypedColumns {
  readonly types: ColumnType[];
  private columns: ColumnValues[];
  constructor(
    readonly layout: TableLayout,
    /** --precision on a feature's number (numberRounder). */
    private readonly round: (x: number) => number,
    readonly limit = 65536,
  ) {
    this.types = outputTypes(layout);
    this.columns = this.types.map(() => []);
  }

  get rows(): number {
    return this.columns[0]?.length ?? 0;
  }

  get full(): boolean {
    return this.rows >= this.limit;
  }

  add(rows: readonly Row[]): void {
    const { types, columns, round } = this;
    for (const { cells } of rows) for (let j = 0; j < types.length; j++) columns[j]!.push(typedValue(cells[j], types[j]!, round));
  }

  /** The columns gathered so far, handed on; the next rows start new ones. */
  take(): ColumnValues[] {
    const taken = this.columns;
    this.columns = this.types.map(() => []);
    return taken;
  }
}
