/**
 * Which reader a data command takes (issue #5): the fast CSV path for CSV/TSV with a one-byte
 * ASCII delimiter (numbers parsed from the bytes, worker threads over a file's byte ranges),
 * the general path for everything else and under BN_NO_FAST=1. Both give the same results.
 */
import { Readable } from 'node:stream';
import { columnNames, type ByteCounter, type CsvOptions } from '../io/csv-rows.js';
import { CsvScanner } from '../io/fast/csv-scanner.js';
import { isBlank } from '../pipeline/fast/csv-pass.js';
import { affineOf, type InferenceOptions } from '../pipeline/inference.js';
import { scannerTakes } from '../io/fast/csv-fast-reader.js';
import { canBePartOfNumber } from '../io/fast/decimal.js';
import { fileChunks } from '../io/fast/file-chunks.js';
import { computeStats, type DatasetStats } from '../pipeline/compute-stats.js';
import { fastComputeStats, fastComputeStatsFile, type FastPassOptions } from '../pipeline/fast/fast-stats.js';
import type { ParallelOptions } from '../pipeline/fast/parallel.js';
import { WorkerPool } from '../pipeline/fast/worker-pool.js';
import { writeNormalizedCsv } from '../pipeline/fast/fast-normalize.js';
import { affineParams } from '../pipeline/affine.js';
import { normalizeBatchedCsv } from '../pipeline/fast/fast-batched.js';
import type { RunningSettings } from '../pipeline/running.js';
import { checkSameRows, wholeInputTransform, type TrainingOptions, type TrainingResult } from '../pipeline/normalize.js';
import type { InputSpec } from '../io/input.js';
import { openTable, type SettledInput } from './input-options.js';
import type { TableOutput } from './table-output.js';

/** The CSV options of the fast path for this input, or undefined when the general path reads it. */
export function fastCsvOptions(input: SettledInput): CsvOptions | undefined {
  if (!input.fast || (input.format !== 'csv' && input.format !== 'tsv')) return undefined;
  const delimiter = input.delimiter ?? (input.format === 'tsv' ? '\t' : ',');
  if (!scannerTakes(delimiter)) return undefined;
  return { delimiter, header: input.header, label: input.spec.label, format: input.format };
}

export function parallelOptions(input: SettledInput, pool?: WorkerPool): ParallelOptions {
  return { jobs: input.jobs, blockBytes: input.blockBytes, pool };
}

export function passOptions(input: SettledInput): FastPassOptions {
  return { batchSize: input.batchSize, isMissing: input.isMissing, select: input.select, naValues: input.naValues };
}

/**
 * The input's bytes: a file read into one reused buffer, or standard input as it comes. Not
 * through openInput: the fast passes check UTF-8 themselves (csvPass), and read errors come
 * out of the iteration, where they translate them.
 */
function bytesOf(spec: InputSpec, stdin: Readable): AsyncIterable<Buffer> {
  return spec.path !== undefined ? fileChunks(spec.path, spec.label) : (stdin as AsyncIterable<Buffer>);
}

/** One stats pass over the input (`bn stats`, and pass 1 of a whole-input normalize). */
export async function statsOf(input: SettledInput, stdin: Readable, spec = input.spec, pool?: WorkerPool, counter?: ByteCounter): Promise<DatasetStats> {
  const csv = fastCsvOptions(input);
  if (!csv) return computeStats(openTable(input, stdin, spec, counter), passOptions(input));
  if (spec.path !== undefined) return fastComputeStatsFile(spec.path, csv, passOptions(input), parallelOptions(input, pool), counter);
  return fastComputeStats(bytesOf(spec, stdin), csv, passOptions(input), counter);
}

/**
 * A training-mode normalize on the fast path, when the input and the output are CSV/TSV with the
 * same delimiter: whole input (pass 1 as `statsOf`, pass 2 bytes to bytes), or --batch-size N
 * (one pass, a batch of records kept); undefined when it does not apply (the general path).
 */
export async function normalizeFast(
  input: SettledInput,
  stdin: Readable,
  spec: InputSpec,
  output: TableOutput,
  options: Pick<TrainingOptions, 'epsilon' | 'gamma' | 'beta'> & { running: RunningSettings },
  counter?: ByteCounter,
): Promise<TrainingResult | undefined> {
  const csv = fastCsvOptions(input);
  if (!csv || output.format !== input.format || canBePartOfNumber(csv.delimiter)) return undefined;
  if (input.batchSize !== undefined) {
    const writing = { ...passOptions(input), formatNumber: output.formatNumber, precision: output.precision, ...options };
    return normalizeBatchedCsv(bytesOf(spec, stdin), csv, writing, input.batchSize, output.writer, counter);
  }
  // One set of workers for both passes (the main thread is one of the -j threads).
  const pool = spec.path !== undefined && input.jobs > 1 ? new WorkerPool(input.jobs - 1) : undefined;
  try {
    return await normalizeBothPasses(input, stdin, spec, output, options, csv, pool, counter);
  } finally {
    await pool?.close();
  }
}

async function normalizeBothPasses(
  input: SettledInput,
  stdin: Readable,
  spec: InputSpec,
  output: TableOutput,
  options: Pick<TrainingOptions, 'epsilon' | 'gamma' | 'beta'>,
  csv: CsvOptions,
  pool: WorkerPool | undefined,
  counter: ByteCounter | undefined,
): Promise<TrainingResult> {
  const stats = await statsOf(input, stdin, spec, pool, counter);
  const { gamma, beta, params: batch } = wholeInputTransform(stats, options, csv.label);
  const params = affineParams(batch.mean, batch.variance, options.epsilon, gamma, beta);
  const source = spec.path !== undefined ? { path: spec.path } : { stream: bytesOf(spec, stdin) };
  const writing = { ...passOptions(input), formatNumber: output.formatNumber, precision: output.precision };
  const rows = await writeNormalizedCsv(source, csv, stats, params, writing, output.writer, parallelOptions(input, pool), counter);
  checkSameRows(stats.rows, rows, csv.label);
  return { ...stats, gamma, beta };
}

/**
 * Inference mode on the fast path (`normalize --stats S`, `denormalize`): CSV/TSV in and the
 * same out, a stats file that names its features, no --select. The header is read first to
 * match the features by name; when one is missing (an error whose message lists the input's
 * numeric columns, which the general path works out from its first rows), or the header
 * cannot be read, the general path takes the input over: `undefined`, and the standard input
 * to read from (the bytes read here are replayed).
 */
export async function inferenceFast(
  input: SettledInput,
  stdin: Readable,
  output: TableOutput,
  options: InferenceOptions,
  counter?: ByteCounter,
): Promise<{ rows: number } | { stdin: Readable }> {
  const csv = fastCsvOptions(input);
  const names = options.stats.features;
  if (!csv || output.format !== input.format || canBePartOfNumber(csv.delimiter) || !names || input.select) return { stdin };
  const peeked = await peekColumns(input.spec.path !== undefined ? fileChunks(input.spec.path, input.spec.label) : (stdin as AsyncIterable<Buffer>), csv);
  if (input.spec.path !== undefined) await peeked.close();
  const replay = input.spec.path !== undefined ? stdin : Readable.from(peeked.replay(), { objectMode: false });
  const columns = peeked.columns;
  if (!columns || names.some((name) => !columns.includes(name))) return { stdin: replay };
  const features = names.map((name) => columns.indexOf(name));
  const source = input.spec.path !== undefined ? { path: input.spec.path } : { stream: replay as AsyncIterable<Buffer> };
  const writing = { ...passOptions(input), formatNumber: output.formatNumber, precision: output.precision };
  const rows = await writeNormalizedCsv(source, csv, { features }, () => affineOf(names, options), writing, output.writer, parallelOptions(input), counter);
  return { rows };
}

/**
 * The column names of a CSV input (its first record), or undefined when it has none or cannot
 * be read (the general path then reports what is wrong); `replay` gives back every byte read.
 */
async function peekColumns(
  bytes: AsyncIterable<Buffer>,
  csv: CsvOptions,
): Promise<{ columns?: string[]; replay: () => AsyncGenerator<Buffer>; close: () => Promise<unknown> }> {
  const iterator = bytes[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let columns: string[] | undefined;
  const scanner = new CsvScanner({ delimiter: csv.delimiter }, (record) => {
    if (columns === undefined && !isBlank(record)) columns = columnNames(record.texts(), csv.header, csv.label);
  });
  try {
    while (columns === undefined) {
      const next = await iterator.next();
      if (next.done) break;
      head.push(Buffer.from(next.value)); // a copy: a file reader reuses its buffer
      scanner.push(next.value);
    }
  } catch {
    columns = undefined;
  }
  async function* replay(): AsyncGenerator<Buffer> {
    try {
      yield* head;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    } finally {
      await iterator.return?.();
    }
  }
  return { columns, replay, close: async () => iterator.return?.() };
}
