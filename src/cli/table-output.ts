/**
 * Where `normalize` and `denormalize` write their rows: standard output or `-o FILE` (atomic), in
 * the input's format unless `--to`. One place, so training and inference mode share the sink.
 */
import { Command, Option } from 'commander';
import { openAtomic, type AtomicFile } from '../io/atomic-file.js';
import { numberFormatter } from '../io/format-number.js';
import { formatNameList, formatNames, openSink, parseFormat } from '../io/formats.js';
import { OutputWriter } from '../io/output-writer.js';
import type { TableSink } from '../io/table-sink.js';
import type { Format } from '../io/table.js';
import type { SettledInput } from './input-options.js';
import type { Io } from './io.js';
import { takesValues } from './option-values.js';
import { fileName, significantDigits } from './parse-option.js';

export interface TableOutputFlags {
  output?: string;
  precision?: number;
  to?: string;
}

export interface TableOutput {
  sink: TableSink;
  /** What the sink writes to, its format and delimiter: for the fast CSV writer. */
  writer: OutputWriter;
  format: Format;
  delimiter: string | undefined;
  formatNumber: (x: number) => string;
  precision: number | undefined;
  /** Put `-o FILE` in place (nothing to do for standard output). */
  commit(): Promise<void>;
  /** Remove the temporary file of `-o FILE`; safe after commit. */
  abort(): Promise<void>;
}

export function addTableOutputOptions(command: Command): Command {
  return command
    .addOption(takesValues(new Option('--to <format>', `output format: ${formatNames()} (default: the input's format)`), formatNameList))
    .option('--precision <n>', 'write numbers with N significant digits (default: shortest exact form)', significantDigits)
    .option('-o, --output <file>', 'write the rows to FILE, atomically: no partial file on error (default: standard output)', fileName);
}

/** Check the output flags; call before any work so a usage error comes first. */
export function checkTableOutput(flags: TableOutputFlags): void {
  if (flags.to !== undefined) parseFormat(flags.to, '--to');
}

export async function openTableOutput(input: SettledInput, flags: TableOutputFlags, io: Io): Promise<TableOutput> {
  const outFormat = flags.to === undefined ? input.format : parseFormat(flags.to, '--to');
  let file: AtomicFile | undefined;
  if (flags.output !== undefined) file = await openAtomic(flags.output);
  const writer = new OutputWriter(file?.stream ?? io.stdout, flags.output);
  // -d applies to the output too when it is written in the input's format.
  const delimiter = outFormat === input.format ? input.delimiter : undefined;
  const formatNumber = numberFormatter(flags.precision);
  const sink = await openSink(outFormat, writer, { delimiter, formatNumber });
  return {
    sink,
    writer,
    format: outFormat,
    delimiter,
    formatNumber,
    precision: flags.precision,
    commit: async () => file?.commit(),
    abort: async () => file?.abort(),
  };
}
