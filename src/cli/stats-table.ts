/**
 * The table `bn stats` prints by default: a line of totals, then one row a feature with count,
 * mean (μ_B), var (σ_B², biased), var_sample (÷ n−1), min and max of the whole input; with `-b`,
 * a section a batch with count, mean and var. The columns are src/statistics.ts's, in its order:
 * their names are the keys of `--to json|csv`.
 *
 * Numbers have 7 significant digits (readableNumber) and line up on the decimal point; every batch
 * section shares one set of column widths. Many batches are collapsed to the first and last few,
 * with a line saying how many are hidden (`--all-batches` shows them all). A statistic that does
 * not exist (the sample variance of one value, the mean of a feature with no value in a batch)
 * is a blank cell. Colour comes from the caller's chalk instance: level 0 gives plain text.
 *
 * On a terminal (`width`), a table wider than the terminal is cut into blocks of whole columns,
 * each starting with the feature names, one under the other: a terminal never wraps a line of
 * it. Into a pipe or a file (no `width`) every table is whole, one line a feature.
 */
import type { ChalkInstance } from 'chalk';
import type { Moments } from '../engine/moments.js';
import type { BatchSummary } from '../pipeline/batch-moments.js';
import type { DatasetStats } from '../pipeline/compute-stats.js';
import { escapeUnprintable } from '../errors.js';
import { BATCH_STATISTICS, TOTAL_STATISTICS, type Statistic } from '../statistics.js';
import { alignTables, paintCell, plural, readableNumber, tableLine, type Align, type TextTable } from './text-table.js';

export interface StatsTableOptions {
  /** `-b`: batch sections are shown (even for one batch). */
  batchSize?: number;
  /** `--all-batches`: never collapse. */
  allBatches?: boolean;
  color: ChalkInstance;
  /** The terminal's width in columns; undefined (a pipe, a file): no limit. */
  width?: number;
}

/** Batch sections shown at each end when there are more than SHOWN_BATCHES_MAX. */
export const SHOWN_AT_EACH_END = 3;
export const SHOWN_BATCHES_MAX = 8;

// Batch sections share the totals' column widths by position: their statistics (count, mean, var)
// must be the first of the totals (checked here, so that a table entry cannot misalign them).
if (BATCH_STATISTICS.some((s, i) => TOTAL_STATISTICS[i] !== s)) {
  throw new Error('stats-table: the batch statistics must be the first of the totals, in the same order');
}
const ALIGNS: Align[] = ['text', ...TOTAL_STATISTICS.map((): Align => 'number')];

export function statsTable(stats: DatasetStats, options: StatsTableOptions): string {
  const { color } = options;
  const table = (m: Moments, statistics: readonly Statistic[]): TextTable => ({
    header: ['feature', ...statistics.map((s) => s.key)],
    rows: stats.features.map((j) => [escapeUnprintable(stats.columns[j]!), ...statistics.map((s) => readableNumber(s.of(m, j)))]),
  });
  const renderBlock = (t: TextTable) =>
    [tableLine(t.header.map((h) => paintCell(h, color.bold))), ...t.rows.map(([name = '', ...cells]) => tableLine([paintCell(name, color.cyan), ...cells]))];
  const render = (t: TextTable) => columnBlocks(t, options.width).flatMap((block, k) => [...(k > 0 ? [''] : []), ...renderBlock(block)]);

  const { rows, features, batches } = stats;
  const lines = [color.bold(`${plural(rows, 'row')}, ${plural(features.length, 'feature')}, ${plural(batches.length, 'batch', 'batches')}`), ''];
  const { shown, hidden } = options.batchSize === undefined ? { shown: [], hidden: 0 } : batchesToShow(batches, options.allBatches === true);
  // One layout for the whole input and every batch shown: their columns line up down the page.
  const [total, ...sections] = alignTables(ALIGNS, [table(stats.total, TOTAL_STATISTICS), ...shown.map((b) => table(b.moments, BATCH_STATISTICS))]);
  lines.push(...render(total!));
  shown.forEach((batch, k) => {
    lines.push('', color.bold(batchTitle(batch, options.batchSize!)), ...render(sections[k]!));
    if (hidden > 0 && k === SHOWN_AT_EACH_END - 1) {
      const from = SHOWN_AT_EACH_END;
      lines.push('', color.dim(`… ${plural(hidden, 'batch', 'batches')} hidden (batches ${from}–${from + hidden - 1}; --all-batches shows every one)`));
    }
  });
  return `${lines.join('\n')}\n`;
}

/**
 * A padded table as blocks that each fit in `width` columns: the feature column, then as many
 * statistics as fit. One block when it fits (or no width is given). A feature column too wide to
 * leave room for a statistic is cut, its names ending in "…".
 */
export function columnBlocks(table: TextTable, width: number | undefined): TextTable[] {
  const widthOf = (c: number) => table.header[c]!.length;
  const statistics = table.header.map((_, c) => c).slice(1);
  const lineWidth = (columns: number[]) => widthOf(0) + columns.reduce((sum, c) => sum + 2 + widthOf(c), 0);
  if (width === undefined || lineWidth(statistics) <= width) return [table];
  const widest = Math.max(...statistics.map(widthOf));
  const nameWidth = Math.max(4, Math.min(widthOf(0), width - 2 - widest));
  const cut = (cell: string) => {
    const name = cell.trimEnd();
    return name.length <= nameWidth ? name.padEnd(nameWidth) : `${name.slice(0, nameWidth - 1)}…`;
  };
  const blocks: number[][] = [];
  for (const c of statistics) {
    const last = blocks.at(-1);
    if (last && nameWidth + last.reduce((sum, k) => sum + 2 + widthOf(k), 0) + 2 + widthOf(c) <= width) last.push(c);
    else blocks.push([c]);
  }
  const pick = (cells: string[], columns: number[]) => [cut(cells[0]!), ...columns.map((c) => cells[c]!)];
  return blocks.map((columns) => ({ header: pick(table.header, columns), rows: table.rows.map((r) => pick(r, columns)) }));
}

/** Every batch, or the first and last few of many, with the number left out between them. */
export function batchesToShow(batches: readonly BatchSummary[], all: boolean): { shown: BatchSummary[]; hidden: number } {
  if (all || batches.length <= SHOWN_BATCHES_MAX) return { shown: [...batches], hidden: 0 };
  return {
    shown: [...batches.slice(0, SHOWN_AT_EACH_END), ...batches.slice(-SHOWN_AT_EACH_END)],
    hidden: batches.length - 2 * SHOWN_AT_EACH_END,
  };
}

/** "batch 0 · rows 1–4" (data rows counted from 1; the last batch may be short). */
function batchTitle(batch: BatchSummary, batchSize: number): string {
  const first = batch.index * batchSize + 1;
  const last = first + batch.rows - 1;
  const folded = batch.folded ? ` (the last ${plural(batch.folded, 'row')}, too few to train on alone, folded in)` : '';
  return `batch ${batch.index} · ${first === last ? `row ${first}` : `rows ${first}–${last}`}${folded}`;
}
