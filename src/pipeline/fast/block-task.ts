/**
 * One byte range of a CSV file, read and handled in a worker thread (or the main thread): the
 * part of a pass over a file that `-j` runs in parallel. A range is cut just after an LF and read
 * as if it started at a record boundary; its lines are counted from 1 and its errors carry that
 * local line, which the main thread shifts by the lines of the ranges before.
 *
 * The cut is a guess: an LF inside a quoted field is data, not the end of a record. The guess is
 * checked by the range before: read from a true boundary, it is read exactly as a single thread
 * reads it, so it knows whether it ends inside a record (`openFrom`). The main thread takes the
 * results in order and trusts a range only when the one before ended at a boundary (./parallel.ts).
 *
 * What a task is, what it gives back, how its bytes are read and checked and what it makes of its
 * batches (RangeOutput) are the same for an NDJSON range (./ndjson-task.ts), whose runner is
 * this module's TaskRunner's sibling.
 */
import { closeSync, openSync } from 'node:fs';
import { BnError, fileCut, type ErrorCode, type ErrorLocation } from '../../errors.js';
import { CsvScanner, type RecordDelimiter } from '../../io/fast/csv-scanner.js';
import { NumericBlock } from '../../io/fast/numeric-block.js';
import { NumericLines } from '../../io/fast/numeric-lines.js';
import { CsvBytesWriter } from '../../io/fast/csv-bytes-writer.js';
import { Utf8Checker } from '../../io/utf8.js';
import { missingTest } from '../../io/missing.js';
import { numberFormatter } from '../../io/format-number.js';
import { translateError } from '../../io/fast/scan-error.js';
import { Moments, type MomentsText } from '../../engine/moments.js';
import type { RowBatch, WorkerStep } from '../batch.js';
import { makePlan } from '../feature-plan.js';
import { fixedColumns } from '../select.js';
import { beyondRangeError, transformBatch } from '../transform-batch.js';
import { CellValues, numericMarkers } from './cell-values.js';
import { BATCH_ROWS } from '../feature-columns.js';
import { CsvBatcher } from './csv-batcher.js';
import { isBlank, type CsvLayout } from './csv-layout.js';
import { featurePositions, writeCsvRecords } from './write-csv-records.js';
import { readRange } from './file-ranges.js';

/** What every task of one pass shares (workerData): a CSV/TSV pass's or an NDJSON pass's. */
export type TaskSetup = CsvTaskSetup | NdjsonTaskSetup;

interface BlockSetup {
  /** The file, or undefined for standard input (whose blocks come with their bytes). */
  path: string | undefined;
  /** The file's size when the pass opened it: a shorter read means it was cut meanwhile. */
  size: number;
  naValues: readonly string[];
  /** What to do with each range's batches (../batch.ts). */
  step: WorkerStep;
}

export interface CsvTaskSetup extends BlockSetup {
  kind: 'csv';
  delimiter: string;
  /** Text after a closing quote is text (--lazy-quotes), as the main thread's scanner reads it. */
  lazyQuotes?: boolean;
  layout: CsvLayout;
  recordDelimiter: RecordDelimiter;
}

/** NDJSON of objects (./ndjson-task.ts): the columns so far, every one decided. */
export interface NdjsonTaskSetup extends BlockSetup {
  kind: 'ndjson';
  label: string;
  columns: readonly string[];
}

/** What runs a pass's tasks, in a worker or in the main thread: one a format. */
export interface BlockRunner {
  run(task: Task): TaskResult;
  close(): void;
}

export interface Task {
  index: number;
  /** Offsets in the input (for the messages of errors). */
  start: number;
  end: number;
  /** Nothing follows: the block ends where the input does (perhaps without a line break). */
  final?: boolean;
  /** The block's bytes, when the input is no file to read them from (standard input). */
  bytes?: Uint8Array;
}

export interface SerializedError {
  code: ErrorCode;
  message: string;
  location: ErrorLocation;
}

export interface TaskResult {
  index: number;
  /**
   * Set when the range ends inside a record (its last LF was in a quoted field): the file
   * offset where that record starts. The result holds the records before it; the next range's
   * start was no record boundary.
   */
  openFrom?: number;
  /** The main thread reads this range itself (no record boundary in sight). Nothing else is set. */
  local?: true;
  /** Line breaks in the range (with openFrom: before the unfinished record). */
  lines: number;
  rows: number;
  /** Stats: the values of feature f (setup.features[f]) at [f·stride, f·stride + rows). */
  values?: Float64Array;
  stride?: number;
  /** Stats of one batch: the range's exact Moments, of setup.step.features in order. */
  moments?: MomentsText;
  /** Normalize: the output bytes (with an error: those of the rows before it). */
  output?: Uint8Array;
  /** The task's own bytes, given back (for the main thread to read alone from, or to fill again). */
  input?: Uint8Array;
  error?: SerializedError;
}

/**
 * A task's bytes, read from the file into one buffer used again for every task (or the bytes that
 * came with it), checked as the main thread checks its own reads: a file cut meanwhile, UTF-8.
 */
class BlockBytes {
  private readonly fd: number | undefined;
  private readBuffer = Buffer.allocUnsafe(0);

  constructor(
    path: string | undefined,
    private readonly fileSize: number,
    private readonly label: string,
  ) {
    this.fd = path === undefined ? undefined : openSync(path, 'r');
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
  }

  /**
   * The bytes of `task` that can be read: all of them, or those before where the file was cut
   * or before a byte that is not UTF-8, with that `fault` (a BnError) to throw once they are read,
   * as the main thread reads up to such a fault (so that an earlier bad record is the error).
   */
  of(task: Task): { bytes: Buffer; fault?: BnError } {
    const size = task.end - task.start;
    let bytes: Buffer;
    if (task.bytes) {
      bytes = Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength);
    } else {
      if (this.readBuffer.length < size) this.readBuffer = Buffer.allocUnsafe(size);
      bytes = readRange(this.fd!, task.start, task.end, this.readBuffer);
    }
    const utf8 = new Utf8Checker(this.label, task.start);
    const { bytes: valid, error } = utf8.valid(bytes);
    // The first of: a byte that is not UTF-8, the file's end (cut), a character cut by the range's end.
    const fault = error ?? (bytes.length < size ? fileCut(this.label, task.start + bytes.length, this.fileSize) : utf8.unfinished());
    return fault ? { bytes: valid, fault } : { bytes: valid };
  }
}

/** What the runners of both formats share: a task's bytes read and checked, and given back with its result. */
export abstract class RangeRunner implements BlockRunner {
  private readonly input: BlockBytes;

  protected constructor(path: string | undefined, size: number, label: string) {
    this.input = new BlockBytes(path, size, label);
  }

  close(): void {
    this.input.close();
  }

  run(task: Task): TaskResult {
    let input: ReturnType<BlockBytes['of']>;
    try {
      input = this.input.of(task);
    } catch (err) {
      return this.withInput(task, { index: task.index, lines: 0, rows: 0, error: serialized(err) });
    }
    return this.withInput(task, this.read(task, input.bytes, input.fault));
  }

  /** The result of the task's checked bytes, and of `fault` after them (the file cut there, or a byte that is not UTF-8). */
  protected abstract read(task: Task, bytes: Buffer, fault: BnError | undefined): TaskResult;

  private withInput(task: Task, result: TaskResult): TaskResult {
    return task.bytes ? { ...result, input: task.bytes } : result;
  }
}

/**
 * Runs the tasks of one worker. What can be is made once and reused across tasks (the read
 * buffer, the plan, the batcher, the output buffer): a worker holds one block's worth of
 * memory, and only each result's own array is new (it is transferred to the main thread).
 */
export class TaskRunner extends RangeRunner {
  private readonly output: RangeOutput;
  private readonly batcher: CsvBatcher;
  /** Common numeric lines, read and parsed at once (null: the scanner reads every line). */
  private readonly lines: NumericLines | null;
  /** Runs of those lines, read many at a time (null: none). */
  private readonly block: NumericBlock | null;

  /**
   * @param allocate memory for a result of `bytes` bytes: a buffer the main thread sent back
   *   (results are transferred, and a buffer made here and freed there would leave memory behind)
   */
  constructor(
    private readonly setup: CsvTaskSetup,
    allocate: (bytes: number) => ArrayBuffer = (bytes) => new ArrayBuffer(bytes),
  ) {
    super(setup.path, setup.size, setup.layout.label);
    const { layout, step } = setup;
    const plan = makePlan(layout, { isMissing: missingTest(setup.naValues) }, fixedColumns(step.features));
    const values = new CellValues(plan, numericMarkers(setup.naValues));
    const output = (this.output = rangeOutput(setup, allocate));
    this.batcher = new CsvBatcher({ width: layout.width, label: layout.label, plan, values, capacity: BATCH_ROWS, fixedSize: false, records: output.records, onBatch: (batch) => output.batch(batch) });
    const fixed = this.batcher.fixedFeatures();
    this.lines = fixed === undefined ? null : NumericLines.for(layout.width, setup.delimiter, fixed);
    this.block = fixed === undefined || !this.batcher.takesLines ? null : NumericBlock.for(layout.width, setup.delimiter, fixed, this.batcher.keepsRecords);
  }

  protected read(task: Task, bytes: Buffer, fault: BnError | undefined): TaskResult {
    const label = this.setup.layout.label;
    this.batcher.discard(); // what a failed task left
    this.output.begin(bytes);
    let rows = 0;
    const batcher = this.batcher;
    const scanner = new CsvScanner({ delimiter: this.setup.delimiter, recordDelimiter: this.setup.recordDelimiter, bom: false, lazyQuotes: this.setup.lazyQuotes }, (record) => {
      if (isBlank(record)) return;
      rows++;
      batcher.record(record);
    });
    if (this.lines !== null) scanner.useNumericLines(this.lines);
    if (this.block !== null) {
      scanner.useNumericBlock(this.block, (block) => {
        rows += block.rows;
        batcher.lines(block);
      });
    }
    try {
      scanner.push(bytes);
      // Borrowed records go before the scanner's last record, which it may hold in a buffer of its own.
      batcher.endOfChunk();
      if (fault) throw fault;
      // A range that ends before the file does ends inside a record when the scanner holds its
      // start: the records before it are the result, the main thread reads on from there.
      const open = task.final ? 0 : scanner.pendingBytes;
      if (open === 0) scanner.end();
      batcher.flush('last');
      const openFrom = open > 0 ? { openFrom: task.end - open } : {};
      return { index: task.index, ...openFrom, lines: scanner.nextLine - 1, rows, ...this.output.finish() };
    } catch (err) {
      let error = err;
      let before: Partial<TaskResult> = {};
      if (this.output.writesRows) {
        // The rows before the bad one are written, as the main thread writes them (a result beyond
        // float64 among them is the earlier error).
        try {
          batcher.flush('error');
          before = this.output.finish();
        } catch (earlier) {
          error = earlier;
        }
      }
      return { index: task.index, lines: 0, rows, error: serialized(translateError(error, label)), ...before };
    }
  }
}

/** What a task makes of its range's batches: one kind a WorkerStep. */
export interface RangeOutput {
  /** Whether the batches carry their records (borrowed: a range is scanned in one go). */
  readonly records: 'borrow' | 'none';
  /** Rows go out as they come: those before a bad one are written before its error. */
  readonly writesRows: boolean;
  /** A new range, of these bytes; what a failed task left is dropped. */
  begin(bytes: Buffer): void;
  batch(batch: RowBatch): void;
  /** The range's result, in memory of its own (to be transferred). */
  finish(): Pick<TaskResult, 'values' | 'stride' | 'output' | 'moments'>;
}

/** The output of a pass's tasks: written bytes (CSV only), exact moments or values. */
export function rangeOutput(setup: TaskSetup, allocate: (bytes: number) => ArrayBuffer): RangeOutput {
  const { step } = setup;
  if (step.write) {
    if (setup.kind !== 'csv') throw new Error('rangeOutput: only CSV ranges are written by workers');
    return new RangeBytes(setup, step.write, allocate);
  }
  return step.moments ? new RangeMoments(step.features) : new RangeValues(step.features, allocate);
}

/** A statistics pass that is one batch: the range's exact Moments (its rows' order does not matter). */
class RangeMoments implements RangeOutput {
  readonly records = 'none';
  readonly writesRows = false;
  private moments: Moments;

  constructor(private readonly features: readonly number[]) {
    this.moments = new Moments(features.length);
  }

  begin(): void {
    this.moments = new Moments(this.features.length);
  }

  batch(batch: RowBatch): void {
    this.features.forEach((j, f) => this.moments.addColumn(f, batch.values[j]!, batch.rows));
  }

  finish(): Pick<TaskResult, 'moments'> {
    return { moments: this.moments.toText(this.features.map((_, f) => f)) };
  }
}

/** A statistics pass: the values of each feature, one feature after another, for the main thread's Moments. */
class RangeValues implements RangeOutput {
  readonly records = 'none';
  readonly writesRows = false;
  private packed = new Float64Array(0);
  private stride = 0;
  private filled = 0;

  constructor(
    private readonly features: readonly number[],
    private readonly allocate: (bytes: number) => ArrayBuffer,
  ) {}

  begin(bytes: Buffer): void {
    // Room for every row: the range's line breaks bound them (a pass over the bytes that only
    // this output needs).
    const rows = countLines(bytes);
    this.stride = rows;
    this.filled = 0;
    const length = rows * this.features.length;
    this.packed = new Float64Array(this.allocate(8 * length), 0, length);
  }

  batch(batch: RowBatch): void {
    const { packed, stride, filled } = this;
    this.features.forEach((j, f) => packed.set(batch.values[j]!.subarray(0, batch.rows), f * stride + filled));
    this.filled += batch.rows;
  }

  finish(): Pick<TaskResult, 'values' | 'stride'> {
    return { values: this.packed, stride: this.stride };
  }
}

/** A pass that writes: each batch transformed and written as the main thread writes its own (../batch-writers.ts). */
class RangeBytes implements RangeOutput {
  readonly records = 'borrow';
  readonly writesRows = true;
  private readonly features: readonly number[];
  private readonly out: CsvBytesWriter;
  private readonly featureOf: Int32Array;
  private readonly format: ((x: number) => string) | undefined;

  constructor(
    setup: CsvTaskSetup,
    private readonly write: NonNullable<WorkerStep['write']>,
    private readonly allocate: (bytes: number) => ArrayBuffer,
  ) {
    this.features = setup.step.features;
    this.out = new CsvBytesWriter(setup.delimiter.charCodeAt(0));
    this.featureOf = featurePositions(setup.step.features, setup.layout.width);
    this.format = write.precision === undefined ? undefined : numberFormatter(write.precision);
  }

  begin(): void {
    this.out.reset();
  }

  batch(batch: RowBatch): void {
    const features = this.features;
    const bad = transformBatch(batch, features, this.write.params);
    writeCsvRecords(this.out, batch, this.featureOf, this.format, bad?.row);
    if (bad) throw beyondRangeError(batch, features, bad);
  }

  finish(): Pick<TaskResult, 'output'> {
    // A copy in a buffer of its own, to transfer; the writer's buffer stays here.
    const bytes = this.out.bytes();
    const output = new Uint8Array(this.allocate(bytes.length), 0, bytes.length);
    output.set(bytes);
    this.out.reset();
    return { output };
  }
}

/**
 * A buffer of at least `bytes` from `spare` (results the main thread is done with), or a new one
 * with room to spare, so that a slightly larger result later still fits.
 */
export function reuseBuffer(spare: ArrayBuffer[], bytes: number): ArrayBuffer {
  const i = spare.findIndex((buffer) => buffer.byteLength >= bytes);
  if (i >= 0) return spare.splice(i, 1)[0]!;
  return new ArrayBuffer(Math.ceil(bytes * 1.25) + 4096);
}

/** A BnError as a message can carry it (anything else is a bug: thrown on, the worker fails). */
export function serialized(err: unknown): SerializedError {
  if (!(err instanceof BnError)) throw err;
  return { code: err.code, message: err.message, location: err.location };
}

/** LF bytes: an upper bound of the records in a range (plus one for a last line without one). */
function countLines(bytes: Buffer): number {
  let n = 1;
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) n++;
  return n;
}
