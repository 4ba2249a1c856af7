/**
 * Snappy decompression (the format: github.com/google/snappy, format_description.txt) into a
 * buffer the caller gives, for Parquet pages (./parquet-memory.ts hands out reused ones).
 *
 * Why not hyparquet's decoder: it copies every byte in a loop. Pages of doubles decompress into
 * many short literals and copies (the bench's columns: 10–20 elements a hundred bytes), so the
 * cost is per element. The elements are decoded by WebAssembly (wasm/snappy.ts, compiled into
 * ./snappy-wasm.ts), a short one as one 16-byte load and store: a page is copied into the
 * module's memory and its output out of it. Measured on the bench's Parquet copy (80 MB of
 * pages): 169 ms of JavaScript (itself a word at a time, twice hyparquet's speed) against ≈ 50 ms
 * of WebAssembly and ≈ 40 ms of copies in and out. The module's memory stays as large as the
 * largest page so far, compressed and not (a few MB for common pages). test/io/snappy.test.ts checks it against hyparquet's decoder.
 */
import { SNAPPY_WASM } from './snappy-wasm.js';
import { growTo, instantiate, type WasmMemory } from '../wasm-instance.js';

interface SnappyExports {
  memory: WasmMemory;
  SLACK: { readonly value: number };
  freeMemory(): number;
  decode(src: number, srcEnd: number, dst: number, dstEnd: number): number;
}

/** What the module's refusals (negative results of `decode`, -1 on) say. */
const REFUSALS = ['literal length past the end of input', 'literal past the end of input', 'literal past the end of output', 'copy past the end of input', 'copy from before the start of output', 'copy past the end of output'];

/** Decompresses `input` into `output`, which must be exactly its uncompressed length. */
export function snappyUncompress(input: Uint8Array, output: Uint8Array): void {
  let pos = 0;
  let declared = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= input.length || shift > 28) throw new Error('snappy: invalid length header');
    const byte = input[pos++]!;
    declared += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) break;
  }
  if (declared !== output.length) throw new Error(`snappy: ${declared} bytes declared, ${output.length} expected`);
  const written = Decoder.get().decode(input.subarray(pos), output);
  if (written < 0) throw new Error(`snappy: ${REFUSALS[-written - 1] ?? `refused (${written})`}`);
  if (written !== output.length) throw new Error('snappy: premature end of input');
}

/** The thread's instance of the module, its memory grown to the largest page so far. */
class Decoder {
  private static instance: Decoder | undefined;
  private readonly wasm: SnappyExports;
  private readonly base: number;
  private readonly slack: number;

  static get(): Decoder {
    return (Decoder.instance ??= new Decoder());
  }

  private constructor() {
    this.wasm = instantiate<SnappyExports>(SNAPPY_WASM);
    this.base = this.wasm.freeMemory();
    this.slack = this.wasm.SLACK.value;
  }

  /** The elements in `input` decoded into `output`: the bytes written, or a refusal (negative). */
  decode(input: Uint8Array, output: Uint8Array): number {
    const src = this.base;
    const dst = align16(src + input.length + this.slack);
    growTo(this.wasm.memory, dst + output.length + this.slack);
    const memory = new Uint8Array(this.wasm.memory.buffer);
    memory.set(input, src);
    const written = this.wasm.decode(src, src + input.length, dst, dst + output.length);
    if (written > 0) output.set(memory.subarray(dst, dst + written));
    return written;
  }
}

function align16(n: number): number {
  return (n + 15) & ~15;
}
