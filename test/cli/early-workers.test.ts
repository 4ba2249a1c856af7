/**
 * earlyWorkerCount: bin/bn's first look at a command line, to start the -j worker threads
 * before the rest of bn loads. A wrong "yes" costs a little CPU, a wrong "no" the 0.1 s it
 * saves; what is checked here is that it says yes exactly where a fast-path pass over a large
 * CSV file (or a statistics pass over a large NDJSON file) is likely, with -j N meaning the main thread and N − 1 workers.
 */
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveInput, type InputFlags } from '../../src/cli/input-options.js';
import { BLOCK_BYTES, defaultJobs, isDelimitedText, ONE_THREAD_MAX_BLOCKS, regularFileSize, TWO_CORES_STATISTICS_ONE_THREAD_BLOCKS } from '../../src/cli/default-jobs.js';
import { earlyWorkerCount } from '../../src/cli/early-workers.js';
import { DEFAULT_BLOCK_BYTES } from '../../src/pipeline/fast/parallel.js';

const BIG = ONE_THREAD_MAX_BLOCKS * BLOCK_BYTES + 1;
/** Large enough that bn stats of it on two cores wants a worker. */
const HUGE = TWO_CORES_STATISTICS_ONE_THREAD_BLOCKS * BLOCK_BYTES;
/** More than one block, but read by one thread unless -j says otherwise. */
const MEDIUM = BLOCK_BYTES + 1;
const sizes: Record<string, number> = { 'old-out.csv': BIG, 'huge.csv': HUGE, 'huge.tsv': HUGE, 'big.csv': BIG, 'big.tsv': BIG, 'medium.csv': MEDIUM, 'small.csv': 1000, 'big.json': BIG, 'big.jsonl': BIG, 'big.csv.gz': BIG, 's.json': 500 };
const sizeOf = (path: string) => sizes[path];
const count = (argv: string[], env: Record<string, string> = {}, cores = 2) => earlyWorkerCount(argv, env, cores, sizeOf);

describe('earlyWorkerCount', () => {
  it.each([
    [['stats', 'huge.csv'], 1],
    [['stats', 'huge.tsv', '-b', '256'], 1], // stats in batches is still a parallel pass
    [['normalize', 'big.csv'], 1],
    [['normalize', 'big.csv', '--stats', 's.json'], 1],
    [['denormalize', '--stats', 's.json', 'big.csv'], 1],
    [['normalize', 'big.csv', '--gamma', '2', '-o', 'out.csv'], 1],
    [['stats', '-j', '4', 'big.csv'], 3],
    [['stats', '--jobs', '3', 'big.csv'], 2],
    [['stats', '-j4', 'big.csv'], 3],
    [['stats', '--jobs=4', 'big.csv'], 3],
    [['stats', '-j', '2', 'medium.csv'], 1], // -j given: the pass reads more than one block with workers
    [['stats', 'big.jsonl'], 1], // NDJSON: a statistics pass reads it by byte ranges
    [['stats', '--from=ndjson', 'big.csv'], 1],
    [['stats', '--from', 'jsonl', 'big.csv'], 1], // an alias, as the format registry knows it
    [['normalize', 'big.jsonl'], 1], // its statistics pass
  ])('%j: %i', (argv, expected) => {
    expect(count(argv)).toBe(expected);
  });

  it.each([
    [['stats', 'small.csv']], // one block: the main thread alone
    [['stats', 'medium.csv']], // a few blocks and no -j: one thread (defaultJobs)
    [['stats', 'big.csv']], // bn stats of CSV on two cores: one thread under 128 MiB (defaultJobs)
    [['stats', 'big.jsonl', '--from', 'csv']],
    [['stats', '-j', '2', 'small.csv']],
    [['stats']], // standard input
    [['stats', '-']],
    [['stats', 'big.json']], // JSON: the general path
    [['stats', '--from', 'json', 'big.csv']],
    [['normalize', '--from', 'ndjson', '--stats', 's.json', 'big.csv']],
    [['normalize', 'big.jsonl', '--stats', 's.json']], // NDJSON written: the main thread's one pass
    [['denormalize', '--stats', 's.json', 'big.jsonl']],
    [['stats', 'big.csv.gz']], // compressed: one reader, no byte ranges
    // The output of an earlier run is not an input (a Parquet input has no byte ranges).
    [['normalize', 'in.parquet', '-o', 'old-out.csv']],
    [['normalize', 'in.parquet', '--output', 'old-out.csv']],
    [['normalize', 'in.parquet', '--output=old-out.csv']],
    [['normalize', 'in.parquet', '-oold-out.csv']],
    [['normalize', 'in.parquet', '--save-stats', 'old-out.csv']],
    [['normalize', 'in.parquet', '-qo', 'old-out.csv']], // -o at the end of a cluster of short flags
    [['normalize', 'in.parquet', '-noold-out.csv']],
    [['normalize', 'in.parquet', '--stats=old-out.csv']],
    [['stats', '-j', '1', 'big.csv']],
    [['normalize', '-b', '256', 'big.csv']], // batches: one sequential pass
    [['normalize', '--batch-size=256', 'big.csv']],
    [['normalize', '-b256', 'big.csv']],
    [['normalize', 'big.csv', '--to', 'json']], // another output format: the general path
    [['merge', 'big.csv']],
    [['--help']],
    [[]],
  ])('%j: none', (argv) => {
    expect(count(argv)).toBe(0);
  });

  it('none with one core, or under BN_NO_FAST=1', () => {
    expect(count(['stats', 'big.csv'], {}, 1)).toBe(0);
    expect(count(['stats', 'big.csv'], { BN_NO_FAST: '1' })).toBe(0);
  });
});

describe('defaultJobs', () => {
  it("BLOCK_BYTES is the pass's block size", () => {
    expect(BLOCK_BYTES).toBe(DEFAULT_BLOCK_BYTES);
  });

  it.each([
    [undefined, 4], // standard input, a FIFO: the cores (the stdin spool of normalize is read by byte ranges)
    [1_000_000, 1], // 1 MB: one thread
    [ONE_THREAD_MAX_BLOCKS * BLOCK_BYTES, 1],
    [ONE_THREAD_MAX_BLOCKS * BLOCK_BYTES + 1, 4],
  ])('a file of %s bytes, 4 cores: -j %i', (size, jobs) => {
    expect(defaultJobs(size, 4)).toBe(jobs);
  });

  it('bn stats of a CSV/TSV file under 128 MiB: one thread on two cores, where the second is V8’s; the cores on more', () => {
    const count4 = (argv: string[]) => earlyWorkerCount(argv, {}, 4, sizeOf);
    expect(count4(['stats', 'big.csv'])).toBe(3);
    expect(count(['stats', 'big.csv', '-j', '2'])).toBe(1); // -j given
    expect(count(['stats', 'huge.csv'])).toBe(1);
    expect(count(['stats', '--from', 'ndjson', 'big.csv'])).toBe(1); // NDJSON: more work a byte
    expect(count(['normalize', 'big.csv'])).toBe(1); // a pass that writes
    expect(defaultJobs(HUGE - 1, 2, BLOCK_BYTES, true)).toBe(1);
    expect(defaultJobs(HUGE, 2, BLOCK_BYTES, true)).toBe(2);
    expect(defaultJobs(HUGE - 1, 2, BLOCK_BYTES, false)).toBe(2);
    expect(defaultJobs(HUGE - 1, 3, BLOCK_BYTES, true)).toBe(3);
    expect(defaultJobs(undefined, 2, BLOCK_BYTES, true)).toBe(2); // standard input
    expect(TWO_CORES_STATISTICS_ONE_THREAD_BLOCKS * BLOCK_BYTES).toBe(128 << 20);
    // Delimited text by its name (an extension or --from), as the format registry knows it.
    expect(['csv', 'tsv'].map(isDelimitedText)).toEqual([true, true]);
    expect(['ndjson', 'jsonl', 'json', 'parquet', 'arrow', 'txt', undefined].map(isDelimitedText)).toEqual([false, false, false, false, false, false, false]);
  });

  it('counts blocks of BN_JOBS_BLOCK bytes, so that tests split small files between workers', () => {
    expect(defaultJobs(9 * 64, 2, 64)).toBe(2);
    expect(defaultJobs(8 * 64, 2, 64)).toBe(1);
  });
});

/**
 * bin/bn's guess and the pass's own choice of -j (resolveInput) go by one rule (defaultJobs,
 * isDelimitedText); over the same command lines of a pass that reads with workers, they agree.
 */
describe('earlyWorkerCount and resolveInput', () => {
  // Sparse files of the sizes that decide -j, read through the file system as bn reads them.
  const sizes: Record<string, number> = { 'huge.csv': HUGE, 'big.csv': BIG, 'big.tsv': BIG, 'big.tab': BIG, 'medium.csv': MEDIUM, 'big.jsonl': BIG, 'big.txt': BIG };
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bn-jobs-'));
    for (const [name, size] of Object.entries(sizes)) {
      writeFileSync(path.join(dir, name), '');
      truncateSync(path.join(dir, name), size);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // On 2 cores the two-core rule for bn stats of CSV/TSV decides; on 1 and 4 the cores do.
  describe.each([1, 2, 4])('%i cores', (cores) => {
    it.each([
      ['stats', 'huge.csv', {}],
      ['stats', 'big.csv', {}],
      ['stats', 'big.tsv', {}],
      ['stats', 'big.tab', {}],
      ['stats', 'medium.csv', {}],
      ['stats', 'big.jsonl', {}],
      ['stats', 'big.txt', { from: 'csv' }],
      ['stats', 'big.txt', { from: 'tsv' }],
      ['stats', 'big.csv', { from: 'ndjson' }],
      ['stats', 'big.csv', { jobs: 2 }],
      ['normalize', 'big.csv', {}],
      ['normalize', 'huge.csv', {}],
      ['normalize', 'big.jsonl', {}],
    ] as const)('%s %s %j: the threads started at launch are the workers the pass asks for', (command, name, flags: Partial<InputFlags>) => {
      const input = path.join(dir, name);
      const argv = [command, input, ...(flags.from ? ['--from', flags.from] : []), ...(flags.jobs ? ['-j', String(flags.jobs)] : [])];
      const { jobs } = resolveInput(input, { header: true, ...flags }, {}, { statistics: command === 'stats', cores });
      expect(earlyWorkerCount(argv, {}, cores, regularFileSize)).toBe(Math.max(0, jobs - 1));
    });
  });

  it('the two-core rule tells the command lines apart (so the cases above can fail)', () => {
    const jobsOf = (name: string, flags: Partial<InputFlags>) => resolveInput(path.join(dir, name), { header: true, ...flags }, {}, { statistics: true, cores: 2 }).jobs;
    expect([jobsOf('big.csv', {}), jobsOf('big.txt', { from: 'csv' }), jobsOf('big.jsonl', {}), jobsOf('huge.csv', {})]).toEqual([1, 1, 2, 2]);
  });
});
