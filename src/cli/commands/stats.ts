import { Command, Option } from 'commander';
import { checkReadable } from '../../io/input.js';
import { OutputWriter } from '../../io/output-writer.js';
import { computeStats } from '../../pipeline/compute-stats.js';
import { addInputOptions, openTable, resolveInput, settleFormat, type InputFlags } from '../input-options.js';
import type { Io } from '../io.js';
import { statsCsv, statsJson, statsNdjson, statsTable } from '../stats-report.js';

interface StatsFlags extends InputFlags {
  to: 'table' | 'json' | 'csv' | 'ndjson';
}

export function statsCommand(io: Io): Command {
  const command = new Command('stats')
    .summary('per-feature batch statistics: count, μ_B, σ_B², sample variance, min, max')
    .description(
      'Per-feature statistics of the whole input and of each batch: count, mean μ_B, biased variance σ_B² (the one BN uses), ' +
        'sample variance (÷ n−1), min and max. Missing values are left out; each feature has its own count.',
    )
    .argument('[file]', 'input file; - or absent: standard input');
  addInputOptions(command);
  command
    .addOption(new Option('--to <format>', 'output: table, json, csv (one row a feature) or ndjson (one line a feature, then one a feature and batch)').choices(['table', 'json', 'csv', 'ndjson']).default('table'))
    .addHelpText(
      'after',
      `
Examples:
  $ bn stats fixtures/seed.csv
  $ bn stats fixtures/seed.csv --to json
  $ bn stats data.json --select '!id' --to csv
  $ bn stats data.csv -b 256 --to json | jq '.batches[0].mean'
  $ cat data.csv | bn stats -`,
    )
    .action(async (file: string | undefined, flags: StatsFlags) => {
      const resolved = resolveInput(file, flags);
      await checkReadable(resolved.spec);
      const { input, stdin } = await settleFormat(resolved, io.stdin);
      const stats = await computeStats(openTable(input, stdin), { batchSize: input.batchSize, isMissing: input.isMissing, select: input.select });
      // Everything is computed before the first byte goes out: a failure prints nothing.
      const report = { table: statsTable, json: statsJson, csv: statsCsv, ndjson: statsNdjson }[flags.to];
      const text = report(stats);
      const out = new OutputWriter(io.stdout);
      await out.write(text);
      await out.flush();
    });
  return command;
}
