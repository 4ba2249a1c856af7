/**
 * One byte range of an NDJSON file of objects, read in a worker thread (or the main thread): the
 * NDJSON part of a `-j` pass (./ndjson-parallel.ts). Lines are independent, so a range cut just
 * after an LF starts at a line; it is read by the one-thread reader's own line reader
 * (NdjsonLines: flat objects from their bytes, any other line through JSON.parse), its lines
 * counted from 1 (errors carry that local line, which the main thread shifts), and each line's
 * feature cells become values at once, as ../row-batches.ts makes them, so the first bad line
 * of the range is its error. A flat line makes no row: its cells are read into one array used
 * again (a row and an array a line were most of a worker's garbage, and its heap is small).
 *
 * Two lines are handed back (TaskResult.openFrom, as a CSV range hands back an unfinished record):
 * one with a key that no line before the range had (a new column, which one thread would give a
 * role, perhaps a feature, from then on), and one that JSON.parse refuses (the main thread says
 * where and why: the streaming parser that tells it is not loaded in a worker). The result holds
 * the rows before it, and the main thread reads on from that line itself.
 */
import type { BnError } from '../../errors.js';
import { NdjsonLines, type LineSink } from '../../io/ndjson-lines.js';
import { RecordTable } from '../../io/json-records.js';
import { missingTest } from '../../io/missing.js';
import type { Cell, Row } from '../../io/table.js';
import type { RowBatch } from '../batch.js';
import { BATCH_ROWS } from '../feature-columns.js';
import { makePlan, type FeaturePlan } from '../feature-plan.js';
import { fixedColumns } from '../select.js';
import { RangeRunner, rangeOutput, serialized, type NdjsonTaskSetup, type RangeOutput, type Task, type TaskResult } from './block-task.js';

export class NdjsonTaskRunner extends RangeRunner {
  private readonly output: RangeOutput;
  private readonly values: LineValues;
  private readonly width: number;
  /** The table a range is read into; made again after a range that brought a new key. */
  private table: RecordTable;

  constructor(
    private readonly setup: NdjsonTaskSetup,
    allocate: (bytes: number) => ArrayBuffer = (bytes) => new ArrayBuffer(bytes),
  ) {
    super(setup.path, setup.size, setup.label);
    this.output = rangeOutput(setup, allocate);
    this.width = setup.columns.length;
    this.table = RecordTable.ofObjects(setup.label, setup.columns);
    // The plan names the setup's columns (its own copy: the table's grows when a line brings a new key).
    const shape = { columns: [...setup.columns], label: setup.label, keyed: true, format: 'ndjson' as const };
    const plan = makePlan(shape, { isMissing: missingTest(setup.naValues) }, fixedColumns(setup.step.features));
    this.values = new LineValues(plan, setup.step.features, this.width, this.output);
  }

  protected read(task: Task, bytes: Buffer, fault: BnError | undefined): TaskResult {
    const { index } = task;
    if (this.table.columns.length !== this.width) this.table = RecordTable.ofObjects(this.setup.label, this.setup.columns);
    const { values } = this;
    values.begin(bytes);
    const lines = new NdjsonLines(this.table, this.setup.label, values, parseOrHandBack, 1, LONG_LINE);
    let end: Pick<TaskResult, 'openFrom' | 'lines'>;
    try {
      lines.push(bytes);
      if (fault) throw fault;
      if (task.final) lines.end();
      end = { lines: lines.nextLine - 1 };
    } catch (err) {
      if (!(err instanceof HandBack)) return { index, lines: 0, rows: values.rows, error: serialized(err) };
      // The rows before the line are this range's; the main thread reads on from it.
      end = { openFrom: task.start + lineStart(bytes, err.line), lines: err.line - 1 };
    }
    return { index, ...end, rows: values.rows, ...values.finish() };
  }
}

/** A line for the main thread to read: thrown to stop reading the range there. */
class HandBack {
  constructor(readonly line: number) {}
}

/**
 * A line longer than this is the main thread's too: its text, and JSON.parse's copy, would not
 * fit a worker's heap (16 MB old generation, ./worker-pool.ts), and V8 may abort the whole
 * process rather than end the worker when one allocation is beyond the limit.
 */
const LONG_LINE = {
  bytes: 1 << 20,
  take(line: number): never {
    throw new HandBack(line);
  },
};

/** JSON.parse, and a line it refuses handed back. */
function parseOrHandBack(text: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HandBack(line);
  }
}

/** Each line's feature values, into batches for a range's output. */
class LineValues implements LineSink {
  /** Data rows of the range so far. */
  rows = 0;
  private readonly batch: RowBatch;
  private readonly columns: Float64Array[] = [];
  /** The one array flat lines are read into. */
  private readonly flatCells: Cell[] = [];
  /** A flat line's keys: every column, in order (for a message's row). */
  private readonly everyKey: number[];

  constructor(
    private readonly plan: FeaturePlan,
    private readonly features: readonly number[],
    private readonly width: number,
    private readonly output: RangeOutput,
  ) {
    for (const j of features) this.columns[j] = new Float64Array(BATCH_ROWS);
    this.batch = { rows: 0, values: this.columns };
    this.everyKey = Array.from({ length: width }, (_, j) => j);
  }

  /** A new range, of these bytes. */
  begin(bytes: Buffer): void {
    this.rows = 0;
    this.batch.rows = 0;
    this.output.begin(bytes);
  }

  /** The range's result: the rows held handed on first. */
  finish(): ReturnType<RangeOutput['finish']> {
    if (this.batch.rows > 0) this.output.batch(this.batch);
    this.batch.rows = 0;
    return this.output.finish();
  }

  cells(): Cell[] {
    return this.flatCells;
  }

  flat(cells: Cell[], line: number): void {
    const { columns, plan } = this;
    const i = this.batch.rows;
    for (const j of this.features) {
      const cell = cells[j];
      // The usual number at once; anything else as FeaturePlan reads it (and names it in an error).
      columns[j]![i] = typeof cell === 'number' && cell - cell === 0 ? cell : plan.value(cell, j, { cells, line, keys: this.everyKey });
    }
    this.added();
  }

  row(row: Row): void {
    const { columns, plan } = this;
    const { cells, keys } = row;
    for (const j of keys!) if (j >= this.width) throw new HandBack(row.line);
    const i = this.batch.rows;
    // Absent keys are missing, as ../row-batches.ts reads an object's row.
    for (const j of this.features) columns[j]![i] = Number.NaN;
    for (const j of keys!) if (plan.isFeature(j)) columns[j]![i] = plan.value(cells[j], j, row);
    this.added();
  }

  private added(): void {
    this.rows++;
    if (++this.batch.rows === BATCH_ROWS) {
      this.output.batch(this.batch);
      this.batch.rows = 0;
    }
  }
}

/** The offset in `bytes` where line `line` (counted from 1) starts. */
function lineStart(bytes: Buffer, line: number): number {
  let at = 0;
  for (let n = 1; n < line; n++) at = bytes.indexOf(0x0a, at) + 1;
  return at;
}
