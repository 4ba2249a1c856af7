/**
 * The README's format table holds the registry's row of every format (src/io/format-table.ts):
 * a format added to FORMATS and not to the README fails here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatTableRows } from '../../src/io/format-table.js';
import { FORMATS } from '../../src/io/formats.js';
import { ROOT } from '../helpers/run-bn.js';

describe('the README format table', () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  it.each(formatTableRows().map((row, k) => [FORMATS[k]!.name, row]))('has the registry row of %s', (_, row) => {
    expect(readme).toContain(row);
  });
});
