/**
 * Compressed input and output: a file compressed by its suffix and standard input by its magic
 * bytes give the statistics of the plain file; `-o` compresses by its suffix; a corrupt or cut
 * file is one `bn:` line and exit 1; a compressed file is read by one reader, never by byte ranges.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inputSpec } from '../../src/io/input.js';
import { workersFor } from '../../src/pipeline/read-input.js';
import { bnInProcess, bnProcess, fixture } from '../helpers/run-bn.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-compressed-'));
const CODECS: [suffix: string, compress: (b: Buffer) => Buffer][] = [
  ['.gz', (b) => zlib.gzipSync(b)],
  ['.zz', (b) => zlib.deflateSync(b)],
  ['.br', (b) => zlib.brotliCompressSync(b)],
];
const hasZstd = typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === 'function';

async function stats(args: string[], stdin?: Buffer) {
  const r = await bnInProcess(['stats', '--to', 'json', ...args], stdin);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

describe('compressed input', () => {
  it.each(['data.csv', 'data.tsv', 'data-objects.json', 'data.ndjson'])('%s compressed by its suffix gives the statistics of the plain file', async (name) => {
    const plain = readFileSync(fixture(`formats/${name}`));
    const expected = await stats([fixture(`formats/${name}`)]);
    for (const [suffix, compress] of CODECS) {
      const file = path.join(dir, name + suffix);
      writeFileSync(file, compress(plain));
      expect(await stats([file]), suffix).toEqual(expected);
    }
  });

  it('gzip and zlib deflate on standard input, by their magic bytes, with and without --from', async () => {
    const plain = readFileSync(fixture('formats/data.csv'));
    const expected = await stats([], plain);
    expect(await stats([], zlib.gzipSync(plain))).toEqual(expected);
    expect(await stats(['--from', 'csv'], zlib.gzipSync(plain))).toEqual(expected);
    expect(await stats([], zlib.deflateSync(plain))).toEqual(expected);
    const ndjson = readFileSync(fixture('formats/data.ndjson'));
    expect(await stats([], zlib.gzipSync(ndjson))).toEqual(await stats([], ndjson));
  });

  it('a gzip file whose name says nothing is known by its magic bytes', async () => {
    const file = path.join(dir, 'no-suffix');
    writeFileSync(file, zlib.gzipSync(readFileSync(fixture('formats/data.csv'))));
    expect(await stats([file])).toEqual(await stats([fixture('formats/data.csv')]));
  });

  it('normalize of gzip standard input reads it twice from its decompressed spool', async () => {
    const plain = readFileSync(fixture('formats/data.csv'));
    const expected = await bnInProcess(['normalize'], plain);
    expect(expected.code).toBe(0);
    const r = await bnInProcess(['normalize'], zlib.gzipSync(plain));
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(expected.stdout);
  });

  it('a compressed file with -j and small blocks: one reader, the same numbers as the plain file by byte ranges', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `${i},${(i * 0.37) % 11},${Math.sin(i)}`);
    const plain = path.join(dir, 'many.csv');
    writeFileSync(plain, `id,a,b\n${rows.join('\n')}\n`);
    writeFileSync(`${plain}.gz`, zlib.gzipSync(readFileSync(plain)));
    const env = { BN_JOBS_BLOCK: '4096' };
    const byRanges = await bnInProcess(['stats', '--to', 'json', '-j', '3', plain], '', { env });
    const compressed = await bnInProcess(['stats', '--to', 'json', '-j', '3', `${plain}.gz`], '', { env });
    expect(compressed.stderr).toBe('');
    expect(JSON.parse(compressed.stdout)).toEqual(JSON.parse(byRanges.stdout));
    const input = { spec: inputSpec(`${plain}.gz`), format: 'csv' as const, header: true, naValues: [], jobs: 3, fast: true };
    expect(input.spec.compression).toBe('gzip');
    expect(workersFor(input)).toBeUndefined();
    const pool = workersFor({ ...input, spec: inputSpec(plain) });
    expect(pool).toBeDefined();
    await pool?.close();
  });

  it('a corrupt or cut gzip file: one bn: line naming the file, exit 1, no stack trace', async () => {
    const bad = path.join(dir, 'bad.csv.gz');
    writeFileSync(bad, 'id,x\n1,2\n');
    const cut = path.join(dir, 'cut.csv.gz');
    writeFileSync(cut, zlib.gzipSync(readFileSync(fixture('formats/data.csv'))).subarray(0, 40));
    for (const [file, reason] of [
      [bad, 'incorrect header check'],
      [cut, 'it ends too early \\(cut short\\?\\)'],
    ] as const) {
      const r = await bnProcess(['stats', file]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^bn: ${file.replace(/[.\\]/g, '\\$&')}: not valid gzip data: ${reason}\\n$`));
    }
    const r = await bnProcess(['normalize', '--from', 'csv'], { stdin: zlib.gzipSync(Buffer.from('x\n1\n2\n')).subarray(0, 12) });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('bn: <stdin>: not valid gzip data: it ends too early (cut short?)\n');
  });

  it.runIf(!hasZstd)('zstd on a Node without it: one line that says what to do (reading: exit 1; writing: exit 2, no file)', async () => {
    const file = path.join(dir, 'data.csv.zst');
    writeFileSync(file, Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]));
    const r = await bnProcess(['stats', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`bn: ${file}: zstd needs Node 22.15 or later (this is ${process.version}): decompress it first: zstd -dc ${file} | bn …\n`);
    const stdin = await bnProcess(['stats'], { stdin: readFileSync(file) });
    expect(stdin.stderr).toBe(`bn: <stdin>: zstd needs Node 22.15 or later (this is ${process.version}): decompress it first: zstd -dc - | bn …\n`);
    const out = path.join(dir, 'out.csv.zst');
    const write = await bnInProcess(['normalize', fixture('formats/data.csv'), '-o', out]);
    expect(write.code).toBe(2);
    expect(write.stderr).toBe(`bn: ${out}: zstd needs Node 22.15 or later (this is ${process.version}): write .gz instead, or pipe the output to zstd\n`);
    expect(existsSync(out)).toBe(false);
  });

  it.runIf(hasZstd)('zstd by its suffix and on standard input', async () => {
    const plain = readFileSync(fixture('formats/data.csv'));
    const packed = (zlib as unknown as { zstdCompressSync: (b: Buffer) => Buffer }).zstdCompressSync(plain);
    const file = path.join(dir, 'data.csv.zst');
    writeFileSync(file, packed);
    const expected = await stats([fixture('formats/data.csv')]);
    expect(await stats([file])).toEqual(expected);
    expect(await stats([], packed)).toEqual(expected);
  });
});

describe('compressed output', () => {
  it.each([
    ['out.csv.gz', zlib.gunzipSync],
    ['out.csv.zz', zlib.inflateSync],
    ['out.csv.br', zlib.brotliDecompressSync],
  ] as const)('-o %s is compressed, and holds what -o out.csv holds', async (name, decompress) => {
    const input = fixture('formats/data.csv');
    const plain = path.join(dir, `plain-${name}.csv`);
    expect((await bnInProcess(['normalize', input, '-o', plain])).code).toBe(0);
    const target = path.join(dir, name);
    const r = await bnInProcess(['normalize', input, '-o', target]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(decompress(readFileSync(target)).toString()).toBe(readFileSync(plain, 'utf8'));
  });

  it('-o names the output format too (out.ndjson.gz from CSV input), unless --to', async () => {
    const target = path.join(dir, 'out.ndjson.gz');
    expect((await bnInProcess(['normalize', fixture('formats/data.csv'), '-o', target])).code).toBe(0);
    const lines = zlib.gunzipSync(readFileSync(target)).toString().trimEnd().split('\n');
    expect(JSON.parse(lines[0]!)).toHaveProperty('name', 'a');
    const csv = path.join(dir, 'forced.json.gz');
    expect((await bnInProcess(['normalize', fixture('formats/data.csv'), '--to', 'csv', '-o', csv])).code).toBe(0);
    expect(zlib.gunzipSync(readFileSync(csv)).toString()).toMatch(/^name,/);
  });
});
