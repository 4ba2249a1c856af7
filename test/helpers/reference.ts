/**
 * The reference fixtures (fixtures/reference/, made by real PyTorch 1.13 and Keras's update rule,
 * see its README) and the comparisons its README recommends:
 *
 *   outputs:       |actual − expected| ≤ tol · max(|expected|, |γ_j|)
 *   statistics:    |actual − expected| ≤ tol · |expected|
 */
import { createReadStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { openSource } from '../../src/io/formats.js';
import type { Row, TableSource } from '../../src/io/table.js';
import type { TableLayout, TableSink } from '../../src/io/table-sink.js';
import { ROOT } from './run-bn.js';

export const REFERENCE_DIR = path.join(ROOT, 'fixtures/reference');

export interface Reference {
  input: string;
  eval_input: string;
  features: string[];
  batch_size: number;
  eps: number;
  momentum: number | null;
  preset: 'torch' | 'keras';
  weight: number[];
  bias: number[];
  batches: { index: number; rows: number; mean: number[]; var: number[] }[];
  train_output: number[][];
  running_mean: number[];
  running_var: number[];
  num_batches_tracked: number;
  eval_output: number[][];
}

export const TORCH_CONFIGS = ['torch-m0.1', 'torch-cumulative', 'torch-m0.3-eps1e-3', 'torch-whole', 'seed-torch'] as const;

export function loadReference(name: string): Reference {
  return JSON.parse(readFileSync(path.join(REFERENCE_DIR, `${name}.json`), 'utf8')) as Reference;
}

/** A fixture CSV (path relative to fixtures/reference/) as a table. */
export function referenceTable(relative: string): Promise<TableSource> {
  const file = path.join(REFERENCE_DIR, relative);
  return openSource(createReadStream(file), { format: 'csv', header: true, label: relative });
}

/** A sink that keeps every row's cells (feature cells are numbers by then). */
export class CollectingSink implements TableSink {
  columns: string[] = [];
  readonly cells: Row['cells'][] = [];

  async start(layout: TableLayout): Promise<void> {
    this.columns = layout.columns.slice(0, layout.width);
  }

  async rows(rows: readonly Row[]): Promise<void> {
    for (const row of rows) this.cells.push([...row.cells]);
  }

  async end(): Promise<void> {}

  /** The cells as numbers (text cells through Number()). */
  numbers(): number[][] {
    return this.cells.map((row) => row.map((c) => (typeof c === 'number' ? c : Number(c))));
  }
}

/** Worst |a − e| / max(|e|, |γ_j|) over a table of outputs (column j uses γ_j). */
export function outputError(actual: readonly (readonly number[])[], expected: readonly (readonly number[])[], gamma: readonly number[]): number {
  if (actual.length !== expected.length) throw new Error(`${actual.length} rows, expected ${expected.length}`);
  let worst = 0;
  expected.forEach((row, i) => {
    if (actual[i]!.length !== row.length) throw new Error(`row ${i}: ${actual[i]!.length} cells, expected ${row.length}`);
    row.forEach((e, j) => {
      const err = Math.abs(actual[i]![j]! - e) / Math.max(Math.abs(e), Math.abs(gamma[j]!));
      worst = Number.isNaN(err) ? Infinity : Math.max(worst, err);
    });
  });
  return worst;
}

/** Worst |a − e| / |e| over arrays (0 where both are 0). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`${actual.length} values, expected ${expected.length}`);
  let worst = 0;
  for (let j = 0; j < expected.length; j++) {
    const e = expected[j]!;
    const a = actual[j]!;
    const err = a === e ? 0 : Math.abs(a - e) / Math.abs(e);
    worst = Number.isNaN(err) ? Infinity : Math.max(worst, err);
  }
  return worst;
}
