/**
 * Which reader a data command takes (issue #5): the fast CSV path for CSV/TSV with a one-byte
 * ASCII delimiter (numbers parsed from the bytes, worker threads over a file's byte ranges),
 * the general path for everything else and under BN_NO_FAST=1. Both give the same results.
 */
import type { Readable } from 'node:stream';
import type { CsvOptions } from '../io/csv-rows.js';
import { scannerTakes } from '../io/fast/csv-fast-reader.js';
import { openInput } from '../io/input.js';
import { computeStats, type DatasetStats } from '../pipeline/compute-stats.js';
import { fastComputeStats, type FastPassOptions } from '../pipeline/fast/fast-stats.js';
import { openTable, type SettledInput } from './input-options.js';

/** The CSV options of the fast path for this input, or undefined when the general path reads it. */
export function fastCsvOptions(input: SettledInput): CsvOptions | undefined {
  if (!input.fast || (input.format !== 'csv' && input.format !== 'tsv')) return undefined;
  const delimiter = input.delimiter ?? (input.format === 'tsv' ? '\t' : ',');
  if (!scannerTakes(delimiter)) return undefined;
  return { delimiter, header: input.header, label: input.spec.label, format: input.format };
}

export function passOptions(input: SettledInput): FastPassOptions {
  return { batchSize: input.batchSize, isMissing: input.isMissing, select: input.select, naValues: input.naValues };
}

/** One stats pass over the input (`bn stats`, and pass 1 of a whole-input normalize). */
export async function statsOf(input: SettledInput, stdin: Readable, spec = input.spec): Promise<DatasetStats> {
  const csv = fastCsvOptions(input);
  if (!csv) return computeStats(openTable(input, stdin, spec), passOptions(input));
  return fastComputeStats(openInput(spec, stdin) as AsyncIterable<Buffer>, csv, passOptions(input));
}
