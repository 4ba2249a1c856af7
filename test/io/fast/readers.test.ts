/**
 * The byte scanner's batch reader against the row reader over csv-parse: on generated documents
 * fed in random chunks, the same rows (cells and lines), the same columns, and the same error
 * (code, message, location) after the same rows.
 */
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvSource } from '../../../src/io/csv-reader.js';
import { utf8Check } from '../../../src/io/utf8.js';
import type { BatchConsumer, ReadPass } from '../../../src/pipeline/batch.js';
import { readCsvBatches } from '../../../src/pipeline/fast/csv-batches.js';
import { FeaturePlan } from '../../../src/pipeline/feature-plan.js';
import { readRowBatches } from '../../../src/pipeline/row-batches.js';
import { fixedColumns } from '../../../src/pipeline/select.js';
import { BnError } from '../../../src/errors.js';
import { csvDocument } from '../../helpers/csv-documents.js';

const SEED = 5005;

interface Read {
  columns: string[];
  rows: { cells: unknown[]; line: number }[];
  error?: { code: string; message: string; location: unknown };
}

/** Every row a reader hands on, no column a feature: what it read, not what bn makes of the values. */
async function readAll(read: ReadPass): Promise<Read> {
  const rows: Read['rows'] = [];
  let columns: string[] = [];
  const consumer: BatchConsumer = {
    records: 'keep',
    rowsBeforeError: true,
    start(shape) {
      columns = shape.columns;
      return new FeaturePlan(shape.columns, () => false, shape.label, fixedColumns([]));
    },
    batch(batch) {
      for (let i = 0; i < batch.rows; i++) {
        const row = batch.records!.row(i);
        rows.push({ cells: [...row.cells], line: row.line });
      }
    },
  };
  try {
    await read(consumer);
  } catch (err) {
    if (!(err instanceof BnError)) throw err;
    return { columns, rows, error: { code: err.code, message: err.message, location: err.location } };
  }
  return { columns, rows };
}

function chunked(bytes: Buffer, cuts: number[]): Readable {
  const parts: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    parts.push(bytes.subarray(from, cut));
    from = cut;
  }
  parts.push(bytes.subarray(from));
  return Readable.from(parts.filter((p) => p.length > 0), { objectMode: false });
}

const both = async (bytes: Buffer, delimiter: string, header: boolean, cuts: number[] = []) => {
  const options = { delimiter, header, label: 'in.csv' };
  return {
    general: await readAll(async (consumer) => {
      // UTF-8 checked on the way, as every input the row readers take is (../../src/io/input.ts).
      const source = csvSource(chunked(bytes, cuts).pipe(utf8Check(options.label)), options);
      return { rows: await readRowBatches(source, consumer), shape: source };
    }),
    fast: await readAll((consumer) => readCsvBatches(chunked(bytes, cuts), options, consumer, [])),
  };
};

describe('fast and general CSV readers', () => {
  it.each([
    ['an unclosed quote, after good rows', 'a,b\n1,2\n3,"4\n5,6\n'],
    ['a ragged row after good rows', 'a,b\n1,2\n3\n'],
    ['a ragged row in a CR file with quoted line breaks', 'a,b\r"1\r2",3\r4\r'],
    ['a UTF-16 BOM', '\ufffea,b\n'],
    ['a duplicate header', 'a,a\n1,2\n'],
    ['empty', ''],
    ['only blank lines', '\n\r\n\n'],
    ['stray quotes and relaxed closing quotes', 'a,b\n12" pipe,"x"y\n"q""r"s,\n'],
  ])('%s', async (_name, text) => {
    const bytes = Buffer.from(text, text.startsWith('\ufffe') ? 'utf16le' : 'utf8');
    const { general, fast } = await both(bytes, ',', true);
    expect(fast).toEqual(general);
  });

  it('read generated documents alike, in any chunks', async () => {
    await fc.assert(
      fc.asyncProperty(
        csvDocument().chain((doc) =>
          fc.record({ doc: fc.constant(doc), header: fc.boolean(), cuts: fc.array(fc.nat({ max: Buffer.byteLength(doc.text) }), { maxLength: 4 }) }),
        ),
        async ({ doc, header, cuts }) => {
          const { general, fast } = await both(Buffer.from(doc.text, 'utf8'), doc.delimiter, header, cuts);
          expect(fast).toEqual(general);
        },
      ),
      { seed: SEED, numRuns: 400 },
    );
  });
});
