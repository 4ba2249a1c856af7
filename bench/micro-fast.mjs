#!/usr/bin/env node
/**
 * Micro-benchmark of the fast CSV path (issue #5): MB/s of
 *   1. csv-parse's record loop, as src/io/csv-reader.ts drives it (stream, for await);
 *   2. CsvScanner alone (records found, nothing decoded);
 *   3. CsvScanner + parseDecimalBytes on every field + a sum;
 *   4. CsvScanner with NumericLines in front (fields found and numbers parsed in one walk);
 *   5. writing as many normalized-looking numbers: String(x) copied as bytes, and writeShortestNumber;
 * and, for context, CsvScanner + every field decoded to a string, and csv-parse + Number().
 *
 * Input: a seeded 1e6 × 10 float CSV (~98 MB) with a header, held in memory and fed in 64 KiB
 * chunks, so the disk is not measured. Run after `npm run build`:
 *
 *   node bench/micro-fast.mjs [--rows N] [--runs R]
 */
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { CsvScanner } from '../dist/io/fast/csv-scanner.js';
import { parseDecimalBytes } from '../dist/io/fast/decimal.js';
import { NumericLines } from '../dist/io/fast/numeric-lines.js';
import { writeShortestNumber } from '../dist/io/fast/shortest-number.js';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROWS = option('--rows', 1_000_000);
const RUNS = option('--runs', 3);
const COLUMNS = 10;
const CHUNK = 64 * 1024;

/** A linear congruential generator (Numerical Recipes): the same bytes on every run. */
function seeded(seed) {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296;
}

function generate(rows) {
  const random = seeded(42);
  const lines = [Array.from({ length: COLUMNS }, (_, j) => `x${j + 1}`).join(',')];
  for (let i = 0; i < rows; i++) {
    const cells = new Array(COLUMNS);
    // Values like -0.1234567, 1.234567 or -12.34567: about 9.8 characters a number.
    for (let j = 0; j < COLUMNS; j++) cells[j] = ((random() - 0.5) * 10 ** (j % 3)).toFixed(7 - (j % 3));
    lines.push(cells.join(','));
  }
  return Buffer.from(lines.join('\n') + '\n', 'latin1');
}

function chunksOf(data) {
  const chunks = [];
  for (let i = 0; i < data.length; i += CHUNK) chunks.push(data.subarray(i, i + CHUNK));
  return chunks;
}

async function csvParseLoop(chunks, withNumbers) {
  const parser = Readable.from(chunks, { objectMode: false }).pipe(
    parse({ delimiter: ',', bom: true, info: true, skip_empty_lines: true, relax_column_count: true }),
  );
  let records = 0;
  let sum = 0;
  for await (const { record } of parser) {
    records++;
    if (withNumbers && records > 1) for (let j = 0; j < record.length; j++) sum += Number(record[j]);
  }
  return { records, sum };
}

function scannerOnly(chunks) {
  let records = 0;
  let fields = 0;
  const scanner = new CsvScanner({ delimiter: ',' }, (record) => {
    records++;
    fields += record.length;
  });
  for (const chunk of chunks) scanner.push(chunk);
  scanner.end();
  return { records, fields };
}

function scannerDecimals(chunks) {
  let records = 0;
  let sum = 0;
  let invalid = 0;
  const scanner = new CsvScanner({ delimiter: ',' }, (record) => {
    if (records++ === 0) return; // header
    const buf = record.buffer;
    for (let j = 0; j < record.length; j++) {
      const x = parseDecimalBytes(buf, record.start(j), record.end(j));
      if (x === x) sum += x;
      else invalid++;
    }
  });
  for (const chunk of chunks) scanner.push(chunk);
  scanner.end();
  return { records, sum, invalid };
}

/** CsvScanner with NumericLines in front (as the fast passes run it once the features are known). */
function scannerNumericLines(chunks) {
  let records = 0;
  let sum = 0;
  const scanner = new CsvScanner({ delimiter: ',' }, (record) => {
    if (records++ === 0) return; // header
    // A record it did not take (one split between two chunks) is parsed as before.
    if (record.values !== null) for (let j = 0; j < COLUMNS; j++) sum += record.values[j];
    else for (let j = 0; j < COLUMNS; j++) sum += parseDecimalBytes(record.buffer, record.start(j), record.end(j));
  });
  scanner.useNumericLines(NumericLines.for(COLUMNS, ',', Array.from({ length: COLUMNS }, (_, j) => j)));
  for (const chunk of chunks) scanner.push(chunk);
  scanner.end();
  return { records, sum };
}

/** Numbers as normalize writes them: String(x) copied as bytes, or writeShortestNumber. */
function writeNumbers(values, shortest) {
  const out = Buffer.allocUnsafe(32 * 4096);
  let pos = 0;
  let bytes = 0;
  for (let i = 0; i < values.length; i++) {
    if (pos > out.length - 64) {
      bytes += pos;
      pos = 0;
    }
    if (shortest) {
      pos = writeShortestNumber(values[i], out, pos);
    } else {
      const text = String(values[i]);
      for (let k = 0; k < text.length; k++) out[pos++] = text.charCodeAt(k);
    }
    out[pos++] = 0x2c;
  }
  return { numbers: values.length, bytes: bytes + pos };
}

function scannerTexts(chunks) {
  let records = 0;
  let chars = 0;
  const scanner = new CsvScanner({ delimiter: ',' }, (record) => {
    records++;
    for (let j = 0; j < record.length; j++) chars += record.text(j).length;
  });
  for (const chunk of chunks) scanner.push(chunk);
  scanner.end();
  return { records, chars };
}

/**
 * Runs `run` RUNS times; reports the median MB/s by wall-clock time and by CPU time of this
 * process (user + system): on a shared machine the second is the steadier measure.
 */
async function measure(name, bytes, run) {
  const wall = [];
  const cpu = [];
  let result;
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    result = await run();
    const used = process.cpuUsage(c0);
    wall.push(bytes / 1e6 / (Number(process.hrtime.bigint() - t0) / 1e9));
    cpu.push(bytes / 1e6 / ((used.user + used.system) / 1e6));
  }
  const median = (rates) => rates.sort((a, b) => a - b)[Math.floor(rates.length / 2)];
  const [w, c] = [median(wall), median(cpu)];
  console.log(
    `${name.padEnd(44)} ${w.toFixed(1).padStart(7)} MB/s wall ${c.toFixed(1).padStart(7)} MB/s cpu ` +
      `${((bytes / 1e6 / c) * 1000).toFixed(0).padStart(6)} ms cpu  ${JSON.stringify(result)}`,
  );
}

const data = generate(ROWS);
const chunks = chunksOf(data);
console.log(`input: ${ROWS} rows × ${COLUMNS} floats, ${(data.length / 1e6).toFixed(1)} MB, ${chunks.length} chunks of 64 KiB; ` +
  `node ${process.version}; ${RUNS} runs each`);
await measure('csv-parse record loop (stream, for await)', data.length, () => csvParseLoop(chunks, false));
await measure('csv-parse + Number() + sum', data.length, () => csvParseLoop(chunks, true));
await measure('CsvScanner alone', data.length, () => scannerOnly(chunks));
await measure('CsvScanner + parseDecimalBytes + sum', data.length, () => scannerDecimals(chunks));
await measure('CsvScanner + text() of every field', data.length, () => scannerTexts(chunks));
await measure('CsvScanner with NumericLines + sum', data.length, () => scannerNumericLines(chunks));
// Normalized-looking values (full 53-bit results), one per number of the input: MB/s of input.
const random = seeded(7);
const normalized = Float64Array.from({ length: ROWS * COLUMNS }, () => (random() + random() * 2 ** -32 - 0.5) * 3.4641);
await measure('String(x) as bytes, 10 numbers a row', data.length, () => writeNumbers(normalized, false));
await measure('writeShortestNumber, 10 numbers a row', data.length, () => writeNumbers(normalized, true));
