/**
 * The README's table of formats, made from the registry (./formats.ts): one row a format, so that
 * a format added there is a row here (test/io/format-table.test.ts checks the README holds them).
 */
import { FORMATS } from './formats.js';

/** The table's rows in Markdown, after its header: format, read, write, parallel -j, streaming, library. */
export function formatTableRows(): string[] {
  return FORMATS.map((e) => {
    const { title, parallel, streaming, library } = e.notes;
    return `| ${title} | yes | yes | ${parallel} | ${streaming} | ${library} |`;
  });
}
