/**
 * Where `normalize` and `denormalize` write their rows: standard output or `-o FILE` (atomic), in
 * the input's format unless `--to`. One place, so training and inference mode share the sink.
 */
import { Command, Option } from 'commander';
import { BnError } from '../errors.js';
import { openCompressedAtomic, type OutputFile } from '../io/compressed-output.js';
import { numberFormatter, numberRounder } from '../io/format-number.js';
import { formatEntry, formatFromPath, formatNameList, formatNames, openSink, parseFormat } from '../io/formats.js';
import { OutputWriter } from '../io/output-writer.js';
import type { TableSink } from '../io/table-sink.js';
import type { Format } from '../io/table.js';
import type { SettledInput } from './input-options.js';
import type { Io } from './io.js';
import { takesValues } from './option-values.js';
import { fileName, significantDigits, singleCharacter } from './parse-option.js';

export interface TableOutputFlags {
  output?: string;
  outputDelimiter?: string;
  /** Miller's name for --output-delimiter. */
  ofs?: string;
  precision?: number;
  to?: string;
  /** false with --no-output-header. */
  outputHeader?: boolean;
}

export interface TableOutput {
  sink: TableSink;
  /** What the sink writes to, its format and delimiter: for the fast CSV writer. */
  writer: OutputWriter;
  format: Format;
  delimiter: string | undefined;
  formatNumber: (x: number) => string;
  precision: number | undefined;
  /** CSV/TSV: whether the header row is written. */
  header: boolean;
  /** Put `-o FILE` in place (nothing to do for standard output). */
  commit(): Promise<void>;
  /** Remove the temporary file of `-o FILE`; safe after commit. */
  abort(): Promise<void>;
}

export function addTableOutputOptions(command: Command): Command {
  return command
    .addOption(takesValues(new Option('--to <format>', `output format: ${formatNames()} (default: the input's format)`), formatNameList))
    .option('--output-delimiter <char>', 'CSV/TSV output: the field delimiter; \\t or tab for a tab (default: the input\'s with the input\'s format, else "," for csv, tab for tsv)', singleCharacter)
    .addOption(new Option('--ofs <char>', 'Miller\'s name for --output-delimiter').argParser(singleCharacter).hideHelp())
    .option('--precision <n>', 'write numbers with N significant digits (default: shortest exact form)', significantDigits)
    .option('-o, --output <file>', 'write the rows to FILE, atomically: no partial file on error (default: standard output)', fileName)
    .option('--no-output-header', 'CSV/TSV: write the rows without the header row, for every shard of a split job but the first (default: the header is written)');
}

/** Check the output flags; call before any work so a usage error comes first. */
export function checkTableOutput(flags: TableOutputFlags): void {
  if (flags.to !== undefined) checkHeaderFlag(flags, parseFormat(flags.to, '--to'));
}

/** --output-delimiter (or --ofs): only a delimiter-separated output has one. */
function outputDelimiter(flags: TableOutputFlags, format: Format): string | undefined {
  const given = flags.outputDelimiter ?? flags.ofs;
  if (given !== undefined && formatEntry(format).delimiter === undefined) {
    throw new BnError('BN_USAGE', `--output-delimiter applies to CSV and TSV output, not ${format}`);
  }
  return given;
}

/** --no-output-header is for CSV/TSV: JSON and NDJSON records name their keys (or have none). */
function checkHeaderFlag(flags: TableOutputFlags, format: Format): void {
  if (flags.outputHeader === false && format !== 'csv' && format !== 'tsv') {
    throw new BnError('BN_USAGE', `--no-output-header: ${format.toUpperCase()} output has no header row (its records name their keys or have none)`);
  }
}

export async function openTableOutput(input: SettledInput, flags: TableOutputFlags, io: Io): Promise<TableOutput> {
  // SPEC §4: --to, else what -o's name says (out.json, out.csv.gz), else the input's format.
  const named = flags.output === undefined ? undefined : formatFromPath(flags.output);
  const outFormat = flags.to !== undefined ? parseFormat(flags.to, '--to') : named ?? input.format;
  const header = flags.outputHeader !== false;
  checkHeaderFlag(flags, outFormat);
  const chosenDelimiter = outputDelimiter(flags, outFormat);
  let file: OutputFile | undefined;
  if (flags.output !== undefined) file = await openCompressedAtomic(flags.output);
  // bn's own file or compressor is done with each chunk at its write's callback.
  const writer = file ? new OutputWriter(file.stream, flags.output, true) : new OutputWriter(io.stdout);
  // -d applies to the output too when it is written in the input's format.
  const delimiter = chosenDelimiter ?? (outFormat === input.format ? input.delimiter : undefined);
  const formatNumber = numberFormatter(flags.precision);
  const sink = await openSink(outFormat, writer, { delimiter, formatNumber, roundNumber: numberRounder(flags.precision), header, path: flags.output });
  return {
    sink,
    writer,
    format: outFormat,
    delimiter,
    formatNumber,
    precision: flags.precision,
    header,
    commit: async () => file?.commit(),
    abort: async () => file?.abort(),
  };
}
