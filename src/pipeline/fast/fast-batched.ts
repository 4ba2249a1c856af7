/**
 * `bn normalize --batch-size N` on the fast path, CSV/TSV in and out: the records of a batch are
 * kept as bytes (RecordStore), and when the batch is full its feature cells are parsed into
 * columns, its Moments computed (Moments.addColumn), and its records written with their cells
 * normalized. Memory: one batch of bytes and values. The steps and their checks come in the
 * order of the general path (normalizeBatched in ../normalize.ts): the first batch decides the
 * features and γ, β; then values, range, at least 2 values per feature, results in range; the
 * header (with the first batch), the rows. Output that the general path would have written before an error is written too.
 */
import type { CsvRecord } from '../../io/fast/csv-scanner.js';
import { BnError } from '../../errors.js';
import { Moments } from '../../engine/moments.js';
import type { RunningStats } from '../../engine/running-stats.js';
import { raggedRow, type ByteCounter, type CsvOptions } from '../../io/csv-rows.js';
import { CsvBytesWriter } from '../../io/fast/csv-bytes-writer.js';
import { RecordStore } from '../../io/fast/record-store.js';
import type { OutputWriter } from '../../io/output-writer.js';
import { affineParams, resolveAffine } from '../affine.js';
import { checkRepresentable, makePlan, type BatchSummary } from '../compute-stats.js';
import type { FeaturePlan } from '../feature-plan.js';
import { batchParams, batchTransform, checkExtremes, type TrainingOptions, type TrainingResult } from '../normalize.js';
import { foldBatch, type RunningSettings } from '../running.js';
import { CellValues, numericMarkers } from './cell-values.js';
import { csvPass, requireLayout, type CsvLayout } from './csv-pass.js';
import { headerBytes, NormalizedRecords, type NormalizeOutputOptions } from './fast-normalize.js';

export async function normalizeBatchedCsv(
  input: AsyncIterable<Buffer>,
  csv: CsvOptions,
  options: NormalizeOutputOptions & Pick<TrainingOptions, 'epsilon' | 'gamma' | 'beta'> & { running: RunningSettings },
  batchSize: number,
  out: OutputWriter,
  counter?: ByteCounter,
): Promise<TrainingResult> {
  const store = new RecordStore();
  const writer = new CsvBytesWriter(csv.delimiter.charCodeAt(0));
  // Batches are folded into the running statistics as they end, and not kept: their Moments
  // would grow with the rows (a 1 GB input in batches of 1024 holds ten thousand).
  let batchCount = 0;
  let running: RunningStats | undefined;
  let layout: CsvLayout | undefined;
  let plan: FeaturePlan | undefined;
  let features: number[] = [];
  let gamma: Float64Array = new Float64Array(0);
  let beta: Float64Array = new Float64Array(0);
  let total: Moments | undefined;
  let records: NormalizedRecords | undefined;
  let values: CellValues | undefined;
  let rows = 0;
  let columns: (Float64Array | undefined)[] = [];
  /** 1 for a row of the batch whose values NumericLines parsed (they are in `columns` already). */
  const parsed = new Uint8Array(batchSize);

  /** The first batch: which columns are features (from its rows only), γ, β, the header. */
  const begin = () => {
    let undecided = plan!.undecided();
    for (let i = 0; i < store.length && undecided.length > 0; i++) {
      const record = store.at(i);
      let changed = false;
      for (const j of undecided) if (plan!.observeCell(j, record.text(j))) changed = true;
      if (changed) undecided = plan!.undecided();
    }
    plan!.freeze();
    features = plan!.featureIndices();
    if (features.length === 0) throw new BnError('BN_NO_FEATURES', 'no numeric column: nothing to normalize (see --select)', { file: csv.label });
    const names = features.map((j) => layout!.columns[j]!);
    gamma = resolveAffine('--gamma', options.gamma, names, 1);
    beta = resolveAffine('--beta', options.beta, names, 0);
    total = new Moments(layout!.width);
    values = new CellValues(plan!, numericMarkers(options.naValues));
    // The batch's values, made once (thousands of small arrays made and dropped would cost
    // memory that the garbage collector gives back late).
    columns = new Array<Float64Array | undefined>(layout!.width);
    for (const j of features) columns[j] = new Float64Array(batchSize);
    const none = new Float64Array(features.length);
    records = new NormalizedRecords(layout!.width, csv.label, features, affineParams(none, none, 0, none, none), values, options.precision, writer);
  };

  const flush = (isLast: boolean) => {
    const n = store.length;
    if (n === 0) return;
    if (batchCount === 0) begin();
    // Values row by row, each row's features in column order: the first bad cell is the general
    // path's (rows NumericLines read have none).
    for (let i = 0; i < n; i++) {
      if (parsed[i] === 1) continue;
      const record = store.at(i);
      for (const j of features) columns[j]![i] = values!.value(record, j);
    }
    const moments = new Moments(total!.width);
    for (const j of features) moments.addColumn(j, columns[j]!, n);
    const summary: BatchSummary = { index: batchCount, rows: n, moments };
    checkRepresentable(moments, features, layout!.columns, csv.label);
    const params = batchParams(summary, features, layout!.columns, csv.label, isLast ? rows : undefined, batchSize);
    checkExtremes(moments, features, batchTransform(params, options.epsilon, gamma, beta), layout!.columns, csv.label);
    // Only now the output starts: a first batch that fails writes nothing, not even a header.
    if (batchCount === 0) writer.raw(headerBytes(layout!, csv.delimiter));
    records!.params = affineParams(params.mean, params.variance, options.epsilon, gamma, beta);
    for (let i = 0; i < n; i++) records!.recordWithValues(store.at(i), columns, i);
    running = foldBatch(running, moments, features, options.running);
    batchCount++;
    total!.merge(moments);
    store.clear();
    parsed.fill(0);
  };

  const drain = async () => {
    if (writer.length === 0) return;
    await out.writeThrough(writer.bytes());
    writer.reset();
  };

  try {
    const pass = await csvPass(
      input,
      csv,
      (l) => {
        layout = l;
        plan = makePlan(l, options);
        const handle = (record: CsvRecord) => {
          if (record.length !== l.width) throw raggedRow(l.width, record.length, csv.label, record.line);
          if (record.values !== null) {
            const i = store.length;
            for (const j of features) columns[j]![i] = record.values[j]!;
            parsed[i] = 1;
          }
          store.add(record);
          rows++;
          if (store.length === batchSize) flush(false);
        };
        // The features are the first batch's: NumericLines may read the rows after it.
        return Object.assign(handle, { fixedFeatures: () => (values !== undefined && !values.hasNumericMarkers ? features : undefined) });
      },
      counter,
      async () => {
        if (writer.full) await drain();
      },
    );
    requireLayout(pass, csv.label);
    flush(true);
  } catch (err) {
    // What the general path would have written by now (the header, the batches before) goes out.
    await drain().catch(() => {});
    throw err;
  }
  if (!plan || rows === 0 || !total) throw new BnError('BN_EMPTY_INPUT', 'no data rows (only a header)', { file: csv.label });
  await drain();
  await out.flush();
  return { columns: layout!.columns, features, rows, total, batches: [], gamma, beta, folded: { running: running!, batches: batchCount } };
}
