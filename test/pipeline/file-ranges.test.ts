/**
 * src/pipeline/fast/file-ranges.ts OrderedReads: the main thread reading a file in order, for the
 * CSV and NDJSON passes. What each chunk must say: its bytes up to a byte that is not UTF-8 and
 * that byte's error after them, how far it read, a file cut after it was opened; and the file
 * descriptor's own position follows the reads made in order, not the others.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OrderedReads, READ_BYTES } from '../../src/pipeline/fast/file-ranges.js';
import { Utf8Checker } from '../../src/io/utf8.js';
import { expectBnError } from '../helpers/run-bn.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-ranges-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `bytes` in a new file, opened; the caller closes it. */
function opened(name: string, bytes: Buffer): { file: string; fd: number } {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return { file, fd: openSync(file, 'r') };
}

/** The file descriptor's own position, as the kernel has it. */
function position(fd: number): number {
  return Number(/pos:\s*(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))![1]);
}

describe('OrderedReads', () => {
  it('reads READ_BYTES at a time up to `end`, each chunk whole when it is UTF-8', () => {
    const text = Buffer.from('0.5,1\n'.repeat(100_000)); // 600 KB: three chunks
    const { fd } = opened('plain.csv', text);
    try {
      const reads = new OrderedReads(fd, text.length, 'plain.csv');
      const utf8 = new Utf8Checker('plain.csv');
      const got: Buffer[] = [];
      while (reads.offset < text.length) {
        const chunk = reads.next(text.length, utf8);
        expect(chunk.error).toBeUndefined();
        expect(chunk.read).toBe(Math.min(READ_BYTES, text.length - (reads.offset - chunk.read)));
        got.push(Buffer.from(chunk.bytes));
      }
      expect(got.length).toBe(Math.ceil(text.length / READ_BYTES));
      expect(Buffer.concat(got).equals(text)).toBe(true);
    } finally {
      closeSync(fd);
    }
  });

  it('a chunk stops at `end` (a record boundary the pass chose), not at READ_BYTES', () => {
    const text = Buffer.from('x'.repeat(READ_BYTES + 100));
    const { fd } = opened('short.csv', text);
    try {
      const reads = new OrderedReads(fd, text.length, 'short.csv');
      const chunk = reads.next(1000, new Utf8Checker('short.csv'));
      expect(chunk.read).toBe(1000);
      expect(reads.offset).toBe(1000);
    } finally {
      closeSync(fd);
    }
  });

  it('a byte that is not UTF-8: the bytes before it, then its error (with its offset in the file); the offset moves past the whole chunk', async () => {
    const text = Buffer.from('a,b\n'.repeat(200_000)); // 800 KB
    const at = READ_BYTES + 1234; // in the second chunk
    text[at] = 0xe9;
    const { fd } = opened('latin1.csv', text);
    try {
      const reads = new OrderedReads(fd, text.length, 'latin1.csv');
      const utf8 = new Utf8Checker('latin1.csv');
      expect(reads.next(text.length, utf8).error).toBeUndefined();
      const chunk = reads.next(text.length, utf8);
      expect(chunk.bytes.length).toBe(1234);
      expect(chunk.bytes.equals(text.subarray(READ_BYTES, at))).toBe(true);
      expect(chunk.read).toBe(READ_BYTES);
      expect(reads.offset).toBe(2 * READ_BYTES);
      await expectBnError(Promise.reject(chunk.error), { code: 'BN_NOT_UTF8', exit: 1, location: { file: 'latin1.csv' }, message: new RegExp(`byte offset ${at}`) });
    } finally {
      closeSync(fd);
    }
  });

  it('a file cut after it was opened: BN_READ_FAILED at the offset where it ended, not an early end', async () => {
    const text = Buffer.from('a,b\n'.repeat(1000));
    const { file, fd } = opened('cut.csv', text);
    try {
      const reads = new OrderedReads(fd, text.length, 'cut.csv');
      truncateSync(file, 1000);
      const utf8 = new Utf8Checker('cut.csv');
      expect(reads.next(text.length, utf8).read).toBe(1000);
      const cut = (() => {
        try {
          reads.next(text.length, utf8);
        } catch (error) {
          return error;
        }
        return undefined;
      })();
      await expectBnError(Promise.reject(cut), { code: 'BN_READ_FAILED', exit: 1, location: { file: 'cut.csv' }, message: /it ended after 1000 of its 4000 bytes/ });
    } finally {
      closeSync(fd);
    }
  });

  it.runIf(process.platform === 'linux')('the descriptor’s position follows reads in order; after a jump elsewhere it stays where it was', () => {
    const text = Buffer.from('a,b\n'.repeat(200_000)); // 800 KB
    const { fd } = opened('position.csv', text);
    try {
      const reads = new OrderedReads(fd, text.length, 'position.csv');
      const utf8 = new Utf8Checker('position.csv');
      reads.next(text.length, utf8);
      reads.next(text.length, utf8);
      expect(position(fd)).toBe(2 * READ_BYTES);
      // The main thread reads on after blocks that workers read: positioned reads from there.
      reads.offset = 700_000;
      const chunk = reads.next(text.length, new Utf8Checker('position.csv', 700_000));
      expect(chunk.bytes.equals(text.subarray(700_000, 700_000 + READ_BYTES))).toBe(true);
      expect(position(fd)).toBe(2 * READ_BYTES);
    } finally {
      closeSync(fd);
    }
  });
});
