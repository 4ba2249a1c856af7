/**
 * Which reader a data command takes (issue #5): the fast CSV path for CSV/TSV with a one-byte
 * ASCII delimiter (numbers parsed from the bytes, worker threads over a file's byte ranges),
 * the general path for everything else and under BN_NO_FAST=1. Both give the same results.
 */
import type { Readable } from 'node:stream';
import type { ByteCounter, CsvOptions } from '../io/csv-rows.js';
import { scannerTakes } from '../io/fast/csv-fast-reader.js';
import { fileChunks } from '../io/fast/file-chunks.js';
import { openInput } from '../io/input.js';
import { computeStats, type DatasetStats } from '../pipeline/compute-stats.js';
import { fastComputeStats, fastComputeStatsFile, type FastPassOptions } from '../pipeline/fast/fast-stats.js';
import type { ParallelOptions } from '../pipeline/fast/parallel.js';
import { WorkerPool } from '../pipeline/fast/worker-pool.js';
import { resolveAffine } from '../pipeline/affine.js';
import { affineParams, writeNormalizedCsv } from '../pipeline/fast/fast-normalize.js';
import { normalizeBatchedCsv, type RunningSettings } from '../pipeline/fast/fast-batched.js';
import { batchParams, type TrainingOptions, type TrainingResult } from '../pipeline/normalize.js';
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

/** The input's bytes: a file read into one reused buffer, or the stream of standard input. */
function bytesOf(spec: InputSpec, stdin: Readable): AsyncIterable<Buffer> {
  return spec.path !== undefined ? fileChunks(spec.path) : (openInput(spec, stdin) as AsyncIterable<Buffer>);
}

/** One stats pass over the input (`bn stats`, and pass 1 of a whole-input normalize). */
export async function statsOf(input: SettledInput, stdin: Readable, spec = input.spec, pool?: WorkerPool, counter?: ByteCounter): Promise<DatasetStats> {
  const csv = fastCsvOptions(input);
  if (!csv) return computeStats(openTable(input, stdin, spec, counter), passOptions(input));
  if (spec.path !== undefined) return fastComputeStatsFile(spec.path, csv, passOptions(input), parallelOptions(input, pool), counter);
  return fastComputeStats(bytesOf(spec, stdin), csv, passOptions(input), counter);
}

/** Characters a written number may hold: as a delimiter they would need quotes, which the fast writer does not add. */
const NUMBER_CHARACTERS = /^[0-9.eE+-]$/;

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
  if (!csv || output.format !== input.format || NUMBER_CHARACTERS.test(csv.delimiter)) return undefined;
  if (input.batchSize !== undefined) {
    const writing = { ...passOptions(input), formatNumber: output.formatNumber, precision: output.precision, ...options };
    return normalizeBatchedCsv(bytesOf(spec, stdin), csv, writing, input.batchSize, output.writer, counter);
  }
  // One set of workers for both passes.
  const pool = spec.path !== undefined && input.jobs > 1 ? new WorkerPool(input.jobs) : undefined;
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
  const names = stats.features.map((j) => stats.columns[j]!);
  const gamma = resolveAffine('--gamma', options.gamma, names, 1);
  const beta = resolveAffine('--beta', options.beta, names, 0);
  const { mean, variance } = batchParams(stats.batches[0]!, stats.features, stats.columns, csv.label, stats.rows);
  const params = affineParams(mean, variance, options.epsilon, gamma, beta);
  const source = spec.path !== undefined ? { path: spec.path } : { stream: bytesOf(spec, stdin) };
  const writing = { ...passOptions(input), formatNumber: output.formatNumber, precision: output.precision };
  await writeNormalizedCsv(source, csv, stats, params, writing, output.writer, parallelOptions(input, pool), counter);
  return { ...stats, gamma, beta };
}
