/**
 * Input formats: which one an input is (SPEC §2) and the reader for it.
 */
import { Readable } from 'node:stream';
import { BnError } from '../errors.js';
import { csvSource } from './csv-reader.js';
import { csvFastSource, scannerTakes } from './fast/csv-fast-reader.js';
import { jsonSource } from './json-reader.js';
import { ndjsonSource } from './ndjson-reader.js';
import type { Format, TableSource } from './table.js';

export interface ReadOptions {
  format: Format;
  /** Undefined: the format's own (comma for CSV, tab for TSV). */
  delimiter?: string;
  header: boolean;
  label: string;
  /** Read CSV/TSV with csv-parse even where the fast reader could (BN_NO_FAST=1: for tests). */
  general?: boolean;
}

const EXTENSIONS: Record<string, Format> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.tab': 'tsv',
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
};

/** `--from` / `--to` values: csv, tsv, json, ndjson, and jsonl for ndjson. */
export function parseFormat(text: string, flag = '--from'): Format {
  const format = text === 'jsonl' ? 'ndjson' : text;
  if (format === 'csv' || format === 'tsv' || format === 'json' || format === 'ndjson') return format;
  throw new BnError('BN_BAD_OPTION', `${flag}: unknown format ${JSON.stringify(text)} (expected csv, tsv, json, ndjson or jsonl)`);
}

/** The format a path's extension says, or undefined. */
export function formatFromPath(path: string): Format | undefined {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? undefined : EXTENSIONS[path.slice(dot).toLowerCase()];
}

/** SPEC §2: the first non-blank byte says the format: `[` json, `{` ndjson, anything else (or nothing) csv. */
export function formatFromFirstByte(byte: number | undefined): Format {
  return byte === 0x5b ? 'json' : byte === 0x7b ? 'ndjson' : 'csv';
}

/** Blank bytes before the first record: white space and the bytes of a UTF-8 BOM. */
const BLANK = new Set([0x20, 0x09, 0x0a, 0x0d, 0xef, 0xbb, 0xbf]);

/**
 * Read `input` up to its first non-blank byte and tell the format that byte says. The returned
 * stream yields every byte of the input, the ones read here included.
 */
export async function sniffFormat(input: Readable): Promise<{ format: Format; input: Readable }> {
  const iterator = (input as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let byte: number | undefined;
  while (byte === undefined) {
    const next = await iterator.next();
    if (next.done) break;
    head.push(next.value);
    byte = next.value.find((b) => !BLANK.has(b));
  }
  async function* replay(): AsyncGenerator<Buffer> {
    try {
      yield* head;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    } finally {
      await iterator.return?.(); // a reader that stops early releases the input
    }
  }
  return { format: formatFromFirstByte(byte), input: Readable.from(replay(), { objectMode: false }) };
}

export function openSource(input: Readable, options: ReadOptions): TableSource {
  switch (options.format) {
    case 'csv':
    case 'tsv': {
      const csv = {
        delimiter: options.delimiter ?? (options.format === 'tsv' ? '\t' : ','),
        header: options.header,
        label: options.label,
        format: options.format,
      };
      return !options.general && scannerTakes(csv.delimiter) ? csvFastSource(input, csv) : csvSource(input, csv);
    }
    case 'json':
      return jsonSource(input, options.label);
    case 'ndjson':
      return ndjsonSource(input, options.label);
  }
}
