/**
 * Pass 2 of a whole-input `bn normalize` on the fast path, CSV/TSV in and the same out: each
 * record's bytes are written back with its feature cells normalized. Feature values are parsed
 * from the bytes, y = (x − μ)·scale + β with scale = γ/√(σ² + ε) (the engine's normalizeScale,
 * the same operations as normalizeValue, so the same float64), written as String(y) writes it
 * (shortest-number.ts, without making a string) or with --precision digits; every
 * other cell, and a missing one, is copied as the general writer would write its text
 * (CsvBytesWriter). Output leaves in buffers of about 1 MB, each write awaited (back-pressure).
 */
import type { AffineParams } from '../affine.js';
import { encodeCsv } from '../../io/csv-writer.js';
import { numberFormatter } from '../../io/format-number.js';
import { raggedRow, type ByteCounter, type CsvOptions } from '../../io/csv-rows.js';
import type { CsvFields, CsvRecord } from '../../io/fast/csv-scanner.js';
import { CsvBytesWriter } from '../../io/fast/csv-bytes-writer.js';
import type { OutputWriter } from '../../io/output-writer.js';
import { makePlan, type DatasetStats } from '../compute-stats.js';
import { beyondRange } from '../normalize.js';
import { fixedColumns } from '../select.js';
import { CellValues, numericMarkers } from './cell-values.js';
import { csvPass, type CsvLayout, type PassResult } from './csv-pass.js';
import type { FastPassOptions } from './fast-stats.js';
import { KNOWN_FEATURES_HEAD_BYTES, parallelPass, type ParallelOptions, type PassWork } from './parallel.js';

/** Writes normalized records as bytes: the part of pass 2 a worker thread can do as well. */
export class NormalizedRecords {
  private readonly featureOf: Int32Array;
  private readonly formatNumber: ((x: number) => string) | undefined;

  constructor(
    private readonly width: number,
    private readonly label: string,
    private readonly features: readonly number[],
    /** The transform: per batch with --batch-size. */
    public params: AffineParams,
    private readonly values: CellValues,
    /** --precision; none: the shortest round-trip text. */
    precision: number | undefined,
    readonly out: CsvBytesWriter,
  ) {
    this.formatNumber = precision === undefined ? undefined : numberFormatter(precision);
    this.featureOf = new Int32Array(width).fill(-1);
    features.forEach((j, f) => (this.featureOf[j] = f));
  }

  /** A record, its feature values parsed here (or by NumericLines: record.values). */
  record(record: CsvRecord): void {
    if (record.values !== null) this.recordParsed(record, record.values);
    else this.write(record, null, 0);
  }

  /** The feature columns, when NumericLines may parse them (no missing marker is a number). */
  fixedFeatures(): readonly number[] | undefined {
    return this.values.hasNumericMarkers ? undefined : this.features;
  }

  /** A record whose values were parsed already: columns[j][i] (NaN: missing). */
  recordWithValues(record: CsvFields, columns: readonly (Float64Array | undefined)[], i: number): void {
    this.write(record, columns, i);
  }

  /** A record whose values were parsed already: values[j] for column j (NumericLines). */
  private recordParsed(record: CsvFields, values: Float64Array): void {
    if (this.byColumn === undefined || this.byColumn.values !== values) {
      // One-element views of `values`, one a column: columns[j][0] is values[j].
      const views = Array.from({ length: this.width }, (_, j) => new Float64Array(values.buffer, values.byteOffset + 8 * j, 1));
      this.byColumn = { values, views };
    }
    this.write(record, this.byColumn.views, 0);
  }

  private byColumn: { values: Float64Array; views: Float64Array[] } | undefined;

  private write(record: CsvFields, columns: readonly (Float64Array | undefined)[] | null, i: number): void {
    const { width, featureOf, out, values } = this;
    const { mean, scale, beta } = this.params;
    if (record.length !== width) throw raggedRow(width, record.length, this.label, record.line);
    for (let j = 0; j < width; j++) {
      if (j > 0) out.delimiterByte();
      const f = featureOf[j]!;
      if (f >= 0) {
        const x = columns === null ? values.value(record, j) : columns[j]![i]!;
        // Case: missing. Written back unchanged, as any other cell.
        if (x === x) {
          const y = (x - mean[f]!) * scale[f]! + beta[f]!;
          // bn never writes Infinity or NaN (training mode checks the extremes before; inference cannot).
          if (y - y !== 0) throw beyondRange(record.text(j), values.where(record, j));
          if (this.formatNumber === undefined) out.number(y);
          else out.ascii(this.formatNumber(y));
          continue;
        }
      }
      out.field(record, j);
    }
    out.newline();
  }
}

/** The plan of pass 2: exactly the features pass 1 found. */
export function normalizedRecords(
  layout: CsvLayout,
  stats: Pick<DatasetStats, 'features'>,
  params: AffineParams,
  options: FastPassOptions & { precision?: number },
  out: CsvBytesWriter,
): NormalizedRecords {
  const plan = makePlan(layout, options, fixedColumns(stats.features));
  const values = new CellValues(plan, numericMarkers(options.naValues));
  return new NormalizedRecords(layout.width, layout.label, stats.features, params, values, options.precision, out);
}

/** The header line, as the general writer writes it. */
export function headerBytes(layout: CsvLayout, delimiter: string): Buffer {
  return Buffer.from(layout.keyed ? encodeCsv([layout.columns], delimiter) : '', 'utf8');
}

export interface NormalizeOutputOptions extends FastPassOptions {
  formatNumber: (x: number) => string;
  /** --precision (the workers rebuild formatNumber from it). */
  precision?: number;
}

/**
 * The input's records, their features transformed, to `out`: pass 2 of a whole-input normalize,
 * and inference mode. By worker threads when `path` is a file and -j > 1. `params` is asked for
 * at the first data record, after the header is written (as the general path writes it before
 * it checks γ for denormalize); what was written before an error goes out. Returns the rows.
 */
export async function writeNormalizedCsv(
  input: { path: string } | { stream: AsyncIterable<Buffer> },
  csv: CsvOptions,
  stats: Pick<DatasetStats, 'features'>,
  params: AffineParams | (() => AffineParams),
  options: NormalizeOutputOptions,
  out: OutputWriter,
  parallel: ParallelOptions = { jobs: 1 },
  counter?: ByteCounter,
): Promise<number> {
  const writer = new CsvBytesWriter(csv.delimiter.charCodeAt(0));
  const drain = async () => {
    if (writer.length === 0) return;
    await out.writeThrough(writer.bytes());
    writer.reset();
  };
  let header = false;
  const writeHeader = (layout: CsvLayout) => {
    if (!header) writer.raw(headerBytes(layout, csv.delimiter));
    header = true;
  };
  let resolved: AffineParams | undefined;
  const resolve = () => (resolved ??= typeof params === 'function' ? params() : params);
  const work: PassWork = {
    start(layout) {
      writeHeader(layout);
      const records = normalizedRecords(layout, stats, resolve(), options, writer);
      return Object.assign((record: CsvRecord) => records.record(record), { fixedFeatures: () => records.fixedFeatures() });
    },
    parallelSetup: () => ({ features: [...stats.features], naValues: options.naValues, normalize: { params: resolve(), precision: options.precision } }),
    drain,
    async consume(result) {
      await out.writeThrough(result.output!);
    },
    async afterChunk() {
      if (writer.full) await drain();
    },
  };
  let pass: PassResult;
  try {
    pass =
      'path' in input
        ? await parallelPass(input.path, csv, { headBytes: Math.min(KNOWN_FEATURES_HEAD_BYTES, parallel.blockBytes ?? KNOWN_FEATURES_HEAD_BYTES), ...parallel }, work, counter)
        : await csvPass(input.stream, csv, (layout) => work.start(layout), counter, () => work.afterChunk!());
  } catch (err) {
    await drain().catch(() => {});
    throw err;
  }
  // A header and no rows: the header alone.
  if (pass.layout) writeHeader(pass.layout);
  await drain();
  await out.flush();
  return pass.rows;
}
