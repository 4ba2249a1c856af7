/**
 * Rows to JSON (one array, written as it streams: `[`, the records, `]`) or NDJSON (one record a
 * line). A record is an object when the input's records are keyed (JSON objects: the same keys
 * in the same order, absent keys left out; CSV with a header: every column), an array otherwise.
 *
 * Values: normalized numbers in the shortest form that reads back to the same float64 (or with
 * --precision); every other JSON value exactly as read (strings, booleans, null, nested objects).
 * Text from CSV/TSV becomes a JSON string, except a missing feature cell, which becomes null, and
 * a pass-through cell that reads as a number (SPEC §4, as Miller writes `"id":1`), which becomes
 * a JSON number: its own digits when they are already JSON's syntax (`1.50`, a 20-digit id), its
 * shortest form otherwise (`+2`, `.5`). A number with a leading zero (`007`, a postcode) stays
 * text: the zeros are what it says. A missing marker in a pass-through column ("", "NA") is text
 * like any other, written back as it was (SPEC §4). From a typed input (Parquet, Arrow), a decimal
 * or a 64-bit integer beyond 2^53 comes as its exact digits: written as a JSON number, digit for digit.
 */
import type { Cell, Row } from './table.js';
import type { OutputWriter } from './output-writer.js';
import { isNumericType } from './column-types.js';
import { featureMask } from './csv-writer.js';
import { numberAsRead } from './format-number.js';
import { jsonText } from './json-number.js';
import { parseDecimal } from './numbers.js';
import type { TableLayout, TableSink } from './table-sink.js';

export interface JsonSinkOptions {
  /** NDJSON: one record a line; otherwise one JSON array. */
  lines: boolean;
  formatNumber: (x: number) => string;
}

/** JSON's own number syntax: text that may be written as it is. */
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
/** Zeros before a digit: an identifier, not a quantity. */
const LEADING_ZERO = /^[ \t]*[+-]?0\d/;

/** A CSV/TSV cell as a JSON value: a number when it reads as a finite one, a string otherwise. */
export function textAsJson(text: string): string {
  const x = parseDecimal(text);
  if (!Number.isFinite(x) || LEADING_ZERO.test(text)) return JSON.stringify(text);
  return JSON_NUMBER.test(text) ? text : numberAsRead(x);
}

export function jsonSink(out: OutputWriter, options: JsonSinkOptions): TableSink {
  const { formatNumber, lines } = options;
  let columns: readonly string[] = [];
  let isFeature: Uint8Array = new Uint8Array(0);
  let fromText = false;
  /** Columns of a typed input whose cells may be exact digits (decimals, 64-bit integers). */
  let exactDigits: Uint8Array = new Uint8Array(0);
  let keyed = false;
  let first = true;
  /** `"name":` per column, made when first needed (JSON keys may appear after the start). */
  const keyText: string[] = [];
  const key = (j: number) => (keyText[j] ??= `${JSON.stringify(columns[j])}:`);

  const value = (cell: Cell, j: number): string => {
    // A NaN (a typed input's missing double) is missing, null: JSON has no NaN.
    if (typeof cell === 'number') return cell !== cell ? 'null' : isFeature[j] === 1 ? formatNumber(cell) : numberAsRead(cell);
    if (fromText && isFeature[j] === 1) return 'null'; // a missing feature cell ("", "NA", …)
    if (fromText && typeof cell === 'string') return textAsJson(cell);
    if (typeof cell === 'string' && exactDigits[j] === 1 && JSON_NUMBER.test(cell)) return cell;
    // A JSON value as read: a long number's own digits (a RawNumber), at any depth.
    return cell === undefined ? 'null' : jsonText(cell);
  };
  const record = (row: Row): string => {
    const { cells, keys } = row;
    let text = '';
    if (keys !== undefined) {
      for (const j of keys) text += `${text ? ',' : ''}${key(j)}${value(cells[j], j)}`;
      return `{${text}}`;
    }
    if (keyed) {
      for (let j = 0; j < columns.length; j++) text += `${j ? ',' : ''}${key(j)}${value(cells[j], j)}`;
      return `{${text}}`;
    }
    for (let j = 0; j < cells.length; j++) text += `${j ? ',' : ''}${value(cells[j], j)}`;
    return `[${text}]`;
  };

  return {
    async start(layout: TableLayout) {
      columns = layout.columns;
      isFeature = featureMask(layout);
      fromText = layout.from === 'csv' || layout.from === 'tsv';
      exactDigits = Uint8Array.from(layout.columns, (_, j) => (isNumericType(layout.types?.[j]) ? 1 : 0));
      keyed = layout.keyed;
      if (!lines) await out.write('[');
    },
    async rows(rows) {
      let text = '';
      for (const row of rows) {
        if (lines) text += `${record(row)}\n`;
        else {
          text += `${first ? '\n' : ',\n'}${record(row)}`;
          first = false;
        }
      }
      if (text) await out.write(text);
    },
    async end() {
      if (!lines) await out.write('\n]\n');
      await out.flush();
    },
  };
}
