/**
 * The byte scanner's batch reader against the row reader over csv-parse: on generated documents
 * fed in random chunks, the same rows (cells and lines), the same columns, and the same error
 * (code, message, location) after the same rows.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { both } from '../../helpers/read-all.js';
import { csvDocument } from '../../helpers/csv-documents.js';

const SEED = 5005;

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
