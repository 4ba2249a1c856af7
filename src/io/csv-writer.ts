/**
 * Rows to CSV/TSV through csv-stringify: fields with the delimiter, a quote or a line break are
 * quoted, everything else is written as it came. Feature cells arrive as numbers and are
 * formatted here; every other cell is the reader's text, unchanged.
 */
import { stringify } from 'csv-stringify/sync';
import type { Cell } from './table.js';
import type { OutputWriter } from './output-writer.js';
import type { TableSink } from './table-sink.js';

export interface CsvSinkOptions {
  delimiter: string;
  header: boolean;
  formatNumber: (x: number) => string;
}

export function csvSink(out: OutputWriter, options: CsvSinkOptions): TableSink {
  const { delimiter, formatNumber } = options;
  const toText = (cell: Cell): string =>
    typeof cell === 'number' ? formatNumber(cell) : cell === null || cell === undefined ? '' : typeof cell === 'string' ? cell : JSON.stringify(cell);
  const encode = (records: string[][]) => stringify(records, { delimiter, record_delimiter: '\n', eof: true });
  return {
    async start(columns) {
      if (options.header) await out.write(encode([[...columns]]));
    },
    async rows(rows) {
      if (rows.length === 0) return;
      await out.write(encode(rows.map((row) => row.cells.map(toText))));
    },
    async end() {
      await out.flush();
    },
  };
}
