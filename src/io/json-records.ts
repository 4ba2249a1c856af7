/**
 * Parsed JSON records → rows, for the JSON and NDJSON readers (SPEC §2). The records of one input
 * are all objects or all arrays:
 *
 * - objects: the columns are the union of keys in first-seen order (a key first seen in record
 *   500 adds a column then); an absent key is an absent cell, and the row keeps the object's own
 *   key order so that a JSON writer can give the object back as it was;
 * - arrays: the columns are `1`, `2`, …; every array has as many values as the first (a shorter
 *   or longer one is a ragged row, as in CSV). The array itself becomes the row's cells.
 *
 * A record may nest at most MAX_DEPTH levels (the record itself is level 1). Both parsers take any
 * depth, but writing a value back (JSON.stringify, in the writers and in messages) recurses and
 * overflows the stack some thousands of levels down: a record nested 100,000 deep is refused here,
 * with its line or index, instead of failing later as an internal error.
 */
import { BnError, quoteValue, type ErrorLocation } from '../errors.js';
import { RawNumber } from './json-number.js';
import type { Cell, Row, TableShape, TableSource } from './table.js';

/** The deepest nesting of a record (Python's json and serde_json stop near 1000 and 128). */
export const MAX_DEPTH = 1000;

/** A TableSource over records that `read` turns into rows through `table`. */
export function recordSource(format: 'json' | 'ndjson', label: string, read: (table: RecordTable) => AsyncGenerator<Row[]>): TableSource {
  const table = new RecordTable(label);
  // Onto the shape itself: a spread would copy `keyed` once instead of keeping its getter.
  return Object.assign(table.shape(format), { chunks: () => read(table) });
}

export class RecordTable {
  readonly columns: string[] = [];
  private readonly index = new Map<string, number>();
  private kind: 'objects' | 'arrays' | undefined;
  private records = 0;
  /** 0, 1, … for every column: the keys of a row that has them all in column order (shared, never written). */
  private everyKey: number[] = [];
  /** Keys made columns by expectKeys that no record has had yet. */
  private readonly unseen = new Set<string>();

  constructor(private readonly label: string) {}

  /** The table's shape as a reader reports it: its columns as they grow, keyed once the first record says. */
  shape(format: 'json' | 'ndjson'): TableShape {
    const table = this;
    return {
      format,
      label: this.label,
      columns: this.columns,
      get keyed() {
        return table.keyed;
      },
      expectKeys: (keys) => this.expectKeys(keys),
    };
  }

  /**
   * A table that reads on in the middle of records that are objects with these keys (a `-j`
   * block of NDJSON): its first line is read as any later line is.
   */
  static ofObjects(label: string, columns: readonly string[]): RecordTable {
    const table = new RecordTable(label);
    table.kind = 'objects';
    for (const key of columns) table.addColumn(key);
    return table;
  }

  /**
   * Records that are objects: make these keys columns now, before a record has them (a record
   * without one has it missing, an absent key). Returns the list of those of them that no record
   * has had so far.
   */
  expectKeys(keys: readonly string[]): () => string[] {
    // Records that are arrays have their columns (1, 2, …) from the first one: no key to expect.
    if (this.kind !== 'objects') return () => [];
    for (const key of keys) {
      if (this.index.has(key)) continue;
      this.addColumn(key);
      this.unseen.add(key);
    }
    return () => keys.filter((key) => this.unseen.has(key));
  }

  private addColumn(key: string): number {
    const j = this.columns.length;
    this.index.set(key, j);
    this.columns.push(key);
    return j;
  }

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
    // A long number (RawNumber) is an object to JavaScript, a number to JSON.
    const kind = Array.isArray(value) ? 'arrays' : value !== null && typeof value === 'object' && !(value instanceof RawNumber) ? 'objects' : undefined;
    if (kind === undefined) {
      const shown = value instanceof RawNumber ? value.text : quoteValue(value);
      throw new BnError('BN_BAD_RECORD', `a record must be a JSON object or array, found ${jsonType(value)} ${shown}`, where);
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
      for (const cell of cells) checkDepth(cell, where);
      if (cells.length !== this.columns.length) {
        throw new BnError('BN_RAGGED_ROW', `expected ${values(this.columns.length)}, found ${cells.length}`, where);
      }
      return record === undefined ? { cells, line } : { cells, line, record };
    }
    return this.objectRow(value as Record<string, Cell>, line, record, where);
  }

  /**
   * The row of an object whose keys are every column, in column order, and whose values are flat
   * (the NDJSON byte scanner reads those): what toRow would give for it, without the object.
   */
  flatObjectRow(cells: Cell[], line: number): Row {
    if (this.kind !== 'objects') throw new Error('flatObjectRow: the records are not objects');
    this.records++;
    if (this.unseen.size > 0) this.unseen.clear();
    if (this.everyKey.length !== this.columns.length) this.everyKey = this.columns.map((_, j) => j);
    return { cells, line, keys: this.everyKey };
  }

  private objectRow(object: Record<string, Cell>, line: number, record: number | undefined, where: ErrorLocation): Row {
    const { index, unseen } = this;
    // Filled at the object's own keys only: a record that brings key 10,000 takes memory for its
    // keys, not for every column so far (10,000 records of one new key each took 1 GB).
    const cells: Cell[] = [];
    const keys: number[] = [];
    for (const key in object) {
      let j = index.get(key);
      if (j === undefined) j = this.addColumn(key);
      else if (unseen.size > 0) unseen.delete(key);
      const cell = object[key];
      checkDepth(cell, where);
      cells[j] = cell;
      keys.push(j);
    }
    return record === undefined ? { cells, line, keys } : { cells, line, record, keys };
  }
}

const values = (n: number) => `${n} value${n === 1 ? '' : 's'}`;

/** A cell of a record is at level 2; refuse it when it nests beyond MAX_DEPTH. Cheap for the usual number or string. */
function checkDepth(cell: unknown, where: ErrorLocation): void {
  if (typeof cell === 'object' && cell !== null && nestsTooDeep(cell, 2)) {
    throw new BnError('BN_BAD_RECORD', `the record is nested more than ${MAX_DEPTH} levels deep`, where);
  }
}

/** Whether `value`, at level `depth`, holds a value beyond MAX_DEPTH. Iterative: any depth is safe to check. */
function nestsTooDeep(value: object, depth: number): boolean {
  const stack = [{ value, depth }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (next.depth > MAX_DEPTH) return true;
    for (const key in next.value) {
      const child = (next.value as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: next.depth + 1 });
    }
  }
  return false;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'string' ? 'a string' : typeof value === 'number' || value instanceof RawNumber ? 'a number' : typeof value === 'boolean' ? 'a boolean' : typeof value;
}
