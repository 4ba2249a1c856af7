/**
 * The hot loops of the exact sums (./exact-sum.ts: `measure`, and the two-accumulator pairs of
 * `addChunk` and `addSquaresChunk`) run over a column by WebAssembly (wasm/chunk-sums.ts, compiled
 * into ./chunk-sums-wasm.ts), two values at a time: the same measure, and parts that add up to
 * the same exact sums (not the same parts: each lane runs its own pair). Moments.addColumn puts
 * them into the bins, and gives a chunk whose conditions the pairs do not meet to the JavaScript
 * as before. Why: compiled ahead of time, the loops run at full speed from the first value, where
 * V8 runs the JavaScript interpreted first, a heap number for every double (a 1 MB file's values
 * went through them cold: tens of MB of garbage), and a little faster once compiled too.
 */
import { CHUNK_SUMS_WASM } from './chunk-sums-wasm.js';
import { CHUNK } from './exact-sum.js';
import { growTo, instantiate, type WasmMemory } from '../wasm-instance.js';

interface ChunkSumsExports {
  memory: WasmMemory;
  RECORD: { readonly value: number };
  freeMemory(): number;
  chunks(values: number, length: number, out: number): number;
}

/** Values one call takes (a multiple of the chunk, 512, so that chunks fall where the JavaScript cuts them). */
export const CALL_VALUES = 1 << 15;

// A chunk's record, by f64 index (see wasm/chunk-sums.ts).
export const MIN = 0;
export const MAX = 1;
export const COUNT = 2;
export const LARGEST = 3;
export const SMALLEST = 4;
export const SUM_TAKEN = 5;
export const SUM_HIGH = 6;
export const SUM_LOW = 7;
export const SQUARES_TAKEN = 8;
export const SQUARES_HIGH = 9;
export const SQUARES_LOW = 10;
export const ERRORS_HIGH = 11;
export const ERRORS_LOW = 12;

export class ChunkSums {
  /** f64s a chunk's record takes. */
  readonly record: number;
  /** The records of the last `run`, chunk c's at c·record. */
  readonly records: Float64Array;
  private readonly wasm: ChunkSumsExports;
  private readonly values: Float64Array;
  private readonly input: number;
  private readonly output: number;

  /** The thread's one instance. */
  static get(): ChunkSums {
    return (instance ??= new ChunkSums());
  }

  private constructor() {
    const wasm = (this.wasm = instantiate<ChunkSumsExports>(CHUNK_SUMS_WASM));
    this.record = wasm.RECORD.value;
    this.input = wasm.freeMemory();
    // Room for one value more: the NaN after the last (see run).
    this.output = this.input + 8 * (CALL_VALUES + 2);
    growTo(wasm.memory, this.output + 8 * this.record * (CALL_VALUES / CHUNK));
    this.values = new Float64Array(wasm.memory.buffer, this.input, CALL_VALUES + 1);
    this.records = new Float64Array(wasm.memory.buffer, this.output, this.record * (CALL_VALUES / CHUNK));
  }

  /** values[from, from + length) (length ≤ CALL_VALUES) measured and summed chunk by chunk into `records`; returns the chunks. */
  run(values: Float64Array, from: number, length: number): number {
    this.values.set(values.subarray(from, from + length));
    // A missing value after the last: the module reads values two at a time, and an odd last one's
    // pair is this, which it neither counts nor sums.
    this.values[length] = Number.NaN;
    return this.wasm.chunks(this.input, length, this.output);
  }
}

let instance: ChunkSums | undefined;
