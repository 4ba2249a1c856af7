/**
 * What the writers of typed formats (Parquet, Arrow) share: each output column's type, and rows
 * gathered into columns of values of that type. SPEC §4: features are float64 (a missing cell is
 * null); a pass-through column keeps the type it had in a typed input (an integer stays an
 * integer, a decimal the same decimal, digit for digit); from a text input (CSV, JSON) it is a
 * string column, as the text it was (a JSON number or boolean as its JSON text).
 */
import { unscaledDecimal, type ColumnType } from './column-types.js';
import { cellText } from './format-number.js';
import { temporalValue } from './temporal-text.js';
import type { Cell, Row } from './table.js';
import type { BatchColumns, ColumnGatherer, TableLayout } from './table-sink.js';

const FLOAT64: ColumnType = { kind: 'float', bits: 64 };
const STRING: ColumnType = { kind: 'string' };

/** The type each output column is written as. */
function outputTypes(layout: TableLayout): ColumnType[] {
  const features = new Set(layout.features);
  return layout.columns.map((_, j) => {
    if (features.has(j)) return FLOAT64;
    const type = layout.types?.[j];
    // A date, time or timestamp keeps its type (an interval, which Arrow has no like of, and a
    // duration, which Parquet has not, are text); one of seconds goes as milliseconds (exactly),
    // which Parquet has and Arrow too.
    const t = type?.kind === 'other' ? type.temporal : undefined;
    if (t && t.of !== 'interval' && t.of !== 'duration') return { ...type!, temporal: t.unit === 'SECOND' ? { ...t, unit: 'MILLIS' } : t } as ColumnType;
    return type === undefined || type.kind === 'other' ? STRING : type;
  });
}

/**
 * Values of one output column, ready for a writer: numbers, bigints (64-bit integers, decimals'
 * unscaled integers), strings, booleans, nulls; a feature's doubles with no null among them as
 * a Float64Array (a third of the memory of boxed numbers, and both writers take it as it is).
 */
export type ColumnValues = (number | bigint | string | boolean | null)[] | Float64Array;

/** A cell as a value of the column's output type; `round` applies --precision to a feature's number. */
function typedValue(cell: Cell, type: ColumnType, round: (x: number) => number): number | bigint | string | boolean | null {
  if (cell === null || cell === undefined) return null;
  switch (type.kind) {
    case 'float':
      // A feature's missing cell as read: "", "NA" or null is null; a NaN double stays NaN (SPEC §2:
      // missing values are written back unchanged, as CSV writes it back as NaN).
      return typeof cell === 'number' ? (cell === cell ? round(cell) : cell) : null;
    case 'int':
      if (type.bits === 64) return typeof cell === 'number' || typeof cell === 'string' ? BigInt(cell) : null;
      return typeof cell === 'number' ? cell : typeof cell === 'string' ? Number(cell) : null;
    case 'decimal':
      return typeof cell === 'number' || typeof cell === 'string' ? unscaledDecimal(cell, type.scale) : null;
    case 'bool':
      return typeof cell === 'boolean' ? cell : null;
    case 'other':
      // A date, time or timestamp: the integer its text (the reader's, ./temporal-text.ts) says.
      if (type.temporal) return typeof cell === 'string' ? (temporalValue(type.temporal, cell) ?? null) : null;
      return cellText(cell, false, String);
    default:
      return cellText(cell, false, String);
  }
}

/**
 * Rows gathered into typed columns, groups of `limit` rows (a Parquet row group, an Arrow record
 * batch), whatever the batches or rows they come in: memory is bounded by that, not by the
 * output, and the groups are the same whichever reader read the rows. A group gathered in full
 * is set aside for `takeReady`; the rows after the last one are taken by `take`.
 *
 * A feature column's doubles go into a Float64Array with a mask of its nulls, not into an array
 * of boxed numbers.
 */
export class TypedColumns {
  readonly types: ColumnType[];
  /** Rows in the group being gathered. */
  private count = 0;
  /** Each column of the group: a feature's in `floats` (here undefined), any other's values. */
  private columns: (unknown[] | undefined)[] = [];
  private floats: (Float64Array | undefined)[] = [];
  /** Per feature column: 1 where its value is null, and how many are. */
  private nulls: (Uint8Array | undefined)[] = [];
  private nullCounts: Int32Array;
  /** At each column: its values are a feature's (doubles, from a batch's values). */
  private readonly isFeature: boolean[];
  private ready: ColumnValues[][] = [];
  /** Whole Float64Arrays of groups written (reuse), for the next groups. */
  private spare: Float64Array[] = [];
  constructor(
    readonly layout: TableLayout,
    /** --precision on a feature's number (numberRounder). */
    private readonly round: (x: number) => number,
    readonly limit = 65536,
  ) {
    this.types = outputTypes(layout);
    this.nullCounts = new Int32Array(this.types.length);
    const features = new Set(layout.features);
    this.isFeature = this.types.map((_, j) => features.has(j));
    this.startGroup();
  }

  get rows(): number {
    return this.count;
  }

  add(rows: readonly Row[]): void {
    const { types, round } = this;
    for (const { cells } of rows) {
      const i = this.count;
      for (let j = 0; j < types.length; j++) {
        const value = typedValue(cells[j], types[j]!, round);
        if (this.isFeature[j]) this.putFloat(j, i, value as number | null);
        else this.columns[j]!.push(value);
      }
      this.count = i + 1;
      if (this.count === this.limit) this.setAside();
    }
  }

  /**
   * Rows [0, count) of a batch, the values `add` takes from its rows: a feature's value where
   * it has one, else the cell as read (a missing one is null, a NaN double NaN).
   */
  addBatch(batch: BatchColumns, count: number): void {
    for (let from = 0; from < count; ) {
      const n = Math.min(count - from, this.limit - this.count);
      this.addRange(batch, from, n);
      from += n;
      if (this.count === this.limit) this.setAside();
    }
  }

  /** Rows [from, from + n) of a batch, within the group. */
  private addRange(batch: BatchColumns, from: number, n: number): void {
    const { types, round, count } = this;
    const { values, value } = batch;
    for (let j = 0; j < types.length; j++) {
      const type = types[j]!;
      const ys = this.isFeature[j] ? values[j] : undefined;
      if (ys === undefined) {
        const column = this.columns[j]!;
        for (let i = from; i < from + n; i++) column.push(typedValue(value(i, j), type, round));
        continue;
      }
      const floats = this.floats[j]!;
      for (let i = from, k = count; i < from + n; i++, k++) {
        const y = ys[i]!;
        if (y === y) floats[k] = round(y);
        else this.putFloat(j, k, typedValue(value(i, j), type, round) as number | null);
      }
    }
    this.count = count + n;
  }

  private putFloat(j: number, k: number, value: number | null): void {
    if (value !== null) {
      this.floats[j]![k] = value;
      return;
    }
    this.floats[j]![k] = 0;
    this.nulls[j]![k] = 1;
    this.nullCounts[j]!++;
  }

  /** Groups gathered in full, oldest first, handed on. */
  takeReady(): ColumnValues[][] {
    const taken = this.ready;
    this.ready = [];
    return taken;
  }

  /** Groups gathered in full, waiting for takeReady. */
  get readyGroups(): number {
    return this.ready.length;
  }

  /** The rows gathered since the last full group, handed on; the next rows start a new one. */
  take(): ColumnValues[] {
    const { count } = this;
    const taken = this.types.map((_, j): ColumnValues => {
      const floats = this.floats[j];
      if (floats === undefined) return this.columns[j] as ColumnValues;
      if (this.nullCounts[j] === 0 && count === floats.length) {
        // Handed on whole: the next group takes another (a spare one, or new).
        this.floats[j] = undefined;
        return floats;
      }
      const doubles = floats.slice(0, count);
      if (this.nullCounts[j] === 0) return doubles;
      // A null, which a Float64Array cannot hold: boxed numbers, as the writers take nulls.
      const nulls = this.nulls[j]!;
      return Array.from(doubles, (x, k) => (nulls[k] === 1 ? null : x));
    });
    this.startGroup();
    return taken;
  }

  /**
   * A group taken before, written and let go of by its writer (which must not read it again):
   * its whole Float64Arrays go to the groups after it. A new one a group would be garbage that
   * only a full collection frees (peak RSS of the bench's CSV to Parquet: 125 MB, against 135).
   */
  reuse(group: ColumnValues[]): void {
    for (const values of group) if (values instanceof Float64Array && values.length === this.limit && this.spare.length < this.types.length) this.spare.push(values);
  }

  private setAside(): void {
    this.ready.push(this.take());
  }

  /** New columns; a feature's Float64Array and null mask are kept unless handed on (take), a mask cleared where it was set. */
  private startGroup(): void {
    this.count = 0;
    this.columns = this.types.map((_, j) => (this.isFeature[j] ? undefined : []));
    this.types.forEach((_, j) => {
      if (!this.isFeature[j]) return;
      this.floats[j] ??= this.spare.pop() ?? new Float64Array(this.limit);
      if (this.nulls[j] === undefined) this.nulls[j] = new Uint8Array(this.limit);
      else if (this.nullCounts[j]! > 0) this.nulls[j]!.fill(0);
    });
    this.nullCounts.fill(0);
  }
}

/**
 * A typed sink's ColumnGatherer: batches gathered into its columns (made by its `start`), each
 * group gathered in full written by `writeGroup`.
 */
export function gathererOf(columns: () => TypedColumns | undefined, writeGroup: (data: ColumnValues[]) => Promise<void> | void): ColumnGatherer {
  return {
    gather(batch, count) {
      columns()!.addBatch(batch, count);
    },
    get ready() {
      return (columns()?.readyGroups ?? 0) > 0;
    },
    async writeReady() {
      for (const data of columns()?.takeReady() ?? []) await writeGroup(data);
    },
  };
}
