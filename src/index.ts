// The public types take and give Node streams: this reference puts @types/node (a dependency of
// the package) into a TypeScript user's program, so that the declarations compile without the
// user installing it or listing it in "types".
/// <reference types="node" preserve="true" />
/**
 * bn as a library: the pure engine (moments, batch normalization, running statistics); the
 * drivers (statistics, training, inference) over any reader, with the readers the CLI uses
 * (openReader: the byte scanner and its worker threads for CSV/TSV, the row readers for the
 * rest); the row-level entries for programs that bring their own rows; and the export of a
 * stats file's transform as SQL or an ONNX model.
 */
export * from './engine/index.js';
export { BnError, type ErrorCode, type ErrorLocation, type ExitCode } from './errors.js';
export { computeStats, statsPass, type DatasetStats, type PassOptions } from './pipeline/compute-stats.js';
export type { BatchSummary } from './pipeline/batch-moments.js';
export { normalizeTraining, train, trainingOptionsOf, type TrainingOptions, type TrainingResult } from './pipeline/normalize.js';
export { infer, transformWithStats, type Direction, type InferenceOptions } from './pipeline/inference.js';
export type { BatchConsumer, BatchRecords, ReadEnd, ReadPass, RowBatch } from './pipeline/batch.js';
export { openReader, openWriter, workersFor, type InputReader, type InputSource, type ReaderOptions } from './pipeline/read-input.js';
export { FORMATS, openSink, type FormatEntry, type SinkOptions } from './io/formats.js';
// The shapes the drivers take and give: rows a program brings (a TableSource), where rows go (a TableSink).
export type { Cell, Format, Row, TableShape, TableSource } from './io/table.js';
export type { TableLayout, TableSink } from './io/table-sink.js';
export type { InputSpec } from './io/input.js';
export type { AffineSpec } from './pipeline/affine.js';
export type { RunningSettings } from './pipeline/running.js';
export { parseSelection, type SelectionSpec } from './pipeline/select.js';
export type { Io } from './cli/io.js';
export { OutputWriter } from './io/output-writer.js';
// --precision as the CLI applies it: a sink's formatNumber (text outputs) and roundNumber (Parquet, Arrow).
export { numberFormatter, numberRounder } from './io/format-number.js';
export { DEFAULT_NA_VALUES, missingTest } from './io/missing.js';
export { PRESETS, resolveTrainingSettings, type Preset, type TrainingSettings } from './pipeline/presets.js';
export { runningStatsOf, statsFileOf } from './pipeline/running.js';
export {
  emptyStatsFile,
  parseStatsFile,
  readStatsFile,
  statsFileJson,
  type InferenceStats,
  type LoadedStats,
  type StatsFile,
} from './stats-file.js';
export { mergeStatsFiles, type LabelledStats } from './stats-merge.js';
export * from './export/index.js';
export { run } from './cli/run.js';
// What an ONNX model's producer_version says when bn exports it.
export { BN_VERSION } from './cli/version.js';
