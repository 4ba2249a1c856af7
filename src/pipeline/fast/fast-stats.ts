/**
 * `bn stats` and the first pass of a whole-input `normalize` on the fast path: CSV/TSV bytes →
 * columns of values → per-batch Moments, never a string per cell. The result is the general
 * path's computeStats result, bit for bit, with any number of workers
 * (test/e2e/fast-path.test.ts compares them).
 */
import type { ByteCounter, CsvOptions } from '../../io/csv-rows.js';
import type { CsvRecord } from '../../io/fast/csv-scanner.js';
import { finishStats, makePlan, type DatasetStats, type PassOptions } from '../compute-stats.js';
import type { FeaturePlan } from '../feature-plan.js';
import { BatchMoments } from './batch-moments.js';
import { CellValues, numericMarkers } from './cell-values.js';
import { ColumnReader } from './column-reader.js';
import { csvPass, requireLayout, type PassResult } from './csv-pass.js';
import { parallelPass, type ParallelOptions, type PassWork } from './parallel.js';

export interface FastPassOptions extends PassOptions {
  /** The missing-value markers (for the ones that are numbers, see numericMarkers). */
  naValues: readonly string[];
}

/** The work of a stats pass, and its result once the pass is over. */
function statsWork(options: FastPassOptions, label: string): PassWork & { result(pass: PassResult): DatasetStats } {
  let plan: FeaturePlan | undefined;
  let moments: BatchMoments | undefined;
  let reader: ColumnReader | undefined;
  return {
    start(layout) {
      plan = makePlan(layout, options);
      const batches = (moments = new BatchMoments(layout.width, options.batchSize ?? Number.POSITIVE_INFINITY));
      const values = new CellValues(plan, numericMarkers(options.naValues));
      const columns = (reader = new ColumnReader(layout.width, layout.label, plan, values, (block) => batches.add(block.columns, block.rows)));
      return Object.assign((record: CsvRecord) => columns.record(record), { fixedFeatures: () => columns.fixedFeatures() });
    },
    // Workers take the features as they stand: a column still undecided would need the rows before it.
    parallelSetup: () => (plan && plan.undecided().length === 0 ? { features: plan.featureIndices(), naValues: options.naValues } : undefined),
    async drain() {
      reader?.flush();
    },
    async consume(result) {
      const columns = new Array<Float64Array | undefined>(plan!.columns.length);
      const stride = result.stride!;
      plan!.featureIndices().forEach((j, f) => (columns[j] = result.values!.subarray(f * stride, f * stride + result.rows)));
      moments!.add(columns, result.rows);
    },
    result(pass) {
      reader?.flush();
      const layout = requireLayout(pass, label);
      return finishStats(plan, moments?.finish() ?? [], moments?.rows ?? 0, layout);
    },
  };
}

/** A stream (standard input, a pipe): the main thread alone. */
export async function fastComputeStats(input: AsyncIterable<Buffer>, csv: CsvOptions, options: FastPassOptions, counter?: ByteCounter): Promise<DatasetStats> {
  const work = statsWork(options, csv.label);
  return work.result(await csvPass(input, csv, (layout) => work.start(layout), counter));
}

/** A file: its byte ranges in worker threads (-j). */
export async function fastComputeStatsFile(path: string, csv: CsvOptions, options: FastPassOptions, parallel: ParallelOptions, counter?: ByteCounter): Promise<DatasetStats> {
  const work = statsWork(options, csv.label);
  return work.result(await parallelPass(path, csv, parallel, work, counter));
}
