/**
 * Byte ranges of a file, read with positioned reads: a block of a `-j` pass (./block-task.ts), a
 * look for a record boundary (./parallel.ts), and the main thread's own reading in order
 * (OrderedReads), which the CSV and NDJSON passes (./parallel.ts, ./ndjson-parallel.ts) feed
 * their readers from.
 */
import { readSync } from 'node:fs';
import { fileCut, type BnError } from '../../errors.js';
import type { Utf8Checker } from '../../io/utf8.js';

/**
 * Reads bytes [start, end) of the file into `buf`; returns the bytes read. With `sequential`,
 * from the file's own position (which must be `start`), which then moves on: what a reader
 * of the file does, and what /proc/PID/fdinfo shows (test/e2e/faults.test.ts watches it).
 */
export function readRange(fd: number, start: number, end: number, buf = Buffer.allocUnsafe(end - start), sequential = false): Buffer {
  const want = end - start;
  let done = 0;
  while (done < want) {
    const n = readSync(fd, buf, done, want - done, sequential ? null : start + done);
    if (n === 0) break;
    done += n;
  }
  return buf.subarray(0, done);
}

/** Read and scanned at a time by the main thread, with a turn of the event loop after each. */
export const READ_BYTES = 256 << 10;

/** A chunk of OrderedReads: its bytes that can be scanned, how many were read, and the fault after them. */
export interface OrderedChunk {
  /** The bytes before the first that is not UTF-8 (all of them, usually): whole characters only. */
  bytes: Buffer;
  /** Bytes read from the file: how far `offset` moved. */
  read: number;
  /** The error of that byte, to throw once `bytes` are scanned, so that an earlier bad record is the error. */
  error?: BnError;
}

/**
 * The main thread reading a file from `offset` on, READ_BYTES at a time, into one buffer used over
 * and over (see ../../io/fast/file-chunks.ts for why), each chunk checked for UTF-8 as
 * ../../io/input.ts checks the row readers' input. `offset` may be set to read on from elsewhere
 * (after blocks that workers read).
 */
export class OrderedReads {
  /** Where the next chunk starts. */
  offset = 0;
  /** The file descriptor's own position. */
  private position = 0;
  private readonly buffer = Buffer.allocUnsafe(READ_BYTES);

  /** `size`: the file's size when it was opened; `label` names it in errors. */
  constructor(
    private readonly fd: number,
    private readonly size: number,
    private readonly label: string,
  ) {}

  /** The next chunk, ending at `end` at the latest; a file that ends before it was cut while bn read it (thrown). */
  next(end: number, utf8: Utf8Checker): OrderedChunk {
    const from = this.offset;
    // From the start on, the file is read in order: its own position follows (positioned reads
    // elsewhere — boundaries, workers, the rest after them — leave it where it is).
    const inOrder = from === this.position;
    const bytes = readRange(this.fd, from, Math.min(end, from + READ_BYTES), this.buffer, inOrder);
    if (inOrder) this.position += bytes.length;
    if (bytes.length === 0) throw fileCut(this.label, from, this.size);
    this.offset += bytes.length;
    const { bytes: valid, error } = utf8.valid(bytes);
    return error ? { bytes: valid, read: bytes.length, error } : { bytes: valid, read: bytes.length };
  }
}
