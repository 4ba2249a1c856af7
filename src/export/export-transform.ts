/**
 * The one place `bn export` computes its per-feature constants: inference mode's own (affineOf),
 * so that an exported model or query can never drift from `bn normalize --stats S`. The writers
 * (./onnx-model.ts, ./sql-select.ts) only spell y = ((x − mean) − meanLow)·scale + beta in their
 * language.
 */
import type { AffineParams } from '../pipeline/affine.js';
import { affineOf, checkHasFeatures, usesDatasetStatistics, type AffineOptions } from '../pipeline/inference.js';

export type ExportOptions = Omit<AffineOptions, 'direction'>;

export interface ExportTransform {
  /** The stats file's feature names; absent for a PyTorch/Keras file without them (matched by position). */
  features?: readonly string[];
  params: AffineParams;
  /** Which statistics the constants come from: the running ones, or those of every row (--exact, sklearn). */
  statistics: 'running' | 'dataset';
}

export function exportTransform(options: ExportOptions): ExportTransform {
  const { stats } = options;
  checkHasFeatures(options);
  // Without names, features are matched by position: 1, 2, … name them in messages, as bn names
  // the columns of a file without a header.
  const names = stats.features ?? stats.runningMean.map((_, f) => String(f + 1));
  const params = affineOf(names, { ...options, direction: 'normalize' });
  return { features: stats.features, params, statistics: usesDatasetStatistics(options) ? 'dataset' : 'running' };
}
