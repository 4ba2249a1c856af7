/**
 * Where `normalize` and `denormalize` write their rows: standard output or `-o FILE` (atomic), in
 * the input's format unless `--to`. One place, so training and inference mode share the sink.
 */
import { Command, Option } from 'commander';
import { openAtomic, type AtomicFile } from '../io/atomic-file.js';
import { csvSink } from '../io/csv-writer.js';
import { numberFormatter } from '../io/format-number.js';
import { OutputWriter } from '../io/output-writer.js';
import type { TableSink } from '../io/table-sink.js';
import { BnError } from '../errors.js';
import type { ResolvedInput } from './input-options.js';
import type { Io } from './io.js';
import { significantDigits } from './parse-option.js';

export interface TableOutputFlags {
  output?: string;
  precision?: number;
  to?: string;
}

export interface TableOutput {
  sink: TableSink;
  /** Put `-o FILE` in place (nothing to do for standard output). */
  commit(): Promise<void>;
  /** Remove the temporary file of `-o FILE`; safe after commit. */
  abort(): Promise<void>;
}

export function addTableOutputOptions(command: Command): Command {
  return command
    .addOption(new Option('--to <format>', 'output format (default: the input format)').choices(['csv', 'tsv']))
    .option('--precision <n>', 'write numbers with N significant digits (default: shortest exact form)', significantDigits)
    .option('-o, --output <file>', 'write to FILE (atomically: no partial file on error) instead of standard output');
}

/** Check the output flags; call before any work so a usage error comes first. */
export function checkTableOutput(input: ResolvedInput, flags: TableOutputFlags): void {
  const format = flags.to ?? input.format;
  if (format !== 'csv' && format !== 'tsv') throw new BnError('BN_BAD_OPTION', `writing ${format} is not supported yet`);
}

export async function openTableOutput(input: ResolvedInput, flags: TableOutputFlags, io: Io): Promise<TableOutput> {
  checkTableOutput(input, flags);
  const outFormat = flags.to ?? input.format;
  let file: AtomicFile | undefined;
  if (flags.output !== undefined) file = await openAtomic(flags.output);
  const sink = csvSink(new OutputWriter(file?.stream ?? io.stdout), {
    delimiter: outFormat === input.format && input.delimiter !== undefined ? input.delimiter : outFormat === 'tsv' ? '\t' : ',',
    header: input.header,
    formatNumber: numberFormatter(flags.precision),
  });
  return {
    sink,
    commit: async () => file?.commit(),
    abort: async () => file?.abort(),
  };
}
