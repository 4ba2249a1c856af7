/**
 * The input flags every data command shares (-d, -n, --from, --na-values, -s, -b), turned into
 * one resolved object, and the function that opens the input as a table.
 */
import { createReadStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Command, Option } from 'commander';
import type { Readable } from 'node:stream';
import { DEFAULT_NA_VALUES, missingTest } from '../io/missing.js';
import { formatFromPath, formatNameList, formatNames, parseFormat, sniffFormat } from '../io/formats.js';
import { BnError, readError } from '../errors.js';
import { inputSpec, type InputSpec } from '../io/input.js';
import type { Format } from '../io/table.js';
import { parseSelection, type SelectionSpec } from '../pipeline/select.js';
import type { LastBatch } from '../pipeline/batch-moments.js';
import type { Io } from './io.js';
import { takesValues } from './option-values.js';
import { commaList, positiveInteger, singleCharacter } from './parse-option.js';

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
  /** The byte scanner may read CSV/TSV (BN_NO_FAST=1 turns it off: csv-parse reads it, for tests). */
  fast: boolean;
  /** Bytes per worker task (BN_JOBS_BLOCK, for tests that split small files); undefined: the default. */
  blockBytes?: number;
  /** CSV/TSV: text after a closing quote is taken as text, not an error. */
  lazyQuotes: boolean;
}

export function addInputOptions(command: Command, { batches = true } = {}): Command {
  command
    .addOption(takesValues(new Option('--from <format>', `input format: ${formatNames()} (default: from the extension, else from the first byte: [ json, { ndjson, else csv)`), formatNameList))
    .option('-d, --delimiter <char>', 'CSV/TSV field delimiter; \\t or tab for a tab (default: "," for csv, tab for tsv)', singleCharacter)
    .option('--lazy-quotes', 'CSV/TSV: a quoted field that goes on after its closing quote ("a"b) is read as the text as written, not an error (default: an error)')
    .option('-n, --no-header', 'CSV/TSV: the first row is data; columns are named 1, 2, … (default: the first row is the header)')
    .option('--na-values <list>', `comma-separated markers of a missing value, replacing the default list (default: "${DEFAULT_NA_VALUES.filter(Boolean).join(',')}" and the empty cell)`, commaList)
    .option('-s, --select <list>', 'feature columns: names, 1-based indices, ranges 2-5, /regex/; a leading ! inverts (default: every column whose first value is a number)');
  if (batches) {
    command.option('-b, --batch-size <n>', 'rows per batch (default: the whole input is one batch)', positiveInteger);
    command.addOption(
      new Option('--last-batch <what>', 'with -b, a last batch too small to train on (a feature with < 2 values): fold it into the batch before, or error as PyTorch does (default: fold)').choices(['fold', 'error']),
    );
  }
  command.option('-j, --jobs <n>', `threads that parse a CSV/TSV file in parallel, by byte ranges: the main thread and n−1 workers (default: the number of cores, ${availableParallelism()} here)`, positiveInteger);
  return command;
}

export function resolveInput(file: string | undefined, flags: InputFlags, env: Io['env'] = {}): ResolvedInput {
  if (flags.lastBatch !== undefined && flags.batchSize === undefined) {
    throw new BnError('BN_USAGE', '--last-batch needs -b/--batch-size: without it the whole input is one batch, with no last one to fold');
  }
  const spec = inputSpec(file);
  const naValues = flags.naValues ?? DEFAULT_NA_VALUES;
  const blockBytes = Number(env.BN_JOBS_BLOCK);
  return {
    spec,
    format: flags.from !== undefined ? parseFormat(flags.from) : spec.path === undefined ? undefined : formatFromPath(spec.path),
    delimiter: flags.delimiter,
    header: flags.header,
    isMissing: missingTest(naValues),
    naValues,
    select: flags.select === undefined ? undefined : parseSelection(flags.select),
    batchSize: flags.batchSize,
    lastBatch: flags.lastBatch ?? 'fold',
    jobs: flags.jobs ?? availableParallelism(),
    fast: env.BN_NO_FAST !== '1',
    blockBytes: Number.isSafeInteger(blockBytes) && blockBytes > 0 ? blockBytes : undefined,
    lazyQuotes: flags.lazyQuotes ?? false,
  };
}

export type SettledInput = ResolvedInput & { format: Format };

/**
 * Decide the format that neither --from nor the extension gave, from the first non-blank byte
 * (SPEC §2). Standard input can be read only once: the returned `stdin` replays what was read.
 */
export async function settleFormat(input: ResolvedInput, stdin: Readable): Promise<{ input: SettledInput; stdin: Readable }> {
  if (input.format !== undefined) return { input: { ...input, format: input.format }, stdin };
  const stream = input.spec.path === undefined ? stdin : createReadStream(input.spec.path);
  let sniffed;
  try {
    sniffed = await sniffFormat(stream);
  } catch (err) {
    throw readError(err, input.spec.label);
  }
  if (input.spec.path !== undefined) {
    stream.destroy();
    return { input: { ...input, format: sniffed.format }, stdin };
  }
  return { input: { ...input, format: sniffed.format }, stdin: sniffed.input };
}
