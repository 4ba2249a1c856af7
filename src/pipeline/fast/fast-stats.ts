/**
 * `bn stats` and the first pass of a whole-input `normalize` on the fast path: CSV/TSV bytes →
 * columns of values → per-batch Moments, never a string per cell. The result is the general
 * path's computeStats result, bit for bit (test/e2e/fast-path.test.ts compares them).
 */
import type { ByteCounter, CsvOptions } from '../../io/csv-rows.js';
import { finishStats, makePlan, type DatasetStats, type PassOptions } from '../compute-stats.js';
import type { FeaturePlan } from '../feature-plan.js';
import { BatchMoments } from './batch-moments.js';
import { CellValues, numericMarkers } from './cell-values.js';
import { ColumnReader } from './column-reader.js';
import { csvPass, requireLayout } from './csv-pass.js';

export interface FastPassOptions extends PassOptions {
  /** The missing-value markers (for the ones that are numbers, see numericMarkers). */
  naValues: readonly string[];
}

export async function fastComputeStats(
  input: AsyncIterable<Buffer>,
  csv: CsvOptions,
  options: FastPassOptions,
  counter?: ByteCounter,
): Promise<DatasetStats> {
  let plan: FeaturePlan | undefined;
  let moments: BatchMoments | undefined;
  let reader: ColumnReader | undefined;
  const result = await csvPass(
    input,
    csv,
    (layout) => {
      plan = makePlan(layout, options);
      const batches = (moments = new BatchMoments(layout.width, options.batchSize ?? Number.POSITIVE_INFINITY));
      const columns = (reader = new ColumnReader(layout.width, layout.label, plan, new CellValues(plan, numericMarkers(options.naValues)), (block) =>
        batches.add(block.columns, block.rows),
      ));
      return (record) => columns.record(record);
    },
    counter,
  );
  reader?.flush();
  const layout = requireLayout(result, csv.label);
  return finishStats(plan, moments?.finish() ?? [], moments?.rows ?? 0, layout);
}
