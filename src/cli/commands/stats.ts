import { Command, Option } from 'commander';
import { BnError } from '../../errors.js';
import { checkReadable } from '../../io/input.js';
import { OutputWriter } from '../../io/output-writer.js';
import { resolveAffine } from '../../pipeline/affine.js';
import { statsPass, type DatasetStats } from '../../pipeline/compute-stats.js';
import { openReader } from '../../pipeline/read-input.js';
import type { TrainingSettings } from '../../pipeline/presets.js';
import { settledInFirst } from '../../pipeline/batch-moments.js';
import { statsFileOf } from '../../pipeline/running.js';
import { bindSelection, type SelectionSpec } from '../../pipeline/select.js';
import { emptyStatsFile, type StatsFile } from '../../stats-file.js';
import { columnsNote } from '../columns-note.js';
import { addDisplayOptions, resolveDisplay, startProgress, type DisplayFlags } from '../display.js';
import { addInputOptions, resolveInput, settleFormat, type InputFlags } from '../input-options.js';
import type { Io } from '../io.js';
import { addAffineOptions, addTrainingOptions, resolveTraining, type ModelFlags } from '../model-options.js';
import { fileBytes } from '../progress.js';
import { writeStatsFile } from '../stats-output.js';
import { statsCsv, statsJson, statsNdjson } from '../stats-report.js';
import { statsTable } from '../stats-table.js';
import { noteDelimiter } from '../delimiter-note.js';

interface StatsFlags extends InputFlags, ModelFlags, DisplayFlags {
  to: 'table' | 'json' | 'csv' | 'ndjson';
  allBatches?: boolean;
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
  command.option('--all-batches', 'table: a section for every batch (default: with many batches, the first and last 3)');
  addDisplayOptions(command, { what: 'note of the features chosen and the columns skipped', shown: 'with the table, when standard error is a terminal' });
  addTrainingOptions(command, 'write the stats file to FILE, atomically; - writes it (on one line) to standard output instead of the report (default: not saved)');
  addAffineOptions(command);
  command
    .addHelpText(
      'after',
      `
Examples:
  $ bn example > seed.csv                          # ten rows of x1,x2 to try bn on
  $ bn stats seed.csv
  $ bn stats seed.csv -b 4                         # and a section a batch of 4 rows
  $ bn stats seed.csv --to json                    # for programs; also --to csv, --to ndjson
  $ printf 'id,x\\n1,0.5\\n2,1.5\\n3,4\\n' | bn stats --select '!id' --to csv   # every numeric column but id
  $ bn example | bn stats --to json | grep mean    # standard input, in a pipeline
  $ bn stats seed.csv -b 5 -m 0.1 --save-stats s.json   # the stats file of a training pass, no rows written`,
    )
    .action(async (file: string | undefined, flags: StatsFlags) => {
      const display = resolveDisplay(flags, io);
      const resolved = resolveInput(file, flags, io.env, { statistics: true });
      const settings = flags.saveStats === undefined ? undefined : resolveTraining(flags);
      if (!settings) requireSaveStats(flags);
      await checkReadable(resolved.spec);
      const progress = startProgress(display, io, 'stats', resolved.spec);
      let stats: DatasetStats;
      try {
        progress?.expectBytes(await fileBytes(resolved.spec.path));
        const { input, stdin } = await settleFormat(resolved, io.stdin);
        noteDelimiter(input, display, io);
        // A shard's stats file keeps a selected column this shard has no number of (count 0), for bn merge.
        const options = settings ? { ...input, emptySelected: 'keep' as const, fewestValues: settings.fewestValues } : input;
        stats = await statsPass(openReader(input, stdin, { counter: progress?.counter }).read, options, input.spec.label);
      } catch (err) {
        // A shard without a row (map-reduce tools cut such ones) still gives a stats file, which merges as nothing.
        if (!(settings && err instanceof BnError && err.code === 'BN_EMPTY_INPUT')) throw err;
        await writeStatsFile(flags.saveStats!, emptyStatsFile({ eps: settings.epsilon, momentum: settings.momentum, preset: settings.preset }), io);
        return;
      } finally {
        progress?.stop();
      }
      // Everything is computed before the first byte goes out: a failure prints nothing.
      if (settings) {
        const saved = trainedStats(stats, settings, resolved.select);
        await writeStatsFile(flags.saveStats!, saved, io);
        if (flags.saveStats === '-') return;
      }
      let text: string;
      if (flags.to === 'table') {
        // For a person at a terminal, reading the table; the other outputs name their features.
        if (display.summary) io.stderr.write(columnsNote(stats, resolved.select));
        text = statsTable(stats, { batchSize: resolved.batchSize, allBatches: flags.allBatches, color: display.out, width: display.width });
      } else {
        text = { json: statsJson, csv: statsCsv, ndjson: statsNdjson }[flags.to](stats);
      }
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

/**
 * The stats file a training pass over the same batches would save. A feature with fewer than 2
 * values in a batch (a shard of one row, cut by a map-reduce job) has no unbiased running
 * variance: the file is written all the same, with null there, since `bn merge` needs its count
 * and sums; inference refuses such a file (see affineOf) until it is merged.
 */
function trainedStats(all: DatasetStats, settings: TrainingSettings, select: SelectionSpec | undefined): StatsFile {
  // Training's features are those its first batch settles: a column whose first number comes in
  // a later batch passes through `normalize -b`, and is not in its stats file either (one that
  // --select names stays: training refuses it, and so does inference with this file).
  const selection = select && bindSelection(select, all.columns);
  const named = (j: number) => selection?.role(all.columns[j]!, j) === 'feature';
  const stats = { ...all, features: settledInFirst(all.batches, all.features, named) };
  const names = stats.features.map((j) => stats.columns[j]!);
  const gamma = resolveAffine('--gamma', settings.gamma, names, 1);
  const beta = resolveAffine('--beta', settings.beta, names, 0);
  return statsFileOf(stats, settings, gamma, beta);
}
