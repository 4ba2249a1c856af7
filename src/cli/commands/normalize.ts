import { Command } from 'commander';
import { openAtomic, type AtomicFile } from '../../io/atomic-file.js';
import { numberFormatter } from '../../io/format-number.js';
import { checkReadable, spoolStdin, type InputSpec } from '../../io/input.js';
import { parseFormat } from '../../io/formats.js';
import { OutputWriter } from '../../io/output-writer.js';
import { openSink } from '../../io/sinks.js';
import { parseAffineSpec } from '../../pipeline/affine.js';
import { normalizeTraining } from '../../pipeline/normalize.js';
import { addInputOptions, openTable, resolveInput, settleFormat, type InputFlags } from '../input-options.js';
import type { Io } from '../io.js';
import { nonNegativeNumber, significantDigits } from '../parse-option.js';

interface NormalizeFlags extends InputFlags {
  epsilon: number;
  gamma?: string;
  beta?: string;
  output?: string;
  precision?: number;
  to?: string;
}

export function normalizeCommand(io: Io): Command {
  const command = new Command('normalize')
    .summary('batch-normalize each feature: y = γ·(x − μ_B)/√(σ_B² + ε) + β')
    .description(
      'Training mode: each batch is normalized with its own mean μ_B and biased variance σ_B². ' +
        'Columns that are not features, and missing cells, are written back unchanged and in place.',
    )
    .argument('[file]', 'input file; - or absent: standard input');
  addInputOptions(command);
  command
    .option('-e, --epsilon <e>', 'ε added to the variance', nonNegativeNumber, 1e-5)
    .option('--gamma <spec>', 'scale γ: one number, a list (one per feature), or name=value pairs (default: 1)')
    .option('--beta <spec>', 'shift β: one number, a list (one per feature), or name=value pairs (default: 0)')
    .option('--to <format>', 'output format: csv, tsv, json, ndjson (jsonl) (default: the input format)')
    .option('--precision <n>', 'write numbers with N significant digits (default: shortest exact form)', significantDigits)
    .option('-o, --output <file>', 'write to FILE (atomically: no partial file on error) instead of standard output')
    .addHelpText(
      'after',
      `
Examples:
  $ bn normalize fixtures/seed.csv --gamma 2 --beta 1
  $ bn normalize data.csv -b 256 -o normalized.csv
  $ bn normalize data.csv --gamma x1=2,x2=0.5 --precision 6
  $ bn normalize data.json --select 'x1,x2' --to ndjson
  $ cat data.csv | bn normalize - | head`,
    )
    .action(async (file: string | undefined, flags: NormalizeFlags) => {
      const resolved = resolveInput(file, flags);
      const to = flags.to === undefined ? undefined : parseFormat(flags.to, '--to');
      const gamma = flags.gamma === undefined ? undefined : parseAffineSpec('--gamma', flags.gamma);
      const beta = flags.beta === undefined ? undefined : parseAffineSpec('--beta', flags.beta);
      await checkReadable(resolved.spec);
      const { input, stdin } = await settleFormat(resolved, io.stdin);
      const outFormat = to ?? input.format;

      let spool: { path: string; release: () => Promise<void> } | undefined;
      let file2: AtomicFile | undefined;
      try {
        // A whole-input normalize reads its input twice: standard input is spooled first.
        let spec: InputSpec = input.spec;
        if (input.batchSize === undefined && spec.path === undefined) {
          spool = await spoolStdin(stdin);
          spec = { path: spool.path, label: spec.label };
        }
        if (flags.output !== undefined) file2 = await openAtomic(flags.output);
        const sink = openSink(outFormat, new OutputWriter(file2?.stream ?? io.stdout), {
          // -d applies to the output too when it is written in the input's format.
          delimiter: outFormat === input.format ? input.delimiter : undefined,
          formatNumber: numberFormatter(flags.precision),
        });
        await normalizeTraining(() => openTable(input, stdin, spec), sink, {
          batchSize: input.batchSize,
          isMissing: input.isMissing,
          select: input.select,
          epsilon: flags.epsilon,
          gamma,
          beta,
        });
        await file2?.commit();
      } finally {
        await file2?.abort();
        await spool?.release();
      }
    });
  return command;
}
