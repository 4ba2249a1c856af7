/**
 * Scanned records kept for later, as a batch of rows: their fields' ranges, kinds and lines;
 * `at(i)` gives record i back as CsvFields, for CellValues and CsvBytesWriter.
 *
 * Two ways to keep the bytes. Copied (`normalize -b N` holds N records until the batch's
 * statistics are known, across chunks of input): each record's bytes go into one growing buffer,
 * since the scanner's buffer is reused after the callback. Borrowed: the records of one chunk all
 * lie in the buffer the scanner was given, which stays as it is until the next chunk, so only
 * their ranges are kept; such a batch must be used before the scanner reads on.
 */
import { Buffer } from 'node:buffer';
import { FieldKind, fieldText, type CsvFields, type CsvRecord } from './csv-scanner.js';
import type { NumericBlock } from './numeric-block.js';

export class RecordStore {
  private bytes = Buffer.allocUnsafe(1 << 16);
  private used = 0;
  private starts = new Int32Array(1024);
  private ends = new Int32Array(1024);
  private kinds = new Uint8Array(1024);
  private fields = 0;
  /** Per record: its first field's index, and its line. */
  /** Per record: its first field's index, and its line; typed and reused, so that a batch makes no garbage. */
  private firsts = new Int32Array(256);
  private lines = new Float64Array(256);
  private records = 0;
  private composites = new Map<number, string>();
  private readonly view = new StoredRecord(this);
  /** The scanner's buffer the records lie in, when they are borrowed. */
  private borrowed: Buffer | undefined;

  /** @param copy copy the records' bytes (else borrow the scanner's buffer: see above) */
  constructor(private readonly copy = true) {}

  get length(): number {
    return this.records;
  }

  add(record: CsvRecord): void {
    const n = record.length;
    let shift = 0;
    if (this.copy) {
      // The record as written: from its first field's first byte (a quote, maybe) to its last's last.
      const from = rawStart(record, 0);
      const to = rawEnd(record, n - 1);
      this.reserve(to - from, n);
      record.buffer.copy(this.bytes, this.used, from, to);
      shift = this.used - from;
      this.used += to - from;
    } else {
      // Borrowed: the bytes stay in the scanner's buffer, the ranges as they are.
      if (this.borrowed !== record.buffer) {
        if (this.records > 0) throw new Error('RecordStore: borrowed records of two chunks in one batch');
        this.borrowed = record.buffer;
      }
      this.reserve(0, n);
    }
    this.push(record.line);
    for (let j = 0; j < n; j++) {
      const f = this.fields + j;
      this.starts[f] = record.start(j) + shift;
      this.ends[f] = record.end(j) + shift;
      const kind = record.kind(j);
      this.kinds[f] = kind;
      if (kind === FieldKind.Composite) this.composites.set(f, record.text(j));
    }
    this.fields += n;
  }

  /**
   * Lines [from, from + count) of the last read of `block` (made with its fields), borrowed:
   * records of plain or quoted fields, on lines one after the other from block.line + from.
   */
  addLines(block: NumericBlock, from: number, count: number): void {
    if (this.copy) throw new Error('RecordStore: lines of a NumericBlock are borrowed, not copied');
    const buffer = block.source!;
    if (this.borrowed !== buffer) {
      if (this.records > 0) throw new Error('RecordStore: borrowed records of two chunks in one batch');
      this.borrowed = buffer;
    }
    const { width } = block;
    const cells = count * width;
    this.reserve(0, cells);
    const first = from * width;
    this.starts.set(block.fieldStarts!.subarray(first, first + cells), this.fields);
    this.ends.set(block.fieldEnds!.subarray(first, first + cells), this.fields);
    this.kinds.set(block.fieldKinds!.subarray(first, first + cells), this.fields);
    for (let r = 0; r < count; r++) {
      this.push(block.line + from + r);
      this.fields += width;
    }
  }

  /** Record i (valid until the next `at` or `clear`). */
  at(i: number): CsvFields {
    return this.view.point(i);
  }

  clear(): void {
    this.used = 0;
    this.fields = 0;
    this.records = 0;
    this.composites.clear();
    this.borrowed = undefined;
  }

  /** @internal */ buffer(): Buffer {
    return this.borrowed ?? this.bytes;
  }
  /** @internal */ first(i: number): number {
    return this.firsts[i]!;
  }
  /** @internal */ count(i: number): number {
    return (i + 1 < this.records ? this.firsts[i + 1]! : this.fields) - this.firsts[i]!;
  }
  /** @internal */ line(i: number): number {
    return this.lines[i]!;
  }
  /** @internal */ startOf(f: number): number {
    return this.starts[f]!;
  }
  /** @internal */ endOf(f: number): number {
    return this.ends[f]!;
  }
  /** @internal */ kindOf(f: number): FieldKind {
    return this.kinds[f]! as FieldKind;
  }
  /** @internal */ compositeText(f: number): string {
    return this.composites.get(f)!;
  }

  /** A new record: its first field is the next one. */
  private push(line: number): void {
    const n = this.records;
    if (n === this.firsts.length) {
      const firsts = new Int32Array(2 * n);
      firsts.set(this.firsts);
      this.firsts = firsts;
      const lines = new Float64Array(2 * n);
      lines.set(this.lines);
      this.lines = lines;
    }
    this.firsts[n] = this.fields;
    this.lines[n] = line;
    this.records = n + 1;
  }

  private reserve(bytes: number, fields: number): void {
    if (this.used + bytes > this.bytes.length) {
      const bigger = Buffer.allocUnsafe(Math.max(2 * this.bytes.length, this.used + bytes));
      this.bytes.copy(bigger, 0, 0, this.used);
      this.bytes = bigger;
    }
    if (this.fields + fields > this.starts.length) {
      const size = Math.max(2 * this.starts.length, this.fields + fields);
      const grow = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
        const b = make(size);
        b.set(a);
        return b;
      };
      this.starts = grow(this.starts, (k) => new Int32Array(k));
      this.ends = grow(this.ends, (k) => new Int32Array(k));
      this.kinds = grow(this.kinds, (k) => new Uint8Array(k));
    }
  }
}

function rawStart(record: CsvRecord, j: number): number {
  const kind = record.kind(j);
  return kind === FieldKind.Quoted || kind === FieldKind.Escaped ? record.start(j) - 1 : record.start(j);
}

function rawEnd(record: CsvRecord, j: number): number {
  const kind = record.kind(j);
  return kind === FieldKind.Quoted || kind === FieldKind.Escaped ? record.end(j) + 1 : record.end(j);
}

/** A stored record seen as CsvFields. */
class StoredRecord implements CsvFields {
  private base = 0;
  length = 0;
  line = 0;

  constructor(private readonly store: RecordStore) {}

  get buffer(): Buffer {
    return this.store.buffer();
  }

  point(i: number): this {
    this.base = this.store.first(i);
    this.length = this.store.count(i);
    this.line = this.store.line(i);
    return this;
  }

  start(j: number): number {
    return this.store.startOf(this.base + j);
  }

  end(j: number): number {
    return this.store.endOf(this.base + j);
  }

  kind(j: number): FieldKind {
    return this.store.kindOf(this.base + j);
  }

  text(j: number): string {
    const f = this.base + j;
    const kind = this.store.kindOf(f);
    return kind === FieldKind.Composite ? this.store.compositeText(f) : fieldText(this.buffer, this.store.startOf(f), this.store.endOf(f), kind);
  }
}
