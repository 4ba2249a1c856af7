/**
 * Scanned CSV records → batches (../batch.ts): one Float64Array per feature column, NaN where a
 * cell is missing, and, when the consumer writes rows back, the records themselves (their byte
 * ranges: RecordStore). Only the cells of undecided columns (no value seen yet) are decoded as
 * text; feature cells are parsed from the bytes (or come parsed: NumericLines); other columns are
 * not looked at. Each record's fields are checked in column order, as the row reader checks
 * them, so the first bad cell of the input is the one reported.
 *
 * The main thread's passes and the workers' byte ranges both batch records here.
 */
import type { ErrorLocation } from '../../errors.js';
import { raggedRow } from '../../io/csv-rows.js';
import { fieldTexts, type CsvFields, type CsvRecord } from '../../io/fast/csv-scanner.js';
import type { NumericBlock } from '../../io/fast/numeric-block.js';
import { RecordStore } from '../../io/fast/record-store.js';
import type { Row } from '../../io/table.js';
import type { BatchEnd, BatchRecords, RowBatch } from '../batch.js';
import type { FeaturePlan } from '../feature-plan.js';
import { FeatureColumns } from '../feature-columns.js';
import type { CellValues } from './cell-values.js';

export interface CsvBatcherOptions {
  width: number;
  label: string;
  plan: FeaturePlan;
  values: CellValues;
  /** Rows per batch. */
  capacity: number;
  /** `capacity` is the consumer's batch size (-b), kept whatever the width; otherwise the most a batch holds (see FeatureColumns). */
  fixedSize: boolean;
  /**
   * Keep the records: 'copy' their bytes (a batch that outlives the chunk it was read from),
   * 'borrow' them (the batch is handed on before the scanner reads on: see flush), or 'none'.
   */
  records: 'copy' | 'borrow' | 'none';
  /** The consumer holds a batch until the next one (BatchConsumer.holds): two sets of buffers, in turn. Needs 'copy' or 'none'. */
  holds?: boolean;
  onBatch: (batch: RowBatch, end: BatchEnd) => void;
}

/** The buffers a batch is filled in. */
interface Slot {
  batch: RowBatch;
  store: RecordStore | undefined;
  columns: FeatureColumns;
}

export class CsvBatcher {
  private batch: RowBatch;
  private store: RecordStore | undefined;
  private columns: FeatureColumns;
  private undecided: number[];
  /** One slot, or two filled in turn when the consumer holds a batch. */
  private readonly slots: Slot[];
  private current = 0;

  constructor(private readonly options: CsvBatcherOptions) {
    if (options.holds && options.records === 'borrow') throw new RangeError('CsvBatcher: a held batch cannot borrow its records');
    this.slots = options.holds ? [this.slot(), this.slot()] : [this.slot()];
    ({ batch: this.batch, store: this.store, columns: this.columns } = this.slots[0]!);
    this.undecided = options.plan.undecided();
    this.columns.refresh(options.plan);
  }

  private slot(): Slot {
    const { records, capacity, values } = this.options;
    const store = records === 'none' ? undefined : new RecordStore(records === 'copy');
    const columns = new FeatureColumns(capacity, this.options.fixedSize);
    const batch: RowBatch = { rows: 0, values: columns.values };
    if (store) batch.records = new StoredRecords(store, values);
    return { batch, store, columns };
  }

  /** A data record (not the header, not blank). */
  record(record: CsvRecord): void {
    const { options } = this;
    if (record.values === null && record.length !== options.width) throw raggedRow(options.width, record.length, options.label, record.line, record.length === 1 ? record.text(0) : undefined);
    // A consumer that holds batches gets a full one when the next (well-formed) record comes, so
    // that the batch the input ends with is handed on as 'last' (it may be folded into the one held).
    if (options.holds && this.batch.rows >= this.columns.limit) this.flush('more');
    const { batch } = this;
    if (record.values === null && this.undecided.length > 0) this.decide(record);
    const i = batch.rows;
    this.columns.fit(i);
    const columns = batch.values;
    const features = this.columns.features;
    if (record.values !== null) {
      const parsed = record.values;
      for (let f = 0; f < features.length; f++) {
        const j = features[f]!;
        columns[j]![i] = parsed[j]!;
      }
    } else {
      const values = options.values;
      for (let f = 0; f < features.length; f++) {
        const j = features[f]!;
        columns[j]![i] = values.value(record, j);
      }
    }
    this.store?.add(record);
    batch.rows = i + 1;
    if (!options.holds && batch.rows >= this.columns.limit) this.flush('more');
  }

  /**
   * Lines NumericBlock read, as rows: its values of the feature columns (which are settled:
   * `fixedFeatures`), and where records are kept (borrowed), its fields' ranges as records.
   */
  lines(block: NumericBlock): void {
    const { options } = this;
    if (!this.takesLines || (options.records === 'borrow' && !block.fieldStarts)) throw new Error('CsvBatcher: lines of a NumericBlock it cannot keep');
    const { values, rowRoom, rows } = block;
    for (let done = 0; done < rows; ) {
      if (options.holds && this.batch.rows >= this.columns.limit) this.flush('more');
      const { batch, columns } = this;
      const i = batch.rows;
      const take = Math.min(rows - done, columns.limit - i);
      columns.fit(i + take - 1);
      for (const j of columns.features) {
        const from = j * rowRoom + done;
        batch.values[j]!.set(values.subarray(from, from + take), i);
      }
      this.store?.addLines(block, done, take);
      batch.rows = i + take;
      done += take;
      if (!options.holds && batch.rows >= columns.limit) this.flush('more');
    }
  }

  /** Whether `lines` may be used: no record is kept, or records are borrowed (NumericBlock made withFields: `keepsRecords`). */
  get takesLines(): boolean {
    return this.options.records !== 'copy';
  }

  /** Whether the lines it takes must come with their fields. */
  get keepsRecords(): boolean {
    return this.options.records !== 'none';
  }

  /**
   * The feature columns, once every column is decided and when NumericLines may parse them (no
   * missing marker is a number); undefined otherwise.
   */
  fixedFeatures(): readonly number[] | undefined {
    return this.undecided.length === 0 && !this.options.values.hasNumericMarkers ? this.columns.features : undefined;
  }

  /** Hands on the rows held, if any. Borrowed records must go before the scanner reads on. */
  flush(end: BatchEnd): void {
    const { batch } = this;
    if (batch.rows === 0) return;
    try {
      this.options.onBatch(batch, end);
    } finally {
      // Handed on once, even when the consumer failed. A held batch stays as it is: the other
      // slot, whose batch the consumer has let go of by now, is filled next.
      if (this.slots.length > 1) {
        this.current = 1 - this.current;
        ({ batch: this.batch, store: this.store, columns: this.columns } = this.slots[this.current]!);
      }
      this.batch.rows = 0;
      this.store?.clear();
      // The consumer may have settled the features (training with -b freezes them after a batch).
      if (this.undecided.length > 0 || this.slots.length > 1) {
        this.undecided = this.options.plan.undecided();
        this.columns.refresh(this.options.plan);
      }
    }
  }

  /**
   * At the end of an input chunk: hands on the rows held when the records are borrowed (before
   * the scanner's next chunk), or always when the consumer wants each chunk's rows at once.
   */
  endOfChunk(always = false): void {
    if (always || this.options.records === 'borrow') this.flush('more');
  }

  /** Drops the rows held (a task that failed half-way: its rows are not wanted). */
  discard(): void {
    this.batch.rows = 0;
    this.store?.clear();
  }

  /** Columns whose first non-missing value is in this record become features (or not). */
  private decide(record: CsvRecord): void {
    let changed = false;
    for (const j of this.undecided) if (this.options.plan.observeCell(j, record.text(j))) changed = true;
    if (!changed) return;
    this.undecided = this.options.plan.undecided();
    this.columns.refresh(this.options.plan);
  }
}

/** The records of a CSV batch, for writers and messages. */
class StoredRecords implements BatchRecords {
  constructor(
    private readonly store: RecordStore,
    private readonly values: CellValues,
  ) {}

  readonly fields = (i: number): CsvFields => this.store.at(i);

  /** The field's text, as row(i) holds it; none past the record's last field. */
  readonly value = (i: number, j: number): string | undefined => {
    const record = this.store.at(i);
    return j < record.length ? record.text(j) : undefined;
  };

  row(i: number): Row {
    const record = this.store.at(i);
    return { cells: fieldTexts(record), line: record.line };
  }

  cell(i: number, j: number): { value: unknown; where: ErrorLocation } {
    const record = this.store.at(i);
    return { value: record.text(j), where: this.values.where(record, j) };
  }
}
