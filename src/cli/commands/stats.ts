import { Command, Option } from 'commander';
import { BnError } from '../../errors.js';
import { checkReadable } from '../../io/input.js';
import { OutputWriter } from '../../io/output-writer.js';
import { resolveAffine } from '../../pipeline/affine.js';
import type { DatasetStats } from '../../pipeline/compute-stats.js';
import { checkTrainable } from '../../pipeline/normalize.js';
import type { TrainingSettings } from '../../pipeline/presets.js';
import { statsFileOf } from '../../pipeline/running.js';
import type { StatsFile } from '../../stats-file.js';
import { statsOf } from '../fast-input.js';
import { addInputOptions, resolveInput, settleFormat, type InputFlags } from '../input-options.js';
import type { Io } from '../io.js';
import { addAffineOptions, addTrainingOptions, resolveTraining, type ModelFlags } from '../model-options.js';
import { writeStatsFile } from '../stats-output.js';
import { statsCsv, statsJson, statsNdjson, statsTable } from '../stats-report.js';

interface StatsFlags extends InputFlags, ModelFlags {
  to: 'table' | 'json' | 'csv' | 'ndjson';
}

export function statsCommand(io: Io): Command {
  const command = new Command('stats')
    .summary('per-feature batch statistics: count, μ_B, σ_B², sample variance, min, max')
    .description(
      'Per-feature statistics of the whole input and of each batch: count, mean μ_B, biased variance σ_B² (the one BN uses), ' +
        'sample variance (÷ n−1), min and max. Missing values are left out; each feature has its own count. ' +
        '--save-stats also writes the stats file a training pass would (running statistics after every batch), ' +
        'recording the γ, β, ε, momentum and preset given.',
    )
    .argument('[file]', 'input file; - or absent: standard input');
  addInputOptions(command);
  command.addOption(
    new Option('--to <format>', 'output: table, json, csv (one row a feature) or ndjson (one line a feature, then one a feature and batch)')
      .choices(['table', 'json', 'csv', 'ndjson'])
      .default('table'),
  );
  addTrainingOptions(command, 'write the stats file to FILE, atomically; - writes it (on one line) to standard output instead of the report');
  addAffineOptions(command);
  command
    .addHelpText(
      'after',
      `
Examples:
  $ bn stats fixtures/seed.csv
  $ bn stats fixtures/seed.csv --to json
  $ bn stats data.json --select '!id' --to csv
  $ bn stats data.csv -b 256 --to json | jq '.batches[0].mean'
  $ bn stats shard-1.csv --save-stats shard-1.json --gamma 2
  $ cat data.csv | bn stats -`,
    )
    .action(async (file: string | undefined, flags: StatsFlags) => {
      const resolved = resolveInput(file, flags, io.env);
      const settings = flags.saveStats === undefined ? undefined : resolveTraining(flags);
      if (!settings) requireSaveStats(flags);
      await checkReadable(resolved.spec);
      const { input, stdin } = await settleFormat(resolved, io.stdin);
      const stats = await statsOf(input, stdin);
      // Everything is computed before the first byte goes out: a failure prints nothing.
      if (settings) {
        const saved = trainedStats(stats, settings, input.spec.label, input.batchSize);
        await writeStatsFile(flags.saveStats!, saved, io);
        if (flags.saveStats === '-') return;
      }
      const report = { table: statsTable, json: statsJson, csv: statsCsv, ndjson: statsNdjson }[flags.to];
      const text = report(stats);
      const out = new OutputWriter(io.stdout);
      await out.write(text);
      await out.flush();
    });
  return command;
}

/** The model flags only say what to record in the stats file: without one they would do nothing. */
function requireSaveStats(flags: StatsFlags): void {
  const given = (
    [
      [flags.epsilon, '--epsilon'],
      [flags.gamma, '--gamma'],
      [flags.beta, '--beta'],
      [flags.momentum, '--momentum'],
      [flags.preset, '--preset'],
    ] as const
  ).filter(([value]) => value !== undefined);
  if (given.length > 0) {
    throw new BnError('BN_USAGE', `${given.map(([, flag]) => flag).join(', ')} only ${given.length === 1 ? 'records' : 'record'} settings in the stats file: add --save-stats FILE`);
  }
}

/** The stats file a training pass over the same batches would save. */
function trainedStats(stats: DatasetStats, settings: TrainingSettings, label: string, batchSize: number | undefined): StatsFile {
  for (const batch of stats.batches) checkTrainable(batch, stats.features, stats.columns, label, stats.rows, batchSize);
  const names = stats.features.map((j) => stats.columns[j]!);
  const gamma = resolveAffine('--gamma', settings.gamma, names, 1);
  const beta = resolveAffine('--beta', settings.beta, names, 0);
  return statsFileOf(stats, settings, gamma, beta);
}
