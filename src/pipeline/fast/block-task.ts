/**
 * One byte range of a CSV file, read and handled in a worker thread (or the main thread): the
 * part of the fast path that `-j` runs in parallel. A range starts at a record boundary and
 * ends at one (just after a record delimiter); its lines are counted from 1 and its errors
 * carry that local line, which the main thread shifts by the lines of the ranges before.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { BnError, type ErrorCode, type ErrorLocation } from '../../errors.js';
import { CsvScanner, type RecordDelimiter } from '../../io/fast/csv-scanner.js';
import { CsvBytesWriter } from '../../io/fast/csv-bytes-writer.js';
import { numberFormatter } from '../../io/format-number.js';
import { missingTest } from '../../io/missing.js';
import { translateError } from '../../io/fast/csv-fast-reader.js';
import { makePlan } from '../compute-stats.js';
import { fixedColumns } from '../select.js';
import { CellValues, numericMarkers } from './cell-values.js';
import { ColumnReader } from './column-reader.js';
import { isBlank, type CsvLayout } from './csv-pass.js';
import { NormalizedRecords, type AffineParams } from './fast-normalize.js';

export const QUOTE = 0x22;

/** What every task of one pass shares (workerData). */
export interface TaskSetup {
  path: string;
  delimiter: string;
  layout: CsvLayout;
  recordDelimiter: RecordDelimiter;
  features: number[];
  naValues: readonly string[];
  /** Pass 2 of normalize: the transform and --precision; absent for a stats pass. */
  normalize?: { params: AffineParams; precision?: number };
}

export interface Task {
  index: number;
  start: number;
  end: number;
}

export interface SerializedError {
  code: ErrorCode;
  message: string;
  location: ErrorLocation;
}

export interface TaskResult {
  index: number;
  /** The range holds a quote: its line breaks may be data, so its end may be no boundary. Nothing else is set. */
  quoted: boolean;
  /** Line breaks in the range. */
  lines: number;
  rows: number;
  /** Stats: values by column index (null: not a feature), `rows` long. */
  columns?: (Float64Array | null)[];
  /** Normalize: the output bytes. */
  output?: Uint8Array;
  error?: SerializedError;
}

/** Reads bytes [start, end) of the file. */
export function readRange(fd: number, start: number, end: number): Buffer {
  const buf = Buffer.allocUnsafe(end - start);
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, buf.length - done, start + done);
    if (n === 0) break;
    done += n;
  }
  return done === buf.length ? buf : buf.subarray(0, done);
}

export class TaskRunner {
  private readonly fd: number;

  constructor(private readonly setup: TaskSetup) {
    this.fd = openSync(setup.path, 'r');
  }

  close(): void {
    closeSync(this.fd);
  }

  run(task: Task): TaskResult {
    const bytes = readRange(this.fd, task.start, task.end);
    if (bytes.includes(QUOTE)) return { index: task.index, quoted: true, lines: 0, rows: 0 };
    const { setup } = this;
    const { layout } = setup;
    const plan = makePlan(layout, { isMissing: missingTest(setup.naValues), select: undefined }, fixedColumns(setup.features));
    const values = new CellValues(plan, numericMarkers(setup.naValues));
    let rows = 0;
    let handle: (record: Parameters<ColumnReader['record']>[0]) => void;
    let finish: () => Partial<TaskResult>;
    if (setup.normalize) {
      const out = new CsvBytesWriter(setup.delimiter.charCodeAt(0), bytes.length * 2 + 1024);
      const records = new NormalizedRecords(layout.width, layout.label, setup.features, setup.normalize.params, values, numberFormatter(setup.normalize.precision), out);
      handle = (record) => records.record(record);
      // A copy with an ArrayBuffer of its own, to transfer (a small Buffer may share Node's pool).
      finish = () => ({ output: new Uint8Array(out.bytes()) });
    } else {
      const columns: (Float64Array | null)[] = [];
      // One block for the whole range: the reader's arrays are the result.
      const capacity = Math.max(1, countLines(bytes));
      const reader = new ColumnReader(layout.width, layout.label, plan, values, (block) => {
        block.columns.forEach((c, j) => (columns[j] = c === undefined ? null : c.slice(0, block.rows)));
      }, capacity);
      handle = (record) => reader.record(record);
      finish = () => {
        reader.flush();
        return { columns };
      };
    }
    const scanner = new CsvScanner({ delimiter: setup.delimiter, recordDelimiter: setup.recordDelimiter, bom: false }, (record) => {
      if (isBlank(record)) return;
      rows++;
      handle(record);
    });
    try {
      scanner.push(bytes);
      scanner.end();
      return { index: task.index, quoted: false, lines: scanner.nextLine - 1, rows, ...finish() };
    } catch (err) {
      const error = translateError(err, layout.label);
      if (!(error instanceof BnError)) throw error;
      return { index: task.index, quoted: false, lines: 0, rows, error: { code: error.code, message: error.message, location: error.location } };
    }
  }
}

/** LF bytes: an upper bound of the records in a range without quotes (plus one for a last line without one). */
function countLines(bytes: Buffer): number {
  let n = 1;
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) n++;
  return n;
}
