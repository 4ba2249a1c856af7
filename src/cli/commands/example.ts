import { Command } from 'commander';
import { OutputWriter } from '../../io/output-writer.js';
import type { Io } from '../io.js';

/**
 * The seed example (SPEC: ten rows 1,2 … 19,20; batch variance 33), built here rather than read
 * from fixtures/: the help's examples start from it, and an installed bn has no fixtures folder.
 */
export function seedCsv(): string {
  const rows = Array.from({ length: 10 }, (_, i) => `${2 * i + 1},${2 * i + 2}`);
  return ['x1,x2', ...rows, ''].join('\n');
}

export function exampleCommand(io: Io): Command {
  return new Command('example')
    .summary('print the seed example, a CSV file to try bn on')
    .description(
      'Print the seed example as CSV: ten rows x1,x2 = 1,2 … 19,20, whose batch variance is 33 and whose first row ' +
        'normalizes to (1 − 10)/√(33 + ε) ≈ −1.5667. The examples of every help start from it, so they run in any folder.',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ bn example > seed.csv && bn stats seed.csv
  $ bn example | bn normalize | head -3`,
    )
    .action(async () => {
      const out = new OutputWriter(io.stdout);
      await out.write(seedCsv());
      await out.flush();
    });
}
