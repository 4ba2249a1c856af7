/**
 * Writes text to a stream with back-pressure, and turns a stream error into a rejected promise
 * instead of an unhandled 'error' event (a closed pipe downstream is EPIPE: the CLI ends quietly).
 */
import type { Writable } from 'node:stream';

export class OutputWriter {
  private failure: Error | undefined;

  constructor(readonly stream: Writable) {
    stream.on('error', (err) => {
      this.failure ??= err;
    });
  }

  async write(text: string): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.stream.write(text)) return;
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        this.stream.off('drain', onDrain);
        this.stream.off('error', onError);
        this.stream.off('close', onClose);
        err ? reject(err) : resolve();
      };
      const onDrain = () => done();
      const onError = (err: Error) => done(err);
      const onClose = () => done(this.failure ?? pipeClosed());
      this.stream.once('drain', onDrain);
      this.stream.once('error', onError);
      this.stream.once('close', onClose);
    });
  }

  /** Flush what was written (the stream itself stays open: it may be stdout). */
  async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    await new Promise<void>((resolve, reject) => {
      this.stream.write('', (err) => (err ? reject(err) : resolve()));
    });
    if (this.failure) throw this.failure;
  }
}

function pipeClosed(): Error {
  return Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
}
