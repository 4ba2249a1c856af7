/**
 * The input flags every data command shares (-d, -n, --from, --na-values, -s, -b), turned into
 * one resolved object, and the function that opens the input as a table.
 */
import { createReadStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Command, Option } from 'commander';
import type { Readable } from 'node:stream';
import { DEFAULT_NA_VALUES, missingTest } from '../io/missing.js';
import { formatFromPath, formatNameList, formatNames, parseFormat, sniffInput } from '../io/formats.js';
import { BnError, readError } from '../errors.js';
import { fileHead, inputSpec, type InputSpec } from '../io/input.js';
import { sniffDelimiter } from '../io/sniff-delimiter.js';
import type { Format } from '../io/table.js';
import { parseSelection, type SelectionSpec } from '../pipeline/select.js';
import type { LastBatch } from '../pipeline/batch-moments.js';
import type { Io } from './io.js';
import { takesValues } from './option-values.js';
import { markerList, positiveInteger, singleCharacter } from './parse-option.js';
import { blockBytesOf, defaultJobs, isDelimitedText, regularFileSize } from './default-jobs.js';

export interface InputFlags {
  delimiter?: string;
  header: boolean;
  from?: string;
  naValues?: string[];
  select?: string;
  batchSize?: number;
  lastBatch?: LastBatch;
  jobs?: number;
  lazyQuotes?: boolean;
}

export interface ResolvedInput {
  spec: InputSpec;
  /** Undefined until `settleFormat`: standard input, or a file whose extension says nothing. */
  format?: Format;
  delimiter?: string;
  header: boolean;
  isMissing: (text: string) => boolean;
  select?: SelectionSpec;
  batchSize?: number;
  /** With -b: a last batch too small to train on is folded into the one before it, or refused. */
  lastBatch: LastBatch;
  /** The markers behind `isMissing` (the byte scanner needs the ones that are numbers). */
  naValues: readonly string[];
  /** Worker threads for a seekable CSV/TSV file (-j; default: the cores). */
  jobs: number;
  /** -j as given; undefined when not (Parquet's row groups are read by workers only when asked: see columnarPass). */
  jobsGiven?: number;
  /** The byte scanner may read CSV/TSV (BN_NO_FAST=1 turns it off: csv-parse reads it, for tests). */
  fast: boolean;
  /** Bytes per worker task (BN_JOBS_BLOCK, for tests that split small files); undefined: the default. */
  blockBytes?: number;
  /** CSV/TSV: text after a closing quote is taken as text, not an error. */
  lazyQuotes: boolean;
}

export function addInputOptions(command: Command, { batches = true } = {}): Command {
  command
    .addOption(takesValues(new Option('--from <format>', `input format: ${formatNames()} (default: from the extension under any .gz/.zz/.br/.zst, else from the magic bytes of Parquet and Arrow, else from the first byte: [ json, { ndjson, else csv)`), formatNameList))
    .option('-d, --delimiter <char>', 'CSV/TSV field delimiter; \\t or tab for a tab (default: csv: sniffed from the first lines, one of , tab ; |; tsv: tab)', singleCharacter)
    .option('--lazy-quotes', 'CSV/TSV: a quoted field that goes on after its closing quote ("a"b) is read as the text as written, not an error (default: an error)')
    .option('-n, --no-header', 'CSV/TSV: the first row is data; columns are named 1, 2, … (default: the first row is the header)')
    .option('--na-values <list>', `comma-separated markers of a missing value, replacing the default list (default: "${DEFAULT_NA_VALUES.filter(Boolean).join(',')}" and the empty cell); a marker with a comma in double quotes`, markerList)
    .option('-s, --select <list>', 'feature columns: names, 1-based indices, ranges 2-5, /regex/, globs p*; a leading ! inverts (default: every column whose first value is a number)');
  if (batches) {
    command.option('-b, --batch-size <n>', 'rows per batch (default: the whole input is one batch)', positiveInteger);
    command.addOption(
      new Option('--last-batch <what>', 'with -b, a last batch too small to train on (a feature with < 2 values; < 1 under --preset keras or sklearn): fold it into the batch before, or error as PyTorch does (default: fold)').choices(['fold', 'error']),
    );
  }
  command.option('-j, --jobs <n>', `threads that parse CSV/TSV in parallel (a file by byte ranges, standard input by blocks) and an NDJSON file (by byte ranges, in a statistics pass): the main thread and n−1 workers (default: the number of cores, ${availableParallelism()} here; 1 for a file of at most 4 MiB, and for bn stats of a .csv/.tsv/.tab file (or --from csv/tsv) under 128 MiB on two cores); for a Parquet file, threads that read its row groups (default: 1)`, positiveInteger);
  return command;
}

/**
 * `statistics`: the command reads its input once for statistics only (`bn stats`), which changes
 * the default of -j (./default-jobs.ts); `cores`, the machine's (a test's own).
 */
export function resolveInput(file: string | undefined, flags: InputFlags, env: Io['env'] = {}, { statistics = false, cores = availableParallelism() } = {}): ResolvedInput {
  if (flags.lastBatch !== undefined && flags.batchSize === undefined) {
    throw new BnError('BN_USAGE', '--last-batch needs -b/--batch-size: without it the whole input is one batch, with no last one to fold');
  }
  const spec = inputSpec(file);
  const naValues = flags.naValues ?? DEFAULT_NA_VALUES;
  const blockBytes = blockBytesOf(env);
  const format = flags.from !== undefined ? parseFormat(flags.from) : spec.path === undefined ? undefined : formatFromPath(spec.path);
  const size = spec.path === undefined || spec.compression ? undefined : regularFileSize(spec.path);
  return {
    spec,
    format,
    delimiter: flags.delimiter,
    header: flags.header,
    isMissing: missingTest(naValues),
    naValues,
    select: flags.select === undefined ? undefined : parseSelection(flags.select),
    batchSize: flags.batchSize,
    lastBatch: flags.lastBatch ?? 'fold',
    jobs: flags.jobs ?? defaultJobs(size, cores, blockBytes, statistics && isDelimitedText(format)),
    jobsGiven: flags.jobs,
    fast: env.BN_NO_FAST !== '1',
    blockBytes,
    lazyQuotes: flags.lazyQuotes ?? false,
  };
}

export type SettledInput = ResolvedInput & {
  format: Format;
  /** The delimiter sniffed from the first lines (CSV without -d), when it is not the comma: a terminal is told. */
  sniffedDelimiter?: string;
};

/**
 * Decide what neither --from nor the file's name gave: standard input's compression (magic
 * bytes) and format (the first non-blank byte, SPEC §2), or those of a file whose name says
 * nothing; then, for CSV without -d, the delimiter (../io/sniff-delimiter.ts; not of a FIFO named
 * as a file, which cannot be read twice: the comma stays). Standard input can be
 * read only once: the returned `stdin` replays what was read, decompressed.
 */
export async function settleFormat(input: ResolvedInput, stdin: Readable): Promise<{ input: SettledInput; stdin: Readable }> {
  const { spec } = input;
  const wantsDelimiter = (format: Format) => format === 'csv' && input.delimiter === undefined;
  try {
    if (spec.path !== undefined && input.format !== undefined) {
      const settled = { ...input, format: input.format };
      return { input: wantsDelimiter(settled.format) ? withDelimiter(settled, await fileHead({ ...spec, path: spec.path })) : settled, stdin };
    }
    const stream = spec.path === undefined ? stdin : createReadStream(spec.path);
    const sniffed = await sniffInput(stream, spec.label, spec.compression);
    const settled: SettledInput = { ...input, format: input.format ?? sniffed.format };
    if (sniffed.compression) settled.spec = { ...spec, compression: sniffed.compression };
    const sniffedInput = wantsDelimiter(settled.format) ? withDelimiter(settled, sniffed) : settled;
    if (spec.path === undefined) return { input: sniffedInput, stdin: sniffed.input };
    // A pipe named as a file (/dev/stdin, <(…), a FIFO) cannot be opened again for the bytes just
    // read: it is read on as standard input is, from what was read (spooled where a second pass
    // needs it), and messages still name it as given.
    if (regularFileSize(spec.path) === undefined) return { input: { ...sniffedInput, spec: { ...sniffedInput.spec, path: undefined } }, stdin: sniffed.input };
    sniffed.input.destroy();
    return { input: sniffedInput, stdin };
  } catch (err) {
    throw readError(err, spec.label);
  }
}

/** The input with the delimiter its first lines say, when not the comma (the CSV default, which needs no word). */
function withDelimiter(input: SettledInput, start: { head: Buffer; ended: boolean } | undefined): SettledInput {
  const delimiter = start && sniffDelimiter(start.head, start.ended);
  return delimiter === undefined || delimiter === ',' ? input : { ...input, delimiter, sniffedDelimiter: delimiter };
}
