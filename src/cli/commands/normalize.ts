import { Command } from 'commander';
import { checkReadable, spoolStdin, type InputSpec } from '../../io/input.js';
import { BnError } from '../../errors.js';
import { normalizeTraining } from '../../pipeline/normalize.js';
import { statsFileOf } from '../../pipeline/running.js';
import { runInference } from '../inference.js';
import { normalizeFast } from '../fast-input.js';
import { addInputOptions, openTable, resolveInput, settleFormat, type InputFlags, type ResolvedInput } from '../input-options.js';
import type { Io } from '../io.js';
import { addAffineOptions, addTrainingOptions, resolveTraining, type ModelFlags } from '../model-options.js';
import { writeStatsFile } from '../stats-output.js';
import { addTableOutputOptions, checkTableOutput, openTableOutput, type TableOutputFlags } from '../table-output.js';

interface NormalizeFlags extends InputFlags, ModelFlags, TableOutputFlags {
  stats?: string;
}

export function normalizeCommand(io: Io): Command {
  const command = new Command('normalize')
    .summary('batch-normalize each feature: y = γ·(x − μ_B)/√(σ_B² + ε) + β')
    .description(
      'Training mode: each batch is normalized with its own mean μ_B and biased variance σ_B², and the running statistics ' +
        'are updated after each batch (--save-stats writes them). Inference mode (--stats FILE): every row is normalized with ' +
        'the saved running statistics, y = γ·(x − running_mean)/√(running_var + ε) + β. ' +
        'Columns that are not features, and missing cells, are written back unchanged and in place.',
    )
    .argument('[file]', 'input file; - or absent: standard input');
  addInputOptions(command);
  addAffineOptions(command, { withStats: true });
  addTrainingOptions(command, 'training mode: write the stats file (γ, β, running statistics, exact count/mean/var) to FILE, atomically; - for standard output (needs -o)');
  command.option('--stats <file>', 'inference mode: normalize every row with the running statistics of this stats file (from --save-stats, or PyTorch/Keras names)');
  addTableOutputOptions(command);
  command
    .addHelpText(
      'after',
      `
Examples:
  $ bn normalize fixtures/seed.csv --gamma 2 --beta 1
  $ bn normalize data.csv -b 256 -o normalized.csv
  $ bn normalize data.csv --gamma x1=2,x2=0.5 --precision 6
  $ bn normalize data.json --select 'x1,x2' --to ndjson
  $ bn normalize train.csv -b 32 --momentum 0.1 --save-stats model.json > /dev/null
  $ bn normalize new.csv --stats model.json
  $ cat data.csv | bn normalize - | head`,
    )
    .action(async (file: string | undefined, flags: NormalizeFlags) => {
      const input = resolveInput(file, flags, io.env);
      if (flags.stats !== undefined) return runInference('normalize', input, flags, flags.stats, io);
      return training(input, flags, io);
    });
  return command;
}

async function training(resolved: ResolvedInput, flags: NormalizeFlags, io: Io): Promise<void> {
  const settings = resolveTraining(flags);
  if (flags.saveStats === '-' && flags.output === undefined) {
    throw new BnError('BN_USAGE', '--save-stats - writes the stats file to standard output, where the rows go: add -o FILE for the rows');
  }
  checkTableOutput(flags);
  await checkReadable(resolved.spec);
  const { input, stdin } = await settleFormat(resolved, io.stdin);

  let spool: { path: string; release: () => Promise<void> } | undefined;
  let output: Awaited<ReturnType<typeof openTableOutput>> | undefined;
  try {
    // A whole-input normalize reads its input twice: standard input is spooled first.
    let spec: InputSpec = input.spec;
    if (input.batchSize === undefined && spec.path === undefined) {
      spool = await spoolStdin(stdin);
      spec = { path: spool.path, label: spec.label };
    }
    output = await openTableOutput(input, flags, io);
    const model = { epsilon: settings.epsilon, gamma: settings.gamma, beta: settings.beta };
    const result =
      (await normalizeFast(input, stdin, spec, output, model)) ??
      (await normalizeTraining(() => openTable(input, stdin, spec), output.sink, {
        batchSize: input.batchSize,
        isMissing: input.isMissing,
        select: input.select,
        ...model,
      }));
    // The stats file first: if it cannot be written, -o FILE is not put in place either.
    if (flags.saveStats !== undefined) {
      await writeStatsFile(flags.saveStats, statsFileOf(result, settings, result.gamma, result.beta), io);
    }
    await output.commit();
  } finally {
    await output?.abort();
    await spool?.release();
  }
}
