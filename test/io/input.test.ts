/**
 * src/io/input.ts openInput: the bytes the row readers take (JSON, NDJSON on standard input or
 * compressed, BN_NO_FAST=1). What it must keep while it checks UTF-8 on the way: a file cut after
 * it was opened is an error, not a short input; the bytes before a byte that is not UTF-8 all
 * reach the reader before the error does (nothing read ahead of it); and a reader that stops
 * early lets the file go, plain or compressed.
 */
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { openInput } from '../../src/io/input.js';
import { expectBnError } from '../helpers/run-bn.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const noStdin = Readable.from([]);

/** The chunks a reader gets from `stream`, and what ends its iteration (undefined: the end). */
async function drain(stream: Readable): Promise<{ bytes: Buffer; error?: unknown }> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  } catch (error) {
    return { bytes: Buffer.concat(chunks), error };
  }
  return { bytes: Buffer.concat(chunks) };
}

describe('openInput', () => {
  it('a file cut after it was opened: BN_READ_FAILED with what was read of its size, not a short input', async () => {
    const file = path.join(dir, 'cut.csv');
    writeFileSync(file, 'a,b\n'.repeat(1000));
    const stream = openInput({ path: file, label: file }, noStdin);
    truncateSync(file, 1000);
    const { bytes, error } = await drain(stream);
    expect(bytes.length).toBe(1000);
    await expectBnError(Promise.reject(error), { code: 'BN_READ_FAILED', exit: 1, location: { file }, message: /it ended after 1000 of its 4000 bytes/ });
  });

  it('a byte that is not UTF-8 near the start of a chunk: every byte before it reaches the reader, then the error', async () => {
    const file = path.join(dir, 'latin1.csv');
    const text = Buffer.from('a,b\n'.repeat(50_000)); // 200 KB: one chunk of the file's stream
    text[1_234] = 0xe9; // a few bytes before it: less than any buffer a stream would fill ahead
    writeFileSync(file, text);
    const { bytes, error } = await drain(openInput({ path: file, label: file }, noStdin));
    expect(bytes).toEqual(text.subarray(0, 1_234));
    await expectBnError(Promise.reject(error), { code: 'BN_NOT_UTF8', exit: 1, location: { file }, message: /byte 0xe9 at byte offset 1234 / });
  });

  /** Descriptors of this process open on `file`. */
  const openOn = (file: string) =>
    readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === file;
      } catch {
        return false;
      }
    }).length;

  it.skipIf(!existsSync('/proc/self/fd'))('a reader that stops after its first chunk lets the file go', async () => {
    const file = path.join(dir, 'big.csv');
    writeFileSync(file, 'a,b\n'.repeat(1_000_000)); // 4 MB: chunks of 1 MiB
    const stream = openInput({ path: file, label: file }, noStdin);
    for await (const _chunk of stream) break;
    for (let i = 0; i < 50 && openOn(file) > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(openOn(file)).toBe(0);
  });

  it.skipIf(!existsSync('/proc/self/fd'))('so does one that stops early in a compressed file (its decompressor goes with it)', async () => {
    const file = path.join(dir, 'big.csv.gz');
    writeFileSync(file, gzipSync(Buffer.from('a,b\n'.repeat(1_000_000)), { level: 1 }));
    const stream = openInput({ path: file, label: file, compression: 'gzip' }, noStdin);
    for await (const _chunk of stream) break;
    for (let i = 0; i < 50 && openOn(file) > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(openOn(file)).toBe(0);
  });
});
