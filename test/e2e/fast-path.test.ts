/**
 * The fast path must never change a result. On generated CSV documents (quotes, CRLF,
 * blank lines, signs, exponents, long mantissas, subnormals, missing markers, text columns,
 * ragged rows and bad values): the fast path and the general path (BN_NO_FAST=1) print the same
 * bytes — `stats --to json` and `normalize`, errors and exit statuses included; and -j 1, -j 2,
 * -j 3 print the same bytes, batches included (bit-identical, which is more than SPEC §7's
 * 1e-12), with blocks small enough (BN_JOBS_BLOCK) that workers split these small files.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { Readable } from 'node:stream';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { csvDocument, numberText } from '../helpers/csv-documents.js';
import { seededRandom } from '../helpers/exact.js';
import { bnInProcess, bnProcess } from '../helpers/run-bn.js';
import { BLOCK_BYTES, ONE_THREAD_MAX_BLOCKS } from '../../src/cli/default-jobs.js';

const SEED = 55_555;
const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-fast-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function writeDoc(text: string): string {
  const file = path.join(dir, `doc-${files++}.csv`);
  writeFileSync(file, text);
  return file;
}

/** bn in-process on a file, with an environment (BN_NO_FAST, BN_JOBS_BLOCK). */
const bn = (args: string[], env: Record<string, string> = {}) => bnInProcess(args, '', { env });

const GENERAL = { BN_NO_FAST: '1' };

describe('fast path = general path', () => {
  it.each([
    ['stats --to json', ['stats', '--to', 'json']],
    ['stats --to json -b 3', ['stats', '--to', 'json', '-b', '3']],
    ['normalize', ['normalize']],
    ['normalize --precision 6', ['normalize', '--precision', '6']],
    ['normalize -b 4', ['normalize', '-b', '4']],
    ['normalize -b 2 --gamma 2 --beta 1', ['normalize', '-b', '2', '--gamma', '2', '--beta', '1']],
  ])('%s, on generated documents', async (_name, args) => {
    await fc.assert(
      fc.asyncProperty(csvDocument(), fc.boolean(), async (doc, header) => {
        const file = writeDoc(doc.text);
        const argv = [...args, '-d', doc.delimiter, ...(header ? [] : ['-n']), file];
        const fast = await bn(argv);
        const general = await bn(argv, GENERAL);
        expect(fast).toEqual(general);
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it.each([
    ['-b 3 --momentum 0.1', ['-b', '3', '--momentum', '0.1']],
    ['-b 2 --preset keras', ['-b', '2', '--preset', 'keras']],
    ['whole input', []],
  ])('normalize %s --save-stats: the same stats file (running statistics folded batch by batch)', async (_name, flags) => {
    await fc.assert(
      fc.asyncProperty(csvDocument({ errors: false }), async (doc) => {
        const file = writeDoc(doc.text);
        const saved = (general: boolean) => path.join(dir, `s-${files}-${general}.json`);
        const run = (general: boolean) =>
          bn(['normalize', ...flags, '-d', doc.delimiter, '--save-stats', saved(general), '-o', path.join(dir, 'out.csv'), file], general ? GENERAL : {});
        const fast = await run(false);
        expect(fast).toEqual(await run(true));
        if (fast.code === 0) expect(readFileSync(saved(false), 'utf8')).toBe(readFileSync(saved(true), 'utf8'));
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it.each([
    ['normalize --stats S', ['normalize']],
    ['denormalize --stats S', ['denormalize']],
    ['normalize --stats S --gamma 2 --precision 5', ['normalize', '--gamma', '2', '--precision', '5']],
  ])('%s (inference mode), from a file and from standard input', async (_name, args) => {
    await fc.assert(
      fc.asyncProperty(csvDocument(), fc.boolean(), async (doc, stdin) => {
        const file = writeDoc(doc.text);
        // A stats file from the rows before the first bad one, or from a fixed small table.
        const stats = path.join(dir, `stats-${files}.json`);
        const made = await bn(['stats', '-d', doc.delimiter, '--save-stats', stats, file]);
        if (made.code !== 0) writeFileSync(stats, JSON.stringify({ format: 'bn-stats', version: 1, features: ['x1'], weight: [1], bias: [0], running_mean: [0.5], running_var: [2], num_batches_tracked: 1, eps: 1e-5, momentum: null, preset: 'torch', count: [2], mean: [0.5], var: [1] }));
        const argv = [...args, '--stats', stats, '-d', doc.delimiter, ...(stdin ? ['--from', 'csv'] : [file])];
        const input = stdin ? doc.text : '';
        const fast = await bnInProcess(argv, input);
        const general = await bnInProcess(argv, input, { env: GENERAL });
        // Inference mode streams: on a bad value, the rows before it that are already out depend
        // on each reader's chunks. The status and the message must agree; the rows, on success.
        expect({ code: fast.code, stderr: fast.stderr }).toEqual({ code: general.code, stderr: general.stderr });
        if (fast.code === 0) expect(fast.stdout).toBe(general.stdout);
      }),
      { seed: SEED, numRuns: 80 },
    );
  });

  it('inference mode: a feature missing from the input is the general path\'s error, a header alone is a header', async () => {
    const stats = path.join(dir, 'two.json');
    await bn(['stats', '--save-stats', stats, writeDoc('a,b\n1,2\n3,5\n')]);
    for (const text of ['a,c\n1,2\n', 'a,b\n', 'b,a,t\n4,5,x\n']) {
      const file = writeDoc(text);
      for (const argv of [['normalize', '--stats', stats, file], ['normalize', '--stats', stats, '--from', 'csv']]) {
        const input = argv.includes(file) ? '' : text;
        expect(await bnInProcess(argv, input)).toEqual(await bnInProcess(argv, input, { env: GENERAL }));
      }
    }
  });

  it('input that is not UTF-8: the same error at the same byte offset, from the head, a worker\'s block or standard input', async () => {
    const rows = Array.from({ length: 400 }, (_, i) => `${i},${i % 9},t${i}`);
    for (const at of [5, 250, 399]) {
      const bytes = Buffer.from(`a,b,c\n${rows.join('\n')}\n`, 'latin1');
      const offset = bytes.indexOf(`t${at}\n`);
      bytes[offset] = 0xe9; // Latin-1 é: not UTF-8
      const file = path.join(dir, `latin1-${at}.csv`);
      writeFileSync(file, bytes);
      const expected = await bnInProcess(['stats', file], '', { env: GENERAL });
      expect(expected.stderr).toBe(`bn: ${file}: not UTF-8 text: byte 0xe9 at byte offset ${offset} (convert it, e.g. iconv -f LATIN1 -t UTF-8)\n`);
      for (const j of ['1', '2']) expect(await bnInProcess(['stats', '-j', j, file], '', { env: { BN_JOBS_BLOCK: '256' } })).toEqual(expected);
      expect(await bnInProcess(['normalize', '-j', '2', file], '', { env: { BN_JOBS_BLOCK: '256' } })).toEqual(expected);
      expect(await bnInProcess(['stats', '--from', 'csv'], bytes)).toEqual({ ...expected, stderr: expected.stderr.replace(file, '<stdin>') });
    }
  });

  it('a result beyond float64 is the same error: training (extremes) and inference (the cell)', async () => {
    const file = writeDoc('x,y\n1,2\n3,5\n4,9\n');
    for (const args of [['normalize', '--gamma', '1e308', '--beta', '1e308'], ['normalize', '-b', '2', '--gamma', '1e308,1', '--beta', '1e308']]) {
      expect(await bn([...args, file])).toEqual(await bn([...args, file], GENERAL));
    }
    const stats = path.join(dir, 'extreme.json');
    await bn(['stats', '--save-stats', stats, file]);
    for (const args of [['normalize', '--stats', stats, '--gamma', '1e308'], ['denormalize', '--stats', stats, '--beta', '1e308', '--gamma', '1e-300']]) {
      const fast = await bn([...args, file]);
      const general = await bn([...args, file], GENERAL);
      expect({ code: fast.code, stderr: fast.stderr }).toEqual({ code: general.code, stderr: general.stderr });
    }
  });

  it('--na-values with a number: "-999" is missing, "-999.0" is not', async () => {
    const file = writeDoc('x,y\n-999,1\n-999.0,2\n3,-999\n5,6\n');
    for (const args of [['stats', '--to', 'json'], ['normalize']]) {
      const argv = [...args, '--na-values', '-999,NA', file];
      expect(await bn(argv)).toEqual(await bn(argv, GENERAL));
    }
  });

  it('pass-through cells are written as the general writer writes them (quotes only where needed)', async () => {
    const file = writeDoc('id,x,note\n"a",1,"b,c"\n"q""r",2,12" pipe\n"x"y,3,"line\nbreak"\n,4,"cr\rhere"\n');
    // `"x"y`: text after a closing quote, read as text with --lazy-quotes.
    const fast = await bn(['normalize', '--lazy-quotes', file]);
    expect(fast).toEqual(await bn(['normalize', '--lazy-quotes', file], GENERAL));
    expect(fast.stdout.split('\n')[1]).toBe('a,-1.3416354199689269,"b,c"');
    expect(fast.code).toBe(0);
  });
});

/** Numeric documents, large enough for several blocks of BN_JOBS_BLOCK bytes. */
const numericDoc = fc
  .record({
    width: fc.integer({ min: 1, max: 4 }),
    rows: fc.integer({ min: 2, max: 120 }),
    crlf: fc.boolean(),
    quoteAt: fc.option(fc.nat()),
  })
  .chain(({ width, rows, crlf, quoteAt }) =>
    fc.array(fc.array(numberText.filter((t) => Number.isFinite(Number(t))), { minLength: width, maxLength: width }), { minLength: rows, maxLength: rows }).map((cells) => {
      const eol = crlf ? '\r\n' : '\n';
      const lines = cells.map((row) => row.join(','));
      // Now and then a quoted cell: the block that holds it sends the rest to the main thread.
      if (quoteAt !== null) lines[quoteAt % lines.length] = lines[quoteAt % lines.length]!.replace(/^[^,]*/, (c) => `"${c}"`);
      const header = Array.from({ length: width }, (_, j) => `c${j + 1}`).join(',');
      return [header, ...lines].join(eol) + eol;
    }),
  );

describe('runs of numeric lines read many at a time (NumericBlock)', () => {
  // Beyond the first chunk of a pass (which is read line by line until the features are settled),
  // plain lines are read in runs; lines with a missing value, a quoted cell or a long mantissa
  // come between them, and batch boundaries (-b) fall inside runs.
  const random = seededRandom(2026);
  const rows = Array.from({ length: 40_000 }, (_, i) => {
    const special = i % 211 === 17 ? 'NA' : i % 307 === 5 ? '"7.5"' : i % 401 === 9 ? '0.12345678901234567' : undefined;
    return `${special ?? (random() * 1000).toFixed(4)},${(i % 13) - 6}e-2,${-i}`;
  });
  const text = `a,b,c\n${rows.join('\n')}\n`;
  const file = writeDoc(text);
  // The same with a text column, passed through (its fields come from NumericBlock's ranges):
  // plain, quoted with a delimiter and escaped quotes inside (written back quoted), quoted without
  // need (written back bare).
  const text3 = (i: number) => (i % 3 === 0 ? `t${i % 7}` : i % 3 === 1 ? `"t${i % 7}, ""q"""` : `"p${i % 5}"`);
  const withText = `a,b,c,t\n${rows.map((row, i) => `${row},${text3(i)}`).join('\n')}\n`;
  const fileWithText = writeDoc(withText);
  // And CRLF lines: none for NumericBlock (a CR), which gives up, and the scanner reads them all.
  const crlf = text.replaceAll('\n', '\r\n');
  const crlfFile = writeDoc(crlf);
  const chunks = (bytes: Buffer, size: number) => Array.from({ length: Math.ceil(bytes.length / size) }, (_, k) => bytes.subarray(k * size, (k + 1) * size));

  it.each([
    ['stats --to json', ['stats', '--to', 'json']],
    ['stats --to json -b 7', ['stats', '--to', 'json', '-b', '7']],
    ['stats --to json -b 5000', ['stats', '--to', 'json', '-b', '5000']],
    ['normalize', ['normalize']],
    ['normalize -b 300', ['normalize', '-b', '300']],
  ])('%s: the same bytes as the general path, from the file (-j 1, -j 2) and from standard input, with and without a text column, and with CRLF lines', async (_name, args) => {
    for (const [input, path] of [[text, file], [withText, fileWithText], [crlf, crlfFile]] as const) {
      expect(Buffer.byteLength(input)).toBeGreaterThan(3 * (256 << 10));
      const general = await bn([...args, path], GENERAL);
      expect(general.code).toBe(0);
      for (const j of ['1', '2']) expect(await bn([...args, '-j', j, path], { BN_JOBS_BLOCK: String(300 << 10) })).toEqual(general);
      const piped = await bnInProcess([...args, '--from', 'csv', '-j', '1'], '', { input: Readable.from(chunks(Buffer.from(input), 50_000)) });
      expect(piped).toEqual(await bnInProcess([...args, '--from', 'csv'], input, { env: GENERAL }));
    }
  });

  it('two faults in the first chunk, a ragged row and then a byte that is not UTF-8: the row, the earlier, on every path', async () => {
    // A ragged row on line 3, and a byte that is not UTF-8 20,000 bytes in. Every reader reads
    // what comes before the bad byte first (test/e2e/first-fault.test.ts: so that -j 2 names what
    // -j 1 names wherever its blocks are cut), from a file as from a stream.
    const lines = Array.from({ length: 2000 }, (_, i) => (i === 2 ? '1,2,3' : `${i},${i / 4}`));
    const bytes = Buffer.from(`x,y\n${lines.join('\n')}\n`, 'latin1');
    bytes[20_000] = 0xe9;
    const bad = path.join(dir, `faults-${files++}.csv`);
    writeFileSync(bad, bytes);
    const general = await bn(['stats', bad], GENERAL);
    expect(general.stderr).toBe(`bn: ${bad}:4: expected 2 fields, found 3\n`);
    for (const j of ['1', '2']) expect(await bn(['stats', '-j', j, bad])).toEqual(general);
    const piped = await bnInProcess(['stats', '--from', 'csv'], '', { input: Readable.from([bytes]) });
    expect(piped.stderr).toBe('bn: <stdin>:4: expected 2 fields, found 3\n');
  });

  it('a bad cell after runs of lines names its line', async () => {
    const bad = writeDoc(`${text}1,oops,3\n`);
    for (const j of ['1', '2']) {
      const result = await bn(['stats', '-j', j, bad]);
      expect(result.stderr).toBe(`bn: ${bad}:40002:2 (column "b"): not a number: "oops"\n`);
    }
  });
});

describe('-j 1 = -j 2 = -j 3', () => {
  it.each([
    ['stats --to json -b 7', ['stats', '--to', 'json', '-b', '7']],
    ['stats --to json', ['stats', '--to', 'json']],
    ['normalize', ['normalize']],
  ])('%s, split into blocks of 64 bytes', async (_name, args) => {
    await fc.assert(
      fc.asyncProperty(numericDoc, async (text) => {
        const file = writeDoc(text);
        const env = { BN_JOBS_BLOCK: '64' };
        const one = await bn([...args, '-j', '1', file], env);
        expect(await bn([...args, '-j', '2', file], env)).toEqual(one);
        expect(await bn([...args, '-j', '3', file], env)).toEqual(one);
      }),
      { seed: SEED, numRuns: 10 },
    );
  });

  it('blocks whose lines are partly for the scanner (missing values, blank lines, text, spaces, long numbers): the same bytes', async () => {
    // NumericLines takes the plain lines of a block and hands the others to the scanner; the
    // records must reach the statistics and the output in order, with their lines counted.
    const random = seededRandom(99);
    const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
    const rows = Array.from({ length: 2000 }, (_, i) => {
      const x = pick([`${(random() * 100).toFixed(3)}`, `${(random() * 100).toFixed(3)}`, '', 'NA', ` ${i % 9} `, '0.12345678901234567', `${i}e-3`]);
      const y = pick([`${-i / 7}`, `${i}`, 'nan']);
      return i % 97 === 0 ? '' : `${x},${y},t${i % 5}`;
    });
    const file = writeDoc(`x,y,tag\n${rows.join('\n')}`); // no line break at the end
    for (const args of [['stats', '--to', 'json', '-b', '50'], ['normalize']]) {
      const env = { BN_JOBS_BLOCK: '700' };
      const one = await bn([...args, '-j', '1', file], env);
      expect(one.code).toBe(0);
      expect(await bn([...args, '-j', '2', file], env)).toEqual(one);
      expect(await bn([...args, '-j', '3', file], env)).toEqual(one);
    }
    // And an error after such lines still names its line.
    writeFileSync(file, `x,y,tag\n${rows.join('\n')}\n1,oops,t\n`);
    const bad = await bn(['stats', '-j', '2', file], { BN_JOBS_BLOCK: '700' });
    expect(bad.stderr).toBe(`bn: ${file}:2002:2 (column "y"): not a number: "oops"\n`);
  });

  it('-d e: a row the scanner splits as 1|5 is not read as the number 1e5 (the same error as the general path)', async () => {
    // Beyond the first chunk, so that NumericLines would be on; a text column keeps every line for it.
    const rows = Array.from({ length: 100_000 }, (_, i) => `z${'e'}${i}`);
    const file = writeDoc(`aexy\n${rows.join('\n')}\nze1e5\n`);
    const general = await bn(['stats', '-d', 'e', '--to', 'json', file], GENERAL);
    expect(general.stderr).toBe(`bn: ${file}:100002: expected 2 fields, found 3\n`);
    for (const j of ['1', '2']) expect(await bn(['stats', '-d', 'e', '--to', 'json', '-j', j, file])).toEqual(general);
  });

  it('an error in a worker\'s block names the line in the file', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => `${i},${i % 7}`);
    rows[250] = '250,oops';
    const file = writeDoc(`a,b\n${rows.join('\n')}\n`);
    for (const j of ['1', '2']) {
      const result = await bn(['stats', '-j', j, file], { BN_JOBS_BLOCK: '100' });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`bn: ${file}:252:2 (column "b"): not a number: "oops"\n`);
    }
  });

  it('the real executable: -j 2 on a file of many blocks agrees with -j 1 and the general path', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `${(i * 0.37) % 11},${-i / 3},t${i % 5}`);
    const file = writeDoc(`x,y,tag\n${rows.join('\n')}\n`);
    const env = { BN_JOBS_BLOCK: '4096' };
    const one = await bnProcess(['normalize', '-j', '1', file], { env });
    expect(one.code).toBe(0);
    expect(await bnProcess(['normalize', '-j', '2', file], { env })).toEqual(one);
    expect(await bnProcess(['normalize', file], { env: GENERAL })).toEqual(one);
    const stats = await bnProcess(['stats', '-b', '100', '--to', 'json', '-j', '2', file], { env });
    expect(stats).toEqual(await bnProcess(['stats', '-b', '100', '--to', 'json', file], { env: GENERAL }));
  });

  it('the real executable on a file large enough for its worker threads to start at launch: the same bytes as -j 1', async () => {
    // About 5 MB, beyond the blocks that one thread reads alone: bin/bn starts N − 1 threads before it parses
    // the command line, and the passes take them (-j 3: two of them, and the main thread).
    const rows = Array.from({ length: 160_000 }, (_, i) => `${((i * 7919) % 10007) / 101},${-i / 3},t${i % 5}`);
    const file = writeDoc(`x,y,tag\n${rows.join('\n')}\n`);
    expect(statSync(file).size).toBeGreaterThan(ONE_THREAD_MAX_BLOCKS * BLOCK_BYTES);
    const one = await bnProcess(['normalize', '-j', '1', file]);
    expect(one.code).toBe(0);
    expect(one.stdout.split('\n')).toHaveLength(160_002);
    expect(await bnProcess(['normalize', '-j', '3', file])).toEqual(one);
    expect(await bnProcess(['normalize', '-j', '2', file])).toEqual(one);
    const stats = await bnProcess(['stats', '--to', 'json', '-j', '3', file]);
    expect(stats.code).toBe(0);
    expect(stats).toEqual(await bnProcess(['stats', '--to', 'json', '-j', '1', file]));
  });
});

describe('a -j worker that ends during a pass', () => {
  it('the pass goes on without it, the main thread reading alone: the bytes of -j 1, not a wait for ever', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `${(i * 0.37) % 11},${-i / 3}`);
    const file = writeDoc(`x,y\n${rows.join('\n')}\n`);
    const one = await bnProcess(['stats', '--to', 'json', '-j', '1', file]);
    expect(one.code).toBe(0);
    expect(await bnProcess(['stats', '--to', 'json', '-j', '2', file], { env: { BN_JOBS_BLOCK: '4096', BN_TEST_WORKER_ENDS: '1' } })).toEqual(one);
  });
});

describe('the default of -j (src/cli/default-jobs.ts)', () => {
  /** The worker threads `args` starts, in-process, and its output. */
  const started = async (args: string[], env: Record<string, string>) => {
    let workers = 0;
    const count = () => workers++;
    process.on('worker', count);
    try {
      return { ...(await bnInProcess(args, '', { env })), workers };
    } finally {
      process.off('worker', count);
    }
  };
  const cores = os.availableParallelism();

  it.runIf(cores >= 2)('bn stats of a CSV file under 256 blocks: one thread on two cores (a worker on more); normalize, and a larger file, take the cores', async () => {
    const env = { BN_JOBS_BLOCK: '64' };
    const lines = (n: number) => 'x,y\n' + Array.from({ length: n }, (_, i) => `${i % 97}.5,${i % 13}\n`).join('');
    const medium = writeDoc(lines(1000)); // ≈ 8 KB: 125 blocks of 64 bytes
    const large = writeDoc(lines(3000)); // ≈ 25 KB: more than 256 blocks
    expect(statSync(medium).size / 64).toBeGreaterThan(ONE_THREAD_MAX_BLOCKS);
    expect(statSync(medium).size / 64).toBeLessThan(256);
    expect(statSync(large).size / 64).toBeGreaterThan(256);
    const alone = await started(['stats', '--to', 'json', medium, '-j', '1'], env);
    const stats = await started(['stats', '--to', 'json', medium], env);
    expect(stats.stdout).toBe(alone.stdout);
    expect(stats.workers).toBe(cores === 2 ? 0 : cores - 1);
    expect((await started(['stats', '--to', 'json', large], env)).workers).toBe(cores - 1);
    const normalized = await started(['normalize', medium], env);
    expect(normalized.code, normalized.stderr).toBe(0);
    expect(normalized.workers).toBe(cores - 1);
  });
});
