/**
 * src/pipeline/fast/parallel.ts fileBlocks: how a -j pass cuts a file. Each block ends just after
 * an LF and the next starts there; the first ones are small (64 KiB, doubling to the block size),
 * so that a thread's first, cold block comes back soon.
 */
import { closeSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BLOCK_BYTES, fileBlocks, MOMENTS_BLOCK_BYTES, passBlockBytes } from '../../src/pipeline/fast/parallel.js';

const KiB = 1024;

/** The blocks of `text` from offset 0, with blocks of `blockBytes`. */
async function cuts(text: string, blockBytes: number): Promise<{ start: number; end: number; final?: boolean }[]> {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'bn-blocks-')), 'data.csv');
  writeFileSync(file, text);
  const fd = openSync(file, 'r');
  try {
    const source = fileBlocks(fd, 0, Buffer.byteLength(text), blockBytes);
    const blocks = [];
    for (let block = await source.next(); block !== undefined; block = await source.next()) blocks.push(block);
    return blocks;
  } finally {
    closeSync(fd);
  }
}

describe('fileBlocks', () => {
  const line = '0.82223062,-0.15915613,1086.6046,58.14527,19\n'; // 45 bytes
  const text = line.repeat(Math.ceil((3 << 20) / line.length));

  it('starts at 64 KiB and doubles up to the block size, each block cut just after an LF', async () => {
    const blocks = await cuts(text, 512 * KiB);
    const wanted = [64, 128, 256, 512, 512].map((k) => k * KiB);
    wanted.forEach((size, k) => {
      const length = blocks[k]!.end - blocks[k]!.start;
      expect(length).toBeGreaterThanOrEqual(size);
      expect(length).toBeLessThan(size + line.length);
    });
    let at = 0;
    for (const block of blocks) {
      expect(block.start).toBe(at);
      expect(text[block.end - 1]).toBe('\n');
      at = block.end;
    }
    expect(at).toBe(text.length);
    expect(blocks.at(-1)!.final).toBe(true);
    expect(blocks.slice(0, -1).every((b) => !b.final)).toBe(true);
  });

  it('a block size below 64 KiB is every block’s size, the first included', async () => {
    const blocks = await cuts(line.repeat(100), 1000);
    for (const block of blocks.slice(0, -1)) expect(block.end - block.start).toBe(1035); // 23 lines: the first LF at or after 1000 bytes
  });
});

describe('passBlockBytes', () => {
  it('a pass whose results are exact moments cuts 2 MiB blocks; one that writes or hands back values, 512 KiB', () => {
    expect(MOMENTS_BLOCK_BYTES).toBe(2 << 20);
    expect(DEFAULT_BLOCK_BYTES).toBe(512 << 10);
    expect(passBlockBytes({ features: [0], moments: true }, undefined)).toBe(MOMENTS_BLOCK_BYTES);
    expect(passBlockBytes({ features: [0] }, undefined)).toBe(DEFAULT_BLOCK_BYTES);
    expect(passBlockBytes({ features: [0], write: { params: { mean: [0], scale: [1] } as never, precision: undefined } }, undefined)).toBe(DEFAULT_BLOCK_BYTES);
  });

  it('a block size chosen (BN_JOBS_BLOCK) is every pass\'s', () => {
    expect(passBlockBytes({ features: [0], moments: true }, 4096)).toBe(4096);
    expect(passBlockBytes({ features: [0] }, 4096)).toBe(4096);
  });
});
