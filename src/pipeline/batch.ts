/**
 * The unit of bn's data path: consecutive rows of a table as columns. Every reader produces
 * batches (the byte scanner, csv-parse, JSON, NDJSON, a worker's byte range), every driver
 * (statistics, training, inference) consumes them, and writers write them back. A driver
 * sees numbers only; how a row is written back unchanged is the records' business.
 */
import type { ErrorLocation } from '../errors.js';
import type { CsvFields } from '../io/fast/csv-scanner.js';
import type { Cell, Row, TableShape } from '../io/table.js';
import type { AsciiFieldSink } from '../io/text-cells.js';
import type { Moments } from '../engine/moments.js';
import type { AffineParams } from './affine.js';
import type { FeaturePlan } from './feature-plan.js';

export interface RowBatch {
  /** Rows in the batch: the first `rows` entries of each column are valid. */
  rows: number;
  /**
   * Feature values by column index: a Float64Array at each feature column, NaN where the cell
   * is missing; undefined at other columns. A driver may overwrite them (the transformed values
   * a writer then writes).
   */
  values: (Float64Array | undefined)[];
  /** The rows themselves, when the reader was asked to keep them (for writing back, for messages). */
  records?: BatchRecords;
}

/** What a writer needs to write row i back unchanged but for its feature cells, and messages need. */
export interface BatchRecords {
  /** Row i as cells (the fields' texts for CSV): what writers of a row format take. */
  row(i: number): Row;
  /** Row i as the scanner's byte ranges, when a byte scanner read it: what the CSV bytes writer copies. */
  readonly fields?: (i: number) => CsvFields;
  /** The text of cell j of row i as written in the input, and where it is: for a message. */
  cell(i: number, j: number): { value: unknown; where: ErrorLocation };
  /**
   * Cell j of row i as row(i) would hold it (`row(i).cells[j]`), no row built: what writers that
   * take a batch cell by cell or column by column read (the CSV bytes writer for a typed,
   * columnar format's records; the Parquet and Arrow sinks for any records).
   */
  readonly value: (i: number, j: number) => Cell;
  /**
   * Writes cell j of row i into `out` as the bytes it was read as, when the reader holds it so and
   * it is ASCII text (a Parquet text column): false, nothing written, otherwise (write its value).
   */
  readonly writeAscii?: (i: number, j: number, out: AsciiFieldSink) => boolean;
}

/**
 * A driver, as a reader sees it. The reader calls `start` once the columns are known and parses
 * the feature cells of the plan it returns (a column the plan has not decided yet is decided
 * from its first value, as it comes), then hands on the rows in batches, in order.
 */
export interface BatchConsumer {
  start(shape: TableShape): FeaturePlan;
  /**
   * A batch, valid only during the call (the reader reuses its arrays and buffers). Synchronous:
   * what it writes waits in a buffer until `afterChunk`. `end` says what follows it (see BatchEnd).
   */
  batch(batch: RowBatch, end: BatchEnd): void;
  /** After each chunk of input (and, for a columnar reader, each full batch): where written output drains (back-pressure). */
  afterChunk?(): Promise<void>;
  /**
   * Each chunk's rows are handed on at its end, however few (a live stream's rows written as they
   * come: inference with --line-buffered); otherwise a reader may hold them for a fuller batch.
   */
  readonly flushEachChunk?: boolean;
  /**
   * Rows per batch: exactly this many in every batch but the last (training with -b). Absent:
   * the reader's own size, which may vary from batch to batch.
   */
  readonly batchRows?: number;
  /** The features are settled before the first row (a reader of a file needs to read little before its workers start). */
  readonly settled?: boolean;
  /** Keep the records (to write them back): 'none' for statistics. */
  readonly records: 'none' | 'keep';
  /**
   * The consumer holds each batch until the next one is handed on (training with -b holds one
   * back, to fold a tail too small to train on into it): the reader then fills two sets of
   * arrays and records in turn, so a batch stays valid for one more call. Needs batchRows.
   */
  readonly holds?: boolean;
  /** Once the input has ended, before the writer's end: what a consumer that holds a batch does with it. */
  finish?(): void;
  /** On an error in a row, the rows before it in the batch are handed on first (a streaming writer writes them). */
  readonly rowsBeforeError: boolean;
  /**
   * What workers may do for this consumer (see WorkerStep), asked once the main thread has read
   * the head of a file; undefined or absent: the main thread reads on alone.
   */
  workerStep?(): WorkerStep | undefined;
  /** Bytes a worker wrote (a step with `write`), in file order. */
  writeBytes?(bytes: Uint8Array): Promise<void>;
  /** The Moments of `rows` rows a worker read (a step with `moments`), by column. */
  moments?(moments: Moments, rows: number): void;
}

/**
 * What follows a batch: more rows ('more'; a reader may not know yet that none will come), none
 * ('last': the input ended there; with batchRows, the short last batch is always 'last'), or an
 * error ('error': the rows before a bad one, handed on first for a consumer that writes as it
 * goes; the error is thrown next).
 */
export type BatchEnd = 'more' | 'last' | 'error';

/** A reader, ready to read its input once into a consumer (a pass). */
export type ReadPass = (consumer: BatchConsumer) => Promise<ReadEnd>;

export interface ReadEnd {
  /** Data rows read. */
  rows: number;
  /** The table's shape, once a header or a row was read. */
  shape: TableShape | undefined;
}

/**
 * What worker threads do with a CSV file's byte ranges for a consumer, when the input allows it
 * (./fast/parallel.ts): the features are settled, and each range's records are batched as the
 * main thread batches them. Without `write`, a range's values come back as a batch for the
 * consumer; with it, each batch is transformed and written as CSV bytes (writeCsvRecords), and
 * the bytes come back to `writeBytes`.
 */
export interface WorkerStep {
  features: readonly number[];
  write?: { params: AffineParams; precision: number | undefined };
  /**
   * Instead of its values, a range's exact Moments (for `moments`): a pass that is one batch
   * needs no row order, since exact sums do not depend on it, and the threads share the engine's work.
   */
  moments?: boolean;
}

