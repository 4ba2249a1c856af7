/**
 * Input formats: which one a file is (SPEC §2) and the reader for it.
 */
import type { Readable } from 'node:stream';
import { BnError } from '../errors.js';
import { csvSource } from './csv-reader.js';
import type { Format, TableSource } from './table.js';

export interface ReadOptions {
  format: Format;
  /** Undefined: the format's own (comma for CSV, tab for TSV). */
  delimiter?: string;
  header: boolean;
  label: string;
}

const EXTENSIONS: Record<string, Format> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.tab': 'tsv',
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
};

export function parseFormat(text: string): Format {
  const format = text === 'jsonl' ? 'ndjson' : text;
  if (format === 'csv' || format === 'tsv' || format === 'json' || format === 'ndjson') return format;
  throw new BnError('BN_BAD_OPTION', `unknown format ${JSON.stringify(text)} (expected csv, tsv, json, ndjson or jsonl)`);
}

/** The format a path's extension says, or undefined. */
export function formatFromPath(path: string): Format | undefined {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? undefined : EXTENSIONS[path.slice(dot).toLowerCase()];
}

export function openSource(input: Readable, options: ReadOptions): TableSource {
  switch (options.format) {
    case 'csv':
    case 'tsv':
      return csvSource(input, {
        delimiter: options.delimiter ?? (options.format === 'tsv' ? '\t' : ','),
        header: options.header,
        label: options.label,
        format: options.format,
      });
    default:
      throw new BnError('BN_BAD_OPTION', `reading ${options.format} is not supported yet`);
  }
}
