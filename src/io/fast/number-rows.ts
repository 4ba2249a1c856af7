/**
 * Rows whose every cell is a number, written as CSV by WebAssembly (wasm/shortest-number.ts,
 * compiled into ./shortest-number-wasm.ts): the lines of a normalized table with no pass-through
 * column and no missing cell, the common case of `bn normalize`. Its numbers are
 * ./shortest-number.ts's, operation for operation (the same tables, copied in), so the same
 * bytes as `String(x)`; a number that code cannot decide is written by `String(x)` here too,
 * called back from the module. In JavaScript the number writer was about 75 ns a number, most of
 * a `normalize`'s second pass; compiled ahead of time, with no bounds checks on its tables and
 * integer division where V8 uses doubles, it is a few times faster.
 */
import { Buffer } from 'node:buffer';
import type { CsvBytesWriter } from './csv-bytes-writer.js';
import { powerTables } from './shortest-number.js';
import { SHORTEST_NUMBER_WASM } from './shortest-number-wasm.js';
import { growTo, instantiate, type WasmMemory } from '../../wasm-instance.js';

interface ShortestNumberExports {
  memory: WasmMemory;
  freeMemory(): number;
  setTables(hi: number, lo: number, hiHigh: number, hiLow: number, halfUlp: number): void;
  tryWriteShortest(x: number, pos: number): number;
  writeRows(values: number, rowRoom: number, rows: number, width: number, delimiter: number, out: number): number;
}

/** Values one call takes at most: rows of `width` values up to this many. */
const CELLS = 1 << 14;
/** Bytes of room a number takes (its text is at most 25 bytes), and its delimiter or LF. */
const CELL_ROOM = 27;

export class NumberRows {
  /** Rows one call writes at most. */
  readonly rowRoom: number;
  private readonly wasm: ShortestNumberExports;
  private readonly values: number;
  private readonly output: number;
  private view: Float64Array;
  private bytes: Uint8Array;

  /** The writer of rows of this width, one a thread (the last width asked for is kept). */
  static of(width: number): NumberRows {
    if (last?.width !== width) last = new NumberRows(width);
    return last;
  }

  private constructor(readonly width: number) {
    this.rowRoom = Math.max(1, Math.floor(CELLS / width));
    const wasm = (this.wasm = instantiate<ShortestNumberExports>(SHORTEST_NUMBER_WASM, { writeString: (x: number, at: number) => this.writeString(x, at) }));
    const t = powerTables();
    const tables = [t.hi, t.lo, t.hiHigh, t.hiLow, t.halfUlp];
    let at = wasm.freeMemory();
    const starts = tables.map((table) => {
      const start = at;
      at += table.byteLength;
      return start;
    });
    this.values = at;
    this.output = this.values + 8 * width * this.rowRoom;
    growTo(wasm.memory, this.output + this.rowRoom * width * CELL_ROOM + 64);
    this.view = new Float64Array(wasm.memory.buffer);
    this.bytes = new Uint8Array(wasm.memory.buffer);
    tables.forEach((table, k) => this.view.set(table, starts[k]! / 8));
    wasm.setTables(starts[0]!, starts[1]!, starts[2]!, starts[3]!, starts[4]!);
  }

  /**
   * Rows [from, rows) of `columns` (column j's values, one a column; none missing among the rows
   * written) as CSV lines into `out`, as many as it can: it stops before a slice of rowRoom rows
   * that holds a NaN (a missing cell: the caller writes it, and the rows after). Returns the row
   * it stopped at (`rows` when it wrote them all).
   */
  write(out: CsvBytesWriter, columns: readonly (Float64Array | undefined)[], from: number, rows: number): number {
    const { wasm, rowRoom, width, view } = this;
    const delimiter = out.delimiter;
    for (let start = from; start < rows; start += rowRoom) {
      const n = Math.min(rowRoom, rows - start);
      for (let j = 0; j < width; j++) view.set(columns[j]!.subarray(start, start + n), this.values / 8 + j * rowRoom);
      const length = wasm.writeRows(this.values, rowRoom, n, width, delimiter, this.output);
      if (length < 0) return start;
      out.raw(this.bytes.subarray(this.output, this.output + length));
    }
    return rows;
  }

  /** The module's call back for a number it cannot decide: String(x), as ASCII, at `at`. */
  private writeString(x: number, at: number): number {
    const text = String(x);
    Buffer.from(this.bytes.buffer).write(text, at, 'latin1');
    return at + text.length;
  }

  /** tryWriteShortest of ./shortest-number.ts, in the module (for its test): the bytes, or undefined where it cannot decide. */
  tryWrite(x: number): Buffer | undefined {
    const at = this.output;
    const end = this.wasm.tryWriteShortest(x, at);
    return end < 0 ? undefined : Buffer.from(this.bytes.subarray(at, end));
  }
}

let last: NumberRows | undefined;
