import { Command } from 'commander';
import { createRequire } from 'node:module';
import type { Io } from './io.js';
import { denormalizeCommand } from './commands/denormalize.js';
import { mergeCommand } from './commands/merge.js';
import { normalizeCommand } from './commands/normalize.js';
import { statsCommand } from './commands/stats.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** The commander program. Pure wiring: each command's action does the work. */
export function buildProgram(io: Io): Command {
  const program = new Command('bn')
    .description('Stream CSV, TSV, JSON and NDJSON through a Batch Normalization engine.')
    .version(version, '-V, --version')
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `
Examples:
  $ bn stats fixtures/seed.csv
  $ bn normalize fixtures/seed.csv --gamma 2 --beta 1
  $ cat data.csv | bn normalize -b 256 - | head
  $ bn normalize train.csv -b 32 --save-stats model.json > /dev/null && bn normalize new.csv --stats model.json
  $ bn merge shard-*.json -o all.json`,
    );
  for (const sub of [statsCommand(io), normalizeCommand(io), denormalizeCommand(io), mergeCommand(io)]) program.addCommand(sub);

  // Commander's messages ("error: unknown option '--x'") become bn's ("bn: unknown option '--x'"),
  // and it throws instead of exiting, so run() alone decides the exit status.
  const configure = (cmd: Command) => {
    cmd
      .exitOverride()
      .configureOutput({
        writeOut: (s) => io.stdout.write(s),
        writeErr: (s) => io.stderr.write(s),
        // One line: commander puts its "(Did you mean …?)" on a line of its own.
        outputError: (s, write) => write(`bn: ${s.replace(/^error: /, '').replace(/\n(?=.)/g, ' ')}`),
      });
    cmd.commands.forEach(configure);
  };
  configure(program);
  return program;
}
