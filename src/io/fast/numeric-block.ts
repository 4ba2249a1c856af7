/**
 * Common numeric CSV lines read many at a time, by WebAssembly (wasm/numeric-lines.ts, compiled
 * into ./numeric-lines-wasm.ts). NumericLines (./numeric-lines.ts) reads one line a call and
 * records its fields' byte ranges; this reads until a line it does not take, with no call,
 * record or callback a line, and is about 2.5 times as fast on the benchmark's ten numbers a line
 * (it is compiled ahead of time to code without bounds checks, and its mantissa is one 64-bit
 * integer). The fields' ranges come too when asked (`withFields`: a reader that keeps its
 * records, to write the rows back), as arrays a RecordStore takes whole.
 *
 * It takes a line exactly when NumericLines takes it (plain numbers; text unquoted, or quoted
 * whole on the line), and gives the same doubles (the same Clinger case: an integer below 2^53,
 * one exact power of ten, one IEEE multiplication or division) and fields, with one limit more:
 * at most 19 digits, so that its 64-bit integer cannot wrap. A line it does not take is left to
 * NumericLines and the scanner.
 */
import type { Buffer } from 'node:buffer';
import { canBePartOfNumber } from './decimal.js';
import { NUMERIC_LINES_WASM } from './numeric-lines-wasm.js';
import { growTo, instantiate, type WasmMemory } from '../../wasm-instance.js';

interface NumericLinesExports {
  memory: WasmMemory;
  stopped: { readonly value: number };
  freeMemory(): number;
  parse(start: number, end: number, width: number, delimiter: number, isFeature: number, out: number, rowRoom: number, starts: number, ends: number, kinds: number, base: number): number;
}

const LF = 0x0a;
/** Bytes of input copied into the module's memory at a time. */
export const WINDOW_BYTES = 256 << 10;
/** Bytes of values one call may write: the lines it reads at most follow from the width. */
const VALUE_BYTES = 1 << 20;

export class NumericBlock {
  /** Lines one `read` takes at most; column j's values start at values[j·rowRoom]. */
  readonly rowRoom: number;
  /** The values of the lines the last `read` took: line r's value of feature column j at values[j·rowRoom + r]. */
  readonly values: Float64Array;
  /** Lines the last `read` took. */
  rows = 0;
  /** Where the first line the last `read` did not take starts. */
  next = 0;
  /**
   * With `withFields`: the byte ranges, in the buffer given to `read`, of the fields of the lines
   * it took: field j of line r from fieldStarts[r·width + j] to fieldEnds[r·width + j].
   */
  readonly fieldStarts: Int32Array | undefined;
  readonly fieldEnds: Int32Array | undefined;
  /** And their kinds (FieldKind: Plain, Quoted or Escaped). */
  readonly fieldKinds: Uint8Array | undefined;
  /** The line the last `read`'s first line is on (set by the scanner that hands the lines on). */
  line = 0;

  private readonly wasm: NumericLinesExports;
  private readonly memory: Uint8Array;
  private readonly isFeature: number;
  private readonly input: number;
  private readonly output: number;
  /** The bytes in the module's memory: buffer[from, to), or none. */
  private buffer: Buffer | null = null;
  private from = 0;
  private to = 0;

  /**
   * A reader for these columns, or null: no feature, or a delimiter that can be part of a
   * number (with `-d e`, the scanner splits `1e5` in two).
   */
  static for(width: number, delimiter: string, features: readonly number[], withFields = false): NumericBlock | null {
    return features.length === 0 || canBePartOfNumber(delimiter) ? null : new NumericBlock(width, delimiter.charCodeAt(0), features, withFields);
  }

  private constructor(
    readonly width: number,
    private readonly delimiter: number,
    features: readonly number[],
    withFields: boolean,
  ) {
    this.rowRoom = Math.max(1, Math.floor(VALUE_BYTES / 8 / width));
    const wasm = (this.wasm = instantiate<NumericLinesExports>(NUMERIC_LINES_WASM));
    // The memory: the module's constants, one byte a column, the input window (and 16 bytes of room
    // past it: the module reads a field as one 16-byte vector, up to 15 bytes past the window's
    // last line), the values, and the fields' starts and ends.
    const cells = width * this.rowRoom;
    this.isFeature = wasm.freeMemory();
    this.input = align(this.isFeature + width, 16);
    this.output = align(this.input + WINDOW_BYTES + 16, 8);
    this.starts = withFields ? this.output + 8 * cells : 0;
    this.ends = withFields ? this.starts + 4 * cells : 0;
    this.kinds = withFields ? this.ends + 4 * cells : 0;
    growTo(wasm.memory, this.output + (withFields ? 17 : 8) * cells);
    // Views made after the memory grew (growing detaches the ones before).
    const { buffer } = wasm.memory;
    this.memory = new Uint8Array(buffer);
    this.values = new Float64Array(buffer, this.output, cells);
    if (withFields) {
      this.fieldStarts = new Int32Array(buffer, this.starts, cells);
      this.fieldEnds = new Int32Array(buffer, this.ends, cells);
      this.fieldKinds = new Uint8Array(buffer, this.kinds, cells);
    }
    for (const j of features) this.memory[this.isFeature + j] = 1;
  }

  private readonly starts: number;
  private readonly ends: number;
  private readonly kinds: number;

  /** The buffer the last `read` took its lines from (its fields' ranges are in it). */
  get source(): Buffer | null {
    return this.buffer;
  }

  /**
   * Reads lines from buf[pos, end), where `end` is just after an LF: as many as it takes, up to
   * `rowRoom`, into `values`. Returns how many (0: the line at `pos` is not for it); `next` says
   * where the next line starts.
   */
  read(buf: Buffer, pos: number, end: number): number {
    if (buf !== this.buffer || pos < this.from || pos >= this.to) {
      // A window of whole lines at `pos`, copied into the module's memory.
      let to = Math.min(end, pos + WINDOW_BYTES);
      if (to < end) to = buf.lastIndexOf(LF, to - 1) + 1;
      this.buffer = null;
      if (to <= pos) return this.took(0, pos); // a line longer than the window
      buf.copy(this.memory, this.input, pos, to);
      this.buffer = buf;
      this.from = pos;
      this.to = to;
    }
    const { wasm, input } = this;
    const start = input + (pos - this.from);
    // Field ranges as offsets into `buf`: an address in the window less the window's address, plus where it starts in `buf`.
    const rows = wasm.parse(start, input + (this.to - this.from), this.width, this.delimiter, this.isFeature, this.output, this.rowRoom, this.starts, this.ends, this.kinds, this.from - input);
    return this.took(rows, pos + wasm.stopped.value);
  }

  /** The bytes given to `read` before may have changed since (a buffer reused): copy them again. */
  forget(): void {
    this.buffer = null;
  }

  private took(rows: number, next: number): number {
    this.rows = rows;
    this.next = next;
    return rows;
  }
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
