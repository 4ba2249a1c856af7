/** The writer for each output format: the one place a command turns `--to` into a sink. */
import { csvSink } from './csv-writer.js';
import { jsonSink } from './json-writer.js';
import type { OutputWriter } from './output-writer.js';
import type { Format } from './table.js';
import type { TableSink } from './table-sink.js';

export interface SinkOptions {
  /** CSV/TSV field delimiter; undefined: the format's own (comma, tab). */
  delimiter?: string;
  /** How a normalized number is written (shortest round-trip form, or --precision digits). */
  formatNumber: (x: number) => string;
}

export function openSink(format: Format, out: OutputWriter, options: SinkOptions): TableSink {
  const { formatNumber } = options;
  switch (format) {
    case 'csv':
    case 'tsv':
      return csvSink(out, { delimiter: options.delimiter ?? (format === 'tsv' ? '\t' : ','), formatNumber });
    case 'json':
    case 'ndjson':
      return jsonSink(out, { lines: format === 'ndjson', formatNumber });
  }
}
