import { Command } from 'commander';
import { runInference } from '../inference.js';
import { addInputOptions, resolveInput, type InputFlags } from '../input-options.js';
import type { Io } from '../io.js';
import { addAffineOptions, type ModelFlags } from '../model-options.js';
import { addTableOutputOptions, type TableOutputFlags } from '../table-output.js';

interface DenormalizeFlags extends InputFlags, ModelFlags, TableOutputFlags {
  stats: string;
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
  command.requiredOption('--stats <file>', 'the stats file the values were normalized with');
  addAffineOptions(command, { withStats: true });
  addTableOutputOptions(command);
  command
    .addHelpText(
      'after',
      `
Examples:
  $ bn normalize new.csv --stats model.json > scaled.csv
  $ bn denormalize scaled.csv --stats model.json     # new.csv again, to float64 rounding
  $ cat scaled.csv | bn denormalize --stats model.json --precision 8`,
    )
    .action(async (file: string | undefined, flags: DenormalizeFlags) => {
      await runInference('denormalize', resolveInput(file, flags, io.env), flags, flags.stats, io);
    });
  return command;
}
