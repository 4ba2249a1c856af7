/**
 * Opening the input: a file, or standard input for `-` or no FILE. A whole-input normalize reads
 * its input twice; standard input cannot be read twice, so it is first spooled to a temporary
 * file (removed afterwards), which keeps memory flat whatever the size (SPEC §7).
 */
import { closeSync, createReadStream, createWriteStream, openSync, promises as fs, readSync, statSync, type ReadStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BnError, describeErrno, fileCut } from '../errors.js';
import { removeStaleTemporaries, SPOOL_DIRECTORY } from './stale-temporaries.js';
import { registerTemporary, releaseTemporary } from './temporary-files.js';
import { utf8Checked } from './utf8.js';
import { compressionFromPath, decompressed, type Compression } from './compression.js';

export interface InputSpec {
  /** A path, or undefined for standard input. */
  path?: string;
  /** What messages call it. */
  label: string;
  /** Compressed (by its suffix, or its first bytes): read as a stream through node:zlib, never by byte ranges. */
  compression?: Compression;
}

export function inputSpec(file: string | undefined): InputSpec {
  if (file === undefined || file === '-') return { label: '<stdin>' };
  const { compression } = compressionFromPath(file);
  return compression ? { path: file, label: file, compression } : { path: file, label: file };
}

/** Fail early, with a clean message, on a missing or unreadable file. */
export async function checkReadable(spec: InputSpec): Promise<void> {
  if (spec.path === undefined) return;
  try {
    const stat = await fs.stat(spec.path);
    if (stat.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    await fs.access(spec.path, fs.constants.R_OK);
  } catch (err) {
    throw new BnError('BN_READ_FAILED', `cannot read: ${describeErrno(err as NodeJS.ErrnoException)}`, { file: spec.label });
  }
}

/**
 * The input's bytes, checked to be UTF-8 on the way (see utf8.ts) when the format is `text`. A read error of the file or of
 * standard input comes out of the returned stream, as the readers expect, and so does a file
 * that ends before the size it had when it was opened: cut while bn read it, it would otherwise
 * give the statistics of its first part as those of the file.
 */
export function openInput(spec: InputSpec, stdin: Readable, text = true): Readable {
  const read = new PassThrough();
  // The bytes flow from here on, and may fail (a read error, a file cut) before the reader
  // iterates them (the CSV reader loads csv-parse first): with no listener, pipe() would throw that
  // error as an unhandled 'error' event. The stream keeps it, and the reader's iteration throws it.
  read.on('error', () => {});
  if (spec.path === undefined) {
    stdin.on('error', (err: Error) => read.destroy(err));
    stdin.pipe(read);
  } else {
    const file = createReadStream(spec.path, { highWaterMark: 1 << 20 });
    // Before pipe() adds its own 'end' listener: the error comes before the end.
    failIfShrunk(file, spec.path, read, spec.label);
    const bytes = spec.compression ? decompressed(file, spec.compression, spec.label) : file;
    bytes.on('error', (err: Error) => read.destroy(err));
    // A reader that stops early (a bad record, `| head`) lets the file go at once.
    read.once('close', () => bytes.destroy());
    bytes.pipe(read);
  }
  if (!text) return read;
  // highWaterMark 0: the stream asks its generator for a chunk only when the reader asks for one,
  // so the bytes before a bad one are all read before the error comes (see utf8Checked).
  const checked = Readable.from(utf8Checked(read, spec.label), { objectMode: false, highWaterMark: 0 });
  checked.on('error', () => {}); // as above: kept for the reader's iteration
  checked.once('close', () => read.destroy());
  return checked;
}

/**
 * The first bytes of a file (decompressed), to sniff its CSV dialect: a chunk, or all of a smaller
 * file (`ended`). Undefined for a FIFO, a device or a pipe named as a file: what is read of it
 * here would be gone for the reader.
 */
export async function fileHead(spec: InputSpec & { path: string }, bytes = 1 << 16): Promise<{ head: Buffer; ended: boolean } | undefined> {
  if (!isFile(spec.path)) return undefined;
  if (!spec.compression) return plainHead(spec.path, bytes);
  const stream = decompressed(createReadStream(spec.path), spec.compression, spec.label);
  try {
    const chunks: Buffer[] = [];
    let length = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= bytes) return { head: Buffer.concat(chunks), ended: false };
    }
    return { head: Buffer.concat(chunks), ended: true };
  } finally {
    stream.destroy();
  }
}

/** A plain file's first bytes, read at once: no turn of the event loop before the pass starts (nor a stream to set up). */
function plainHead(path: string, bytes: number): { head: Buffer; ended: boolean } {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.allocUnsafe(bytes);
    const length = readSync(fd, head, 0, bytes, 0);
    return { head: head.subarray(0, length), ended: length < bytes };
  } finally {
    closeSync(fd);
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false; // the read that follows says why
  }
}

/** When `file` ends short of its size at opening (pipes and devices say 0: never), fail `out`. */
function failIfShrunk(file: ReadStream, path: string, out: Readable, label: string): void {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return; // the stream itself will say why it cannot read
  }
  file.once('end', () => {
    if (file.bytesRead < size) {
      out.destroy(fileCut(label, file.bytesRead, size));
    }
  });
}

const what = (label: string) => (label === '<stdin>' ? 'standard input' : 'the input');

/** Copy standard input (or a FIFO, a pipe named as a file: `label`) to a private temporary file; `release` removes it. */
export async function spoolStdin(stdin: Readable, label = '<stdin>'): Promise<{ path: string; release: () => Promise<void> }> {
  let dir: string;
  await removeStaleTemporaries(os.tmpdir(), SPOOL_DIRECTORY);
  try {
    // The PID in the name: a later run removes the directory if this process dies without doing so.
    dir = await fs.mkdtemp(path.join(os.tmpdir(), `bn-spool-${process.pid}-`));
  } catch (err) {
    // TMPDIR missing, not a directory, not writable: say where bn tried.
    throw new BnError('BN_READ_FAILED', `cannot spool ${what(label)} to TMPDIR=${os.tmpdir()}: ${describeErrno(err as NodeJS.ErrnoException)}`, { file: label });
  }
  const file = path.join(dir, 'stdin');
  registerTemporary(dir);
  const release = async () => {
    await fs.rm(dir, { recursive: true, force: true });
    releaseTemporary(dir);
  };
  try {
    await pipeline(stdin, createWriteStream(file, { mode: 0o600 }));
  } catch (err) {
    await release();
    if (err instanceof BnError) throw err; // what bn found in the input (corrupt compressed data), not a failed copy
    throw new BnError('BN_READ_FAILED', `cannot spool ${what(label)}: ${describeErrno(err as NodeJS.ErrnoException)}`, { file: label });
  }
  return { path: file, release };
}

/** `input`, adding the length of every chunk that goes through it to `counter.bytes`. */
export function countBytes(input: Readable, counter: { bytes: number }): Readable {
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      counter.bytes += chunk.length;
      yield chunk;
    }
  }
  // Nothing read ahead of the reader (see openInput).
  return Readable.from(counted(), { objectMode: false, highWaterMark: 0 });
}
