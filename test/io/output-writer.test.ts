/**
 * OutputWriter's waits end, whatever the stream does: a write that is never called back (a
 * compressor destroyed under it, because its file failed) must not leave the pass waiting for
 * ever. Each wait ends on the stream's error (BN_WRITE_FAILED naming the output) or its close
 * (EPIPE: the reader went away), and a healthy stream's waits end when the data is taken.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BnError } from '../../src/errors.js';
import { OutputWriter } from '../../src/io/output-writer.js';

/** A stream that takes writes and never calls them back, as a stuck compressor does. */
function stuck(): Writable {
  return new Writable({ highWaterMark: 4, write() {} });
}

const noSpace = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

/** The promise's outcome within `ms`, or 'pending': a wait that never ends fails the test instead of hanging it. */
async function within<T>(promise: Promise<T>, ms = 2000): Promise<{ value?: T; error?: unknown } | 'pending'> {
  const timeout = new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms).unref());
  return Promise.race([promise.then((value) => ({ value }), (error: unknown) => ({ error })), timeout]);
}

describe('OutputWriter: every wait ends', () => {
  it('flush on a stream that fails while a write is stuck: rejected with BN_WRITE_FAILED naming the output', async () => {
    const stream = stuck();
    const writer = new OutputWriter(stream, 'out.csv.gz');
    const flushed = writer.flush();
    setImmediate(() => stream.destroy(noSpace()));
    const outcome = await within(flushed);
    expect(outcome).not.toBe('pending');
    const { error } = outcome as { error: BnError };
    expect(error).toBeInstanceOf(BnError);
    expect(error.code).toBe('BN_WRITE_FAILED');
    expect(error.message).toMatch(/no space left on device/);
    expect(error.location.file).toBe('out.csv.gz');
  });

  it('flush on a stream closed (destroyed without an error) while a write is stuck: EPIPE, as a reader that went away', async () => {
    const stream = stuck();
    const writer = new OutputWriter(stream);
    const flushed = writer.flush();
    setImmediate(() => stream.destroy());
    const outcome = await within(flushed);
    expect(outcome).not.toBe('pending');
    expect((outcome as { error: NodeJS.ErrnoException }).error.code).toBe('EPIPE');
  });

  it('writeThrough whose callback never comes: ends on the stream\'s error', async () => {
    const stream = stuck();
    const writer = new OutputWriter(stream, 'out.arrow');
    const written = writer.writeThrough(new Uint8Array(8));
    setImmediate(() => stream.destroy(noSpace()));
    const outcome = await within(written);
    expect(outcome).not.toBe('pending');
    expect(((outcome as { error: BnError }).error).code).toBe('BN_WRITE_FAILED');
  });

  it('write waiting for a drain that never comes: ends on the stream\'s close', async () => {
    const stream = stuck();
    const writer = new OutputWriter(stream);
    const written = writer.write('more than four bytes');
    setImmediate(() => stream.destroy());
    const outcome = await within(written);
    expect(outcome).not.toBe('pending');
    expect((outcome as { error: NodeJS.ErrnoException }).error.code).toBe('EPIPE');
  });

  it('after a failure, every later call is rejected at once with the same error', async () => {
    const stream = stuck();
    const writer = new OutputWriter(stream, 'f.csv');
    stream.destroy(noSpace());
    await new Promise((resolve) => setImmediate(resolve));
    const first = await within(writer.write('x'));
    const second = await within(writer.flush());
    expect((first as { error: BnError }).error.code).toBe('BN_WRITE_FAILED');
    expect((second as { error: BnError }).error).toBe((first as { error: BnError }).error);
  });

  it('a healthy stream: write, writeThrough and flush resolve, and the bytes arrive in order', async () => {
    const chunks: Buffer[] = [];
    const stream = new Writable({
      highWaterMark: 4,
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(Buffer.from(chunk));
        setImmediate(callback);
      },
    });
    const writer = new OutputWriter(stream);
    await writer.write('header\n');
    await writer.writeThrough(Buffer.from('1,2\n'));
    await writer.flush();
    expect(Buffer.concat(chunks).toString()).toBe('header\n1,2\n');
  });
});
