/**
 * Parsed JSON records → rows, for the JSON and NDJSON readers (SPEC §2). The records of one input
 * are all objects or all arrays:
 *
 * - objects: the columns are the union of keys in first-seen order (a key first seen in record
 *   500 adds a column then); an absent key is an absent cell, and the row keeps the object's own
 *   key order so that a JSON writer can give the object back as it was;
 * - arrays: the columns are `1`, `2`, …; every array has as many values as the first (a shorter
 *   or longer one is a ragged row, as in CSV). The array itself becomes the row's cells.
 */
import { BnError, quoteValue, type ErrorLocation } from '../errors.js';
import type { Cell, Row, TableSource } from './table.js';

/** A TableSource over records that `read` turns into rows through `table`. */
export function recordSource(format: 'json' | 'ndjson', label: string, read: (table: RecordTable) => AsyncGenerator<Row[]>): TableSource {
  const table = new RecordTable(label);
  return {
    format,
    label,
    columns: table.columns,
    get keyed() {
      return table.keyed;
    },
    chunks: () => read(table),
  };
}

export class RecordTable {
  readonly columns: string[] = [];
  private readonly index = new Map<string, number>();
  private kind: 'objects' | 'arrays' | undefined;
  private records = 0;

  constructor(private readonly label: string) {}

  /** Records are objects (known after the first one). */
  get keyed(): boolean {
    return this.kind === 'objects';
  }

  /** How many records have been turned into rows. */
  get count(): number {
    return this.records;
  }

  /**
   * @param line the NDJSON line, or 0 inside a JSON array
   * @param record the index in a JSON array, or undefined for NDJSON
   */
  toRow(value: unknown, line: number, record: number | undefined): Row {
    const where: ErrorLocation = record === undefined ? { file: this.label, line } : { file: this.label, record };
    const kind = Array.isArray(value) ? 'arrays' : value !== null && typeof value === 'object' ? 'objects' : undefined;
    if (kind === undefined) {
      throw new BnError('BN_BAD_RECORD', `a record must be a JSON object or array, found ${jsonType(value)} ${quoteValue(value)}`, where);
    }
    if (this.kind === undefined) {
      this.kind = kind;
      if (kind === 'arrays') for (let i = 1; i <= (value as unknown[]).length; i++) this.columns.push(String(i));
    } else if (kind !== this.kind) {
      throw new BnError('BN_BAD_RECORD', `found ${kind === 'arrays' ? 'an array' : 'an object'} after records that are ${this.kind}`, where);
    }
    this.records++;
    if (kind === 'arrays') {
      const cells = value as Cell[];
      if (cells.length !== this.columns.length) {
        throw new BnError('BN_RAGGED_ROW', `expected ${values(this.columns.length)}, found ${cells.length}`, where);
      }
      return record === undefined ? { cells, line } : { cells, line, record };
    }
    return this.objectRow(value as Record<string, Cell>, line, record);
  }

  private objectRow(object: Record<string, Cell>, line: number, record: number | undefined): Row {
    const { columns, index } = this;
    const cells: Cell[] = new Array(columns.length);
    const keys: number[] = [];
    for (const key in object) {
      let j = index.get(key);
      if (j === undefined) {
        j = columns.length;
        columns.push(key);
        index.set(key, j);
      }
      cells[j] = object[key];
      keys.push(j);
    }
    return record === undefined ? { cells, line, keys } : { cells, line, record, keys };
  }
}

const values = (n: number) => `${n} value${n === 1 ? '' : 's'}`;

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'string' ? 'a string' : typeof value === 'number' ? 'a number' : typeof value === 'boolean' ? 'a boolean' : typeof value;
}
