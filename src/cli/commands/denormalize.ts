import { Command } from 'commander';
import { BnError } from '../../errors.js';
import { LINE_BUFFERED_HELP, runInference } from '../inference.js';
import { addDisplayOptions, type DisplayFlags } from '../display.js';
import { addInputOptions, resolveInput, type InputFlags } from '../input-options.js';
import type { Io } from '../io.js';
import { addAffineOptions, type ModelFlags } from '../model-options.js';
import { addTableOutputOptions, type TableOutputFlags } from '../table-output.js';
import { fileName } from '../parse-option.js';

interface DenormalizeFlags extends InputFlags, ModelFlags, TableOutputFlags, DisplayFlags {
  stats?: string;
  exact?: boolean;
  lineBuffered?: boolean;
}

export function denormalizeCommand(io: Io): Command {
  const command = new Command('denormalize')
    .summary('invert inference-mode normalize: x = (y − β)/γ·√(running_var + ε) + running_mean')
    .description(
      'The inverse of `bn normalize --stats S`: every feature cell y becomes x = (y − β)/γ·√(running_var + ε) + running_mean, ' +
        'with γ, β, ε from the stats file unless given as flags. γ = 0 cannot be inverted and is an error. ' +
        'Columns that are not features, and missing cells, are written back unchanged and in place.',
    )
    .argument('[file]', 'input file; - or absent: standard input');
  addInputOptions(command, { batches: false });
  // Checked in the action, not by commander, so that a mistyped --stat is named first.
  command.option('--stats <file>', 'the stats file the values were normalized with (required); - for standard input, when the data is a file', fileName);
  command.option('--line-buffered', LINE_BUFFERED_HELP);
  command.option('--exact', "invert a training-mode normalize: the file's exact mean and biased var of every row (default: the running statistics, inverting inference mode)");
  addAffineOptions(command, { withStats: true });
  addTableOutputOptions(command);
  addDisplayOptions(command, { what: 'summary line', shown: 'when standard error is a terminal' });
  command
    .addHelpText(
      'after',
      `
Examples:
  $ bn example > train.csv                                          # ten rows of x1,x2 to try bn on
  $ bn normalize train.csv --save-stats s.json -o train.norm.csv
  $ bn denormalize train.norm.csv --stats s.json --exact            # train.csv again, to float64 rounding
  $ printf 'x1,x2\\n4,5\\n' | bn normalize --stats s.json | bn denormalize --stats s.json --precision 8`,
    )
    .action(async (file: string | undefined, flags: DenormalizeFlags) => {
      if (flags.stats === undefined) {
        throw new BnError('BN_USAGE', 'denormalize needs --stats FILE: the stats file the values were normalized with');
      }
      await runInference('denormalize', resolveInput(file, flags, io.env), flags, flags.stats, io);
    });
  return command;
}
