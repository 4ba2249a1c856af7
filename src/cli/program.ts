import { Command } from 'commander';
import { escapeUnprintable } from '../errors.js';
import type { Io } from './io.js';
import { optionHint } from './option-hints.js';
import { completionCommand } from './commands/completion.js';
import { denormalizeCommand } from './commands/denormalize.js';
import { exampleCommand } from './commands/example.js';
import { exportCommand } from './commands/export.js';
import { mergeCommand } from './commands/merge.js';
import { normalizeCommand } from './commands/normalize.js';
import { statsCommand } from './commands/stats.js';
import { versionLine } from './version.js';

export { CommanderError } from 'commander';

/** The commander program. Pure wiring: each command's action does the work. */
export function buildProgram(io: Io): Command {
  const program = new Command('bn')
    .description(
      'Batch Normalization for tabular data, in a pipe: per-feature batch statistics, and training or inference-mode ' +
        'normalization of CSV, TSV, JSON, NDJSON, Parquet and Arrow, compatible with PyTorch, Keras and scikit-learn.',
    )
    .version(versionLine(process.version), '-V, --version', 'print the version of bn and of Node')
    .helpOption('-h, --help', 'print this help')
    .helpCommand('help [command]', 'print the help of a command')
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `
Examples:
  $ bn example > seed.csv                                          # the seed example: ten rows of x1,x2
  $ bn stats seed.csv                                              # count, mean, variances, min and max
  $ bn normalize seed.csv --gamma 2 --beta 1                       # y = 2·(x − μ_B)/√(σ_B² + ε) + 1
  $ bn normalize seed.csv --save-stats s.json -o seed.norm.csv     # fit: normalize, and save the statistics
  $ printf 'x1,x2\\n4,5\\n30,1\\n' | bn normalize --stats s.json      # infer: normalize new rows with them
  $ bn example | bn normalize -b 5 | head -3                       # a pipeline, in batches of 5 rows

Run bn COMMAND --help for the options and examples of a command.`,
    );
  for (const sub of [statsCommand(io), normalizeCommand(io), denormalizeCommand(io), mergeCommand(io), exportCommand(io), exampleCommand(io), completionCommand(io)]) program.addCommand(sub);

  // Commander's messages ("error: unknown option '--x'") become bn's ("bn: unknown option '--x'"),
  // and it throws instead of exiting, so run() alone decides the exit status.
  const configure = (cmd: Command) => {
    if (cmd !== program) cmd.helpOption('-h, --help', 'print this help');
    cmd
      .exitOverride()
      .configureOutput({
        writeOut: (s) => io.stdout.write(s),
        writeErr: (s) => io.stderr.write(s),
        // The help is plain text, wrapped to the terminal's width (commander would ask `process`).
        getOutHelpWidth: () => io.stdout.columns ?? 80,
        getErrHelpWidth: () => io.stderr.columns ?? 80,
        getOutHasColors: () => false,
        getErrHasColors: () => false,
        // One line: commander puts its "(Did you mean …?)" on a line of its own. The value it
        // shows refused is the user's, raw: a line break or a CR in it (-d $'\r') escaped first.
        outputError: (s, write) => write(`bn: ${withOptionHint(escapeRefused(s).replace(/^error: /, '').replace(/\n(?=.)/g, ' '), cmd)}`),
      });
    cmd.commands.forEach(configure);
  };
  configure(program);
  return program;
}

/**
 * "unknown option '--ojson'" gets the bn spelling of a neighbouring tool's flag, instead of a guess
 * by spelling; a one-letter flag in the wrong case (`-B`) gets the command's own (`-b`), which
 * commander guesses for long flags only.
 */
function withOptionHint(message: string, cmd: Command): string {
  const unknown = /^unknown option '([^']+)'/.exec(message);
  const flag = unknown?.[1];
  if (flag === undefined) return message;
  const swapped = /^-[a-zA-Z]$/.test(flag) ? cmd.options.find((o) => o.short !== undefined && o.short !== flag && o.short.toLowerCase() === flag.toLowerCase()) : undefined;
  const hint = optionHint(flag) ?? (swapped && `did you mean ${swapped.short}${swapped.long ? ` (${swapped.long})` : ''}?`);
  return hint ? `unknown option '${flag}' (${hint})\n` : message;
}

/** Commander's `argument 'VALUE' is invalid` with the value's control and invisible characters escaped. */
function escapeRefused(message: string): string {
  return message.replace(/(argument ')([\s\S]*?)(' is invalid)/, (_, open: string, value: string, close: string) => `${open}${escapeUnprintable(value)}${close}`);
}
