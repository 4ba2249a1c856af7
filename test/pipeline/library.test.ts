/**
 * bn as a library, through its entry (src/index.ts): the drivers over the readers the CLI uses.
 * The byte scanner, its worker threads and the row reader (csv-parse) give the same statistics
 * and the same normalized rows; the seed example's numbers are the corrected ones of SPEC.md.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_NA_VALUES,
  infer,
  missingTest,
  numberFormatter,
  numberRounder,
  openReader,
  openWriter,
  resolveTrainingSettings,
  run,
  statsPass,
  train,
  trainingOptionsOf,
  type InputSource,
  type Preset,
} from '../../src/index.js';
import { openSink } from '../../src/io/formats.js';
import { OutputWriter } from '../../src/io/output-writer.js';
import { fixture } from '../helpers/run-bn.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-library-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function input(file: string, overrides: Partial<InputSource> = {}): InputSource {
  return { spec: { path: file, label: path.basename(file) }, format: 'csv', header: true, naValues: DEFAULT_NA_VALUES, jobs: 1, fast: true, ...overrides };
}
const pass = { isMissing: missingTest() };

/** A file of `rows` rows, two features and a text column, some cells missing. */
function dataFile(rows: number): string {
  const lines = ['id,x,name,y'];
  for (let i = 0; i < rows; i++) lines.push(`${i},${i % 7 === 0 ? 'NA' : ((i * 37) % 101) / 8},"n ${i % 3}",${-1e6 + i * 0.25}`);
  const file = path.join(dir, `data-${rows}.csv`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function normalized(source: InputSource, batchSize?: number): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  // The chunks themselves, kept as a program would keep them: the writers fill their buffers again
  // once a write is done, and a worker's go back to it, so a PassThrough is given copies.
  out.on('data', (b: Buffer) => chunks.push(b));
  const writer = new OutputWriter(out);
  const reader = openReader(source, Readable.from([]));
  const sink = await openSink('csv', writer, { formatNumber: numberFormatter(undefined) });
  await train(reader.read, openWriter(reader, { format: 'csv', writer, sink, precision: undefined }), { ...pass, batchSize, epsilon: 1e-5 }, source.spec.label);
  return Buffer.concat(chunks).toString('utf8');
}

describe('the library', () => {
  it('statsPass over openReader: the seed example, μ = 10 and 11, σ² = 33', async () => {
    const stats = await statsPass(openReader(input(fixture('seed.csv')), Readable.from([])).read, pass, 'seed.csv');
    expect(stats.features.map((j) => stats.columns[j])).toEqual(['x1', 'x2']);
    expect(stats.features.map((j) => stats.total.mean(j))).toEqual([10, 11]);
    expect(stats.features.map((j) => stats.total.variance(j))).toEqual([33, 33]);
  });

  it('the byte scanner, its workers and csv-parse give the same statistics, batches included', async () => {
    const file = dataFile(5000);
    const of = async (source: InputSource) => {
      const s = await statsPass(openReader(source, Readable.from([])).read, { ...pass, batchSize: 777 }, 'data.csv');
      return { rows: s.rows, features: s.features, batches: s.batches.map((b) => s.features.map((j) => [b.moments.count(j), b.moments.mean(j), b.moments.variance(j)])) };
    };
    const scanner = await of(input(file));
    expect(scanner.features).toEqual([0, 1, 3]);
    expect(scanner.batches).toHaveLength(7);
    expect(await of(input(file, { fast: false }))).toEqual(scanner);
    expect(await of(input(file, { jobs: 3, blockBytes: 4096 }))).toEqual(scanner);
  });

  it('train writes the same bytes from every reader, whole input and -b', async () => {
    const file = dataFile(3000);
    for (const batchSize of [undefined, 500]) {
      const bytes = await normalized(input(file), batchSize);
      // id, x and y normalized; the quoted text "n 0" written as the row writer writes it (no quotes needed).
      expect(bytes.split('\n')[1]).toMatch(/^-?\d[^,]*,NA,n 0,-?\d/);
      expect(await normalized(input(file, { fast: false }), batchSize)).toBe(bytes);
      if (batchSize === undefined) expect(await normalized(input(file, { jobs: 2, blockBytes: 4096 }))).toBe(bytes);
    }
  });

  it('standard input is read once: a whole-input train is refused saying so (it said the input was empty); with a batch size it runs', async () => {
    const stdinOf = () => Readable.from([Buffer.from(readFileSync(fixture('seed.csv')))]);
    const source = input('-', { spec: { label: '<stdin>' } });
    const trainOn = async (batchSize?: number) => {
      const reader = openReader(source, stdinOf());
      const writer = new OutputWriter(new PassThrough().resume());
      const sink = await openSink('csv', writer, { formatNumber: String });
      return train(reader.read, openWriter(reader, { format: 'csv', writer, sink, precision: undefined }), { ...pass, batchSize, epsilon: 1e-5 }, '<stdin>');
    };
    await expect(trainOn()).rejects.toMatchObject({ code: 'BN_USAGE', message: expect.stringMatching(/^a stream \(standard input, a pipe\) can be read only once/) });
    await expect(trainOn(5)).resolves.toBeDefined();
  });

  it('trainingOptionsOf: a preset\'s rules in one call (keras and sklearn train on a feature of one value, torch refuses it)', async () => {
    const file = path.join(dir, 'one-value.csv');
    writeFileSync(file, 'a,b\n1,5\n2,\n4,\n');
    const trainWith = async (preset: Preset) => {
      const reader = openReader(input(file), Readable.from([]));
      const writer = new OutputWriter(new PassThrough().resume());
      const sink = await openSink('csv', writer, { formatNumber: String });
      const options = { ...pass, ...trainingOptionsOf(resolveTrainingSettings({ preset })) };
      return train(reader.read, openWriter(reader, { format: 'csv', writer, sink, precision: undefined }), options, 'one-value.csv');
    };
    await expect(trainWith('torch')).rejects.toMatchObject({ code: 'BN_TOO_FEW_VALUES' });
    for (const preset of ['keras', 'sklearn'] as const) {
      const result = await trainWith(preset);
      expect(result.total.count(1)).toBe(1);
      expect(result.total.variance(1)).toBe(0);
    }
  });

  it('--precision as the CLI applies it: numberFormatter for the sink, precision for the writer, from CSV and JSON alike', async () => {
    const json = path.join(dir, 'p.json');
    writeFileSync(json, JSON.stringify([{ x: 1 }, { x: 2 }, { x: 4 }]));
    const csvFile = path.join(dir, 'p.csv');
    writeFileSync(csvFile, 'x\n1\n2\n4\n');
    const outputs: string[] = [];
    for (const source of [input(csvFile), input(json, { format: 'json' })]) {
      const chunks: Buffer[] = [];
      const out = new PassThrough().on('data', (b: Buffer) => chunks.push(b));
      const writer = new OutputWriter(out);
      const reader = openReader(source, Readable.from([]));
      const sink = await openSink('csv', writer, { formatNumber: numberFormatter(4), roundNumber: numberRounder(4) });
      await train(reader.read, openWriter(reader, { format: 'csv', writer, sink, precision: 4 }), { ...pass, epsilon: 1e-5 }, 'p');
      outputs.push(Buffer.concat(chunks).toString());
    }
    // μ = 7/3, σ² = 14/9: (1 − 7/3)/√(14/9 + 1e-5) = −1.0690…
    expect(outputs[0]!.split('\n')[1]).toBe('-1.069');
    expect(outputs[1]).toBe(outputs[0]);
  });

  it('the shared default NA markers cannot be changed by a program', () => {
    expect(() => (DEFAULT_NA_VALUES as string[]).push('x')).toThrow(TypeError);
    expect(missingTest()('x')).toBe(false);
  });

  it('run() into a Writable that keeps its chunks: the bytes bn writes to a file', async () => {
    const file = dataFile(60000);
    const out = path.join(dir, 'out.csv');
    const quiet = new PassThrough();
    for (const jobs of ['1', '2']) {
      const chunks: Buffer[] = [];
      const stdout = new Writable({
        write(chunk: Buffer, _encoding, done) {
          chunks.push(chunk);
          done();
        },
      });
      const io = { stdin: Readable.from([]), stdout, stderr: quiet, env: {} };
      expect(await run(['normalize', file, '-j', jobs], io)).toBe(0);
      expect(await run(['normalize', file, '-j', jobs, '-o', out], io)).toBe(0);
      expect(Buffer.concat(chunks).equals(readFileSync(out))).toBe(true);
    }
  });

  it('infer takes a stats file from the trained result through the same drivers', async () => {
    const file = dataFile(100);
    const reader = openReader(input(file), Readable.from([]));
    const out = new PassThrough();
    let text = '';
    out.on('data', (b: Buffer) => (text += b.toString()));
    const writer = new OutputWriter(out);
    const sink = await openSink('csv', writer, { formatNumber: String });
    const stats = { features: ['y'], weight: [2], bias: [1], runningMean: [-1e6], runningVar: [4], eps: 0 };
    const rows = await infer(reader.read, openWriter(reader, { format: 'csv', writer, sink, precision: undefined }), { ...pass, direction: 'normalize', stats, statsLabel: 's.json' });
    expect(rows).toBe(100);
    // y = 2·(x + 1e6)/2 + 1: the first row's y is −1e6, so 1; the id column passes through.
    expect(text.split('\n').slice(0, 3)).toEqual(['id,x,name,y', `0,NA,n 0,1`, `1,${(37 % 101) / 8},n 1,1.25`]);
    expect(readFileSync(file, 'utf8').split('\n')[1]).toBe('0,NA,"n 0",-1000000');
  });
});
