/**
 * The reader of a typed, columnar input (Parquet, Arrow): its format's block reader
 * (../io/formats.ts) opened on the file in place when it is a regular, uncompressed file, on its
 * bytes otherwise, and read into batches (./column-batches.ts).
 */
import type { Readable } from 'node:stream';
import { formatEntry } from '../io/formats.js';
import { countBytes, openInput, type InputSpec } from '../io/input.js';
import type { Format } from '../io/table.js';
import type { ReadPass } from './batch.js';
import { readColumnBatches } from './column-batches.js';
import { rowGroupWorkers } from './row-group-workers.js';

/** `inPlace`: the file to read where it is (a regular, uncompressed one), else undefined: its bytes are read. */
export function columnarPass(format: Format, spec: InputSpec, inPlace: string | undefined, stdin: Readable, label: string, jobs: number, counter?: { bytes: number; rows: number }): ReadPass {
  return async (consumer) => {
    const open = await formatEntry(format).columnar!();
    const stream = () => {
      const bytes = openInput(spec, stdin, false);
      return counter ? countBytes(bytes, counter) : bytes;
    };
    const source = await open({ path: inPlace, stream }, label);
    // Row groups read by worker threads too, when the consumer can take their Moments, with -j N
    // only: measured on the bench's file (10 groups of 100,000 rows, 2 cores, a busy machine), a
    // worker made `bn stats` 1.3× slower and 24 MB larger; a file of more, larger groups on an idle
    // machine is where it pays.
    const helpers = rowGroupWorkers(source, jobs, consumer, counter);
    try {
      return await readColumnBatches(source, consumer, counter, helpers);
    } finally {
      await helpers?.close();
      await source.close?.();
    }
  };
}
