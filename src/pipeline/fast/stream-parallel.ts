/**
 * `-j N` on a stream (standard input, a FIFO, a decompressed file): the main thread reads the
 * stream and scans its head itself (the header and the first rows decide the features, as for a
 * file), then cuts the rest into blocks of about `blockBytes`, each ending just after an LF, and
 * hands each block's bytes to a worker (transferred, not copied; they come back with its result
 * to be filled again). Results are taken in order by the same scheduler as a file's byte ranges
 * (./block-scheduler.ts), which checks each cut and reads on alone across one that fell inside a
 * quoted field: so the results are those of -j 1, bit for bit, errors and their lines included.
 *
 * Memory: a block is read only when a thread can take it, so a fast producer waits (the pipe
 * fills) rather than the blocks piling up here.
 */
import type { ByteCounter, CsvOptions } from '../../io/csv-rows.js';
import { CsvScanner, MAX_RECORD_BYTES, RecordDelimiter } from '../../io/fast/csv-scanner.js';
import { translateError } from '../../io/fast/scan-error.js';
import { Utf8Checker } from '../../io/utf8.js';
import type { BatchConsumer, ReadEnd } from '../batch.js';
import { blockSizes, passWorkFor, runBlocks, type BlockSource, type PassWork, type ReadAlone, type SourceBlock } from './block-scheduler.js';
import { readEnd } from './csv-batches.js';
import { RecordRouter, type PassResult } from './csv-pass.js';
import { DEFAULT_BLOCK_BYTES, KNOWN_FEATURES_HEAD_BYTES } from './parallel.js';
import { WorkerPool } from './worker-pool.js';

export interface StreamParallelOptions {
  /** Threads: the main thread and jobs − 1 workers (more than 1). */
  jobs: number;
  /** Bytes per block (and of the head the main thread reads). */
  blockBytes?: number;
}

/** A CSV/TSV stream into `consumer`, its blocks parsed by worker threads where the consumer has a WorkerStep. */
export async function readStreamBatches(
  input: AsyncIterable<Buffer>,
  csv: CsvOptions,
  options: StreamParallelOptions,
  consumer: BatchConsumer,
  naValues: readonly string[],
  counter?: ByteCounter,
): Promise<ReadEnd> {
  const { work, batcher } = passWorkFor(consumer, naValues);
  const blockBytes = options.blockBytes ?? DEFAULT_BLOCK_BYTES;
  const headBytes = consumer.settled ? Math.min(KNOWN_FEATURES_HEAD_BYTES, blockBytes) : blockBytes;
  let pass: PassResult;
  try {
    pass = await streamPass(input[Symbol.asyncIterator](), csv, { jobs: options.jobs, blockBytes, headBytes }, work, counter);
  } catch (err) {
    if (consumer.rowsBeforeError) batcher()?.flush('error');
    throw err;
  }
  batcher()?.flush('last');
  return readEnd(pass, csv.label);
}

/** Read (or a block, if less) before the worker threads are started: a stream that ends sooner does without them. */
const WARM_AFTER_BYTES = 64 << 10;

async function streamPass(
  chunks: AsyncIterator<Buffer>,
  csv: CsvOptions,
  options: { jobs: number; blockBytes: number; headBytes: number },
  work: PassWork,
  counter?: ByteCounter,
): Promise<PassResult> {
  const router = new RecordRouter(csv, (layout) => work.start(layout));
  const head = new CsvScanner({ delimiter: csv.delimiter, lazyQuotes: csv.lazyQuotes }, router.onRecord);
  /** Scans bytes in the main thread, as a one-thread pass does. */
  const push = async (scanner: CsvScanner, bytes: Uint8Array, utf8: Utf8Checker) => {
    // bn reads UTF-8, as ../../io/input.ts checks it for the row readers (what comes before a bad byte first: see Utf8Checker.valid).
    const { bytes: valid, error } = utf8.valid(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    await router.scan(scanner, valid, counter, work.afterChunk);
    if (error) throw error;
  };
  let pool: WorkerPool | undefined;
  try {
    const headUtf8 = new Utf8Checker(csv.label);
    let offset = 0;
    let rest: Buffer | undefined; // what follows the head in the chunk where it ends
    for (;;) {
      const next = await chunks.next();
      if (next.done) break;
      const chunk = next.value;
      if (offset + chunk.length > Math.min(WARM_AFTER_BYTES, options.blockBytes) && options.jobs > 1) (pool ??= new WorkerPool(options.jobs - 1)).warm();
      const cut = offset >= options.headBytes && head.discoveredRecordDelimiter === RecordDelimiter.Lf ? chunk.lastIndexOf(LF) + 1 : 0;
      await push(head, cut > 0 ? chunk.subarray(0, cut) : chunk, headUtf8);
      offset += cut > 0 ? cut : chunk.length;
      // The head ends at a record boundary (not an LF inside quotes), once it decided the features.
      if (cut > 0 && head.pendingBytes === 0 && router.handle) {
        rest = chunk.subarray(cut);
        break;
      }
      if (cut > 0) {
        await push(head, chunk.subarray(cut), headUtf8);
        offset += chunk.length - cut;
      }
    }
    const setup = rest && pool ? work.parallelSetup() : undefined;
    if (setup === undefined) {
      // One thread to the end: the input was short, its lines end with a lone CR, or workers cannot help.
      if (rest) await push(head, rest, headUtf8);
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) await push(head, next.value, headUtf8);
      headUtf8.end();
      head.end();
      return { layout: router.layout, recordDelimiter: head.discoveredRecordDelimiter, nextLine: head.nextLine, rows: router.rows };
    }
    headUtf8.end();
    await work.drain();
    const rd = RecordDelimiter.Lf;
    // The main thread's own reading, from the start of a record that a block's end cut.
    const alone: ReadAlone = async (from, firstLine, steps) => {
      const scanner = new CsvScanner({ delimiter: csv.delimiter, recordDelimiter: rd, bom: false, firstLine, lazyQuotes: csv.lazyQuotes }, router.onRecord);
      const utf8 = new Utf8Checker(csv.label, from);
      let end = from;
      for await (const step of steps) {
        const bytes = step.bytes!;
        const blockStart = step.end - bytes.length;
        await push(scanner, from > blockStart ? bytes.subarray(from - blockStart) : bytes, utf8);
        end = step.end;
        if (!step.final && scanner.pendingBytes > 0) continue;
        break;
      }
      utf8.end();
      scanner.end(); // at a record boundary; or the input's end, where an open quote is an error
      await work.drain();
      return { end, nextLine: scanner.nextLine };
    };
    const taskSetup = { ...setup, kind: 'csv' as const, path: undefined, size: Infinity, delimiter: csv.delimiter, lazyQuotes: csv.lazyQuotes, layout: router.layout!, recordDelimiter: rd };
    const blocks = new StreamBlocks(chunks, rest!, offset, options.blockBytes);
    const outcome = await runBlocks(blocks, head.nextLine, pool!, taskSetup, work, alone, counter);
    return { layout: router.layout, recordDelimiter: rd, nextLine: outcome.nextLine, rows: router.rows + outcome.rows };
  } catch (err) {
    throw translateError(err, csv.label);
  } finally {
    await pool?.close();
  }
}

const LF = 0x0a;

/**
 * A stream's blocks: chunks gathered into a buffer until it holds `blockBytes` (the first ones
 * less: blockSizes), then cut after its last LF (what follows goes to the next block). Buffers come back (recycle) to be filled again.
 */
class StreamBlocks implements BlockSource {
  readonly keepsBytes = true;
  private readonly spare: ArrayBuffer[] = [];
  private buffer: Uint8Array;
  private filled = 0;
  private ended = false;
  private readonly sizes: () => number;

  constructor(
    private readonly chunks: AsyncIterator<Buffer>,
    first: Uint8Array,
    /** The input's offset of the buffer's first byte. */
    private start: number,
    private readonly blockBytes: number,
  ) {
    this.sizes = blockSizes(blockBytes);
    this.buffer = this.fresh(first.length);
    this.buffer.set(first);
    this.filled = first.length;
  }

  async next(): Promise<Omit<SourceBlock, 'index'> | undefined> {
    const size = this.sizes();
    while (!this.ended && this.filled < size) await this.read();
    let cut = this.lastLineEnd();
    // Case: no LF in a whole block (a long record): read on until one comes, or the stream ends;
    // past the longest record bn reads, the main thread reads it (and says it is too long).
    while (cut === 0 && !this.ended && this.filled <= MAX_RECORD_BYTES) {
      await this.read();
      cut = this.lastLineEnd();
    }
    const final = this.ended && (cut === 0 || cut === this.filled);
    if (final || cut === 0) cut = this.filled;
    if (cut === 0) return undefined;
    const bytes = this.buffer.subarray(0, cut);
    const tail = this.buffer.subarray(cut, this.filled);
    this.buffer = this.fresh(tail.length);
    this.buffer.set(tail);
    this.filled = tail.length;
    const block = { start: this.start, end: this.start + cut, final, bytes };
    this.start += cut;
    return final || bytes[cut - 1] === LF ? block : { ...block, local: true as const };
  }

  recycle(buffer: ArrayBuffer): void {
    if (buffer.byteLength >= this.blockBytes && this.spare.length < SPARE_BUFFERS) this.spare.push(buffer);
  }

  /** After the last LF of what is gathered (0: none). */
  private lastLineEnd(): number {
    return this.buffer.subarray(0, this.filled).lastIndexOf(LF) + 1;
  }

  private async read(): Promise<void> {
    const next = await this.chunks.next();
    if (next.done) {
      this.ended = true;
      return;
    }
    const chunk = next.value;
    if (this.filled + chunk.length > this.buffer.length) {
      const grown = this.fresh(this.filled + chunk.length);
      grown.set(this.buffer.subarray(0, this.filled));
      this.buffer = grown;
    }
    this.buffer.set(chunk, this.filled);
    this.filled += chunk.length;
  }

  /** A buffer for a block that starts with `bytes` bytes: a spare one, or new with room for a block and a chunk. */
  private fresh(bytes: number): Uint8Array {
    const room = Math.max(bytes, this.blockBytes) + CHUNK_ROOM;
    const i = this.spare.findIndex((buffer) => buffer.byteLength >= room);
    return new Uint8Array(i >= 0 ? this.spare.splice(i, 1)[0]! : new ArrayBuffer(room));
  }
}

/** Room past a block for the chunk that fills it (a pipe's chunks are 64 KiB). */
const CHUNK_ROOM = 128 << 10;
/** Buffers kept to be filled again: about the blocks out at once. */
const SPARE_BUFFERS = 8;
