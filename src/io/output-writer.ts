/**
 * Writes text to a stream with back-pressure, and turns a stream error into a rejected promise
 * instead of an unhandled 'error' event: a closed pipe downstream stays EPIPE (the CLI ends
 * quietly); any other failure (a full disk, a file too large) is BN_WRITE_FAILED naming `label`.
 */
import { WriteStream } from 'node:fs';
import { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { writeFailed } from '../errors.js';

/**
 * Whether `stream` is done with a chunk once it calls that write back: a file, a pipe, a socket
 * or a terminal has written it, and a compressor of node:zlib has read it. Node promises this of
 * no stream in general: a PassThrough hands the chunk itself on, a Writable may keep it.
 */
export function consumesChunks(stream: Writable): boolean {
  return stream === process.stdout || stream === process.stderr || stream instanceof WriteStream || stream instanceof Socket;
}

export class OutputWriter {
  private failure: Error | undefined;
  /** writeThrough hands the stream the caller's buffer (else a copy: the caller fills it again). */
  private readonly lends: boolean;

  /**
   * @param label what messages call the output: a file name, or "<stdout>"
   * @param consumes the stream is done with a chunk once it calls its write back (a compressor bn
   *   made, say); by default, when consumesChunks says so
   */
  constructor(
    readonly stream: Writable,
    private readonly label = '<stdout>',
    consumes = consumesChunks(stream),
  ) {
    this.lends = consumes;
    stream.on('error', (err) => {
      this.failure ??= this.translate(err);
    });
  }

  private translate(err: Error): Error {
    const code = (err as NodeJS.ErrnoException).code;
    // EPIPE, and Node's ERR_STREAM_* for a stream already closed: the reader went away.
    if (code === undefined || code === 'EPIPE' || code.startsWith('ERR_')) return err;
    return writeFailed(this.label, err);
  }

  /** Text, or bytes (the fast CSV writer's buffers). */
  async write(text: string | Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.stream.write(text)) return;
    await this.until((done) => {
      const onDrain = () => done();
      this.stream.once('drain', onDrain);
      return () => this.stream.off('drain', onDrain);
    });
  }

  /**
   * Write and wait until the stream is done with `data` (its write callback), so that the
   * caller may reuse the buffer: the fast writer fills one buffer over and over, which keeps
   * memory flat, and the wait is the back-pressure. A stream that may keep its chunks is given a
   * copy (a program's PassThrough or array of chunks would otherwise see the buffer refilled).
   */
  async writeThrough(data: Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    const chunk = this.lends ? data : Buffer.from(data);
    await this.until((done) => void this.stream.write(chunk, done));
    if (this.failure) throw this.failure;
  }

  /** Flush what was written (the stream itself stays open: it may be stdout). */
  async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    await this.until((done) => void this.stream.write('', done));
    if (this.failure) throw this.failure;
  }

  /**
   * Waits until `start` calls its `done` (with an error: rejected), or the stream fails or closes
   * first: a compressor destroyed under a write (its file failed) never calls that write back, and
   * the pass would wait for ever. `start` may return what undoes it once the wait is over.
   */
  private until(start: (done: (err?: Error | null) => void) => (() => void) | void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let undo: (() => void) | void;
      let over = false;
      const done = (err?: Error | null) => {
        if (over) return;
        over = true;
        this.stream.off('error', onError);
        this.stream.off('close', onClose);
        undo?.();
        err ? reject(this.failure ?? this.translate(err)) : resolve();
      };
      const onError = (err: Error) => done(err);
      const onClose = () => done(this.failure ?? pipeClosed());
      this.stream.once('error', onError);
      this.stream.once('close', onClose);
      undo = start(done);
    });
  }
}

function pipeClosed(): Error {
  return Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
}
