/**
 * Writes text to a stream with back-pressure, and turns a stream error into a rejected promise
 * instead of an unhandled 'error' event: a closed pipe downstream stays EPIPE (the CLI ends
 * quietly); any other failure (a full disk, a file too large) is BN_WRITE_FAILED naming `label`.
 */
import type { Writable } from 'node:stream';
import { writeFailed } from '../errors.js';

export class OutputWriter {
  private failure: Error | undefined;

  /** @param label what messages call the output: a file name, or "<stdout>" */
  constructor(
    readonly stream: Writable,
    private readonly label = '<stdout>',
  ) {
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
   * memory flat, and the wait is the back-pressure.
   */
  async writeThrough(data: Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    await this.until((done) => void this.stream.write(data, done));
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
