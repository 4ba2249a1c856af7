import { createReadStream } from 'node:fs';
import { Command } from 'commander';
import { checkReadable, countBytes, spoolStdin, type InputSpec } from '../../io/input.js';
import { BnError } from '../../errors.js';
import { train, trainingOptionsOf } from '../../pipeline/normalize.js';
import { isRegularFile, openReader, openWriter, workersFor } from '../../pipeline/read-input.js';
import { statsFileOf } from '../../pipeline/running.js';
import { columnsNote } from '../columns-note.js';
import { addDisplayOptions, resolveDisplay, startProgress, type DisplayFlags } from '../display.js';
import { LINE_BUFFERED_HELP, runInference } from '../inference.js';
import { addInputOptions, resolveInput, settleFormat, type InputFlags, type ResolvedInput } from '../input-options.js';
import type { Io } from '../io.js';
import { addAffineOptions, addTrainingOptions, resolveTraining, type ModelFlags } from '../model-options.js';
import { fileBytes } from '../progress.js';
import { writeStatsFile } from '../stats-output.js';
import { summaryLine } from '../summary.js';
import { addTableOutputOptions, checkTableOutput, openTableOutput, type TableOutputFlags } from '../table-output.js';
import { fileName } from '../parse-option.js';
import { noteDelimiter } from '../delimiter-note.js';

interface NormalizeFlags extends InputFlags, ModelFlags, TableOutputFlags, DisplayFlags {
  stats?: string;
  exact?: boolean;
  lineBuffered?: boolean;
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
  addTrainingOptions(command, 'write the stats file (γ, β, running statistics, exact count/mean/var) to FILE, atomically; - for standard output, with -o for the rows (default: not saved)');
  command.option('--stats <file>', 'inference mode: normalize every row with the running statistics of this stats file, from --save-stats or with PyTorch/Keras names; - for standard input, when the data is a file (default: training mode)', fileName);
  command.option('--exact', "with --stats: the file's exact mean and biased var of every row, the bytes a whole-input training normalize writes (default: the running statistics)");
  command.option('--line-buffered', `with --stats: ${LINE_BUFFERED_HELP}`);
  addTableOutputOptions(command);
  addDisplayOptions(command, { what: 'summary line and note of the features chosen', shown: 'when standard error is a terminal' });
  command
    .addHelpText(
      'after',
      `
Examples:
  $ bn example > train.csv                                         # ten rows of x1,x2 to try bn on
  $ bn normalize train.csv --gamma 2 --beta 1
  $ bn normalize train.csv --save-stats s.json -o train.norm.csv   # fit: normalize, and save the statistics
  $ printf 'x1,x2\\n4,5\\n30,1\\n' > test.csv
  $ bn normalize test.csv --stats s.json                           # infer: normalize new rows with them
  $ bn normalize train.csv --stats s.json --exact                  # the fit's output again, from the file's exact statistics
  $ bn normalize train.csv -b 5 -o train.b5.csv                    # batches of 5 rows, each with its own μ_B, σ_B²
  $ bn normalize train.csv --gamma x1=2,x2=0.5 --precision 6       # γ by name, 6 significant digits
  $ bn normalize train.csv --select '!x1' --to ndjson              # every numeric column but x1, as NDJSON
  $ bn example | bn normalize | head -3                            # a pipeline: standard input to standard output
  $ bn normalize train.csv -b 5 --preset keras --save-stats keras.json -o train.norm.csv`,
    )
    .action(async (file: string | undefined, flags: NormalizeFlags) => {
      const input = resolveInput(file, flags, io.env);
      if (flags.stats !== undefined) return runInference('normalize', input, flags, flags.stats, io);
      if (flags.exact) throw new BnError('BN_USAGE', '--exact needs --stats FILE: it chooses which statistics of the file inference uses (training computes its own)');
      if (flags.lineBuffered) throw new BnError('BN_USAGE', '--line-buffered needs --stats FILE: training writes a batch once its statistics are known, or the whole input after a first pass');
      return training(input, flags, io);
    });
  return command;
}

async function training(resolved: ResolvedInput, flags: NormalizeFlags, io: Io): Promise<void> {
  const started = performance.now();
  const display = resolveDisplay(flags, io);
  const settings = resolveTraining(flags);
  if (flags.saveStats === '-' && flags.output === undefined) {
    throw new BnError('BN_USAGE', '--save-stats - writes the stats file to standard output, where the rows go: add -o FILE for the rows');
  }
  checkTableOutput(flags);
  await checkReadable(resolved.spec);

  const progress = startProgress(display, io, 'normalize', { path: resolved.spec.path, rowsToStdout: flags.output === undefined });
  let spool: { path: string; release: () => Promise<void> } | undefined;
  let pool: ReturnType<typeof workersFor>;
  let output: Awaited<ReturnType<typeof openTableOutput>> | undefined;
  let result;
  try {
    const { input, stdin } = await settleFormat(resolved, io.stdin);
    noteDelimiter(input, display, io);
    // A whole-input normalize reads its input twice: standard input is spooled first.
    const passes = input.batchSize === undefined ? 2 : 1;
    const size = await fileBytes(input.spec.path);
    progress?.expectBytes(size === undefined ? undefined : passes * size);
    let spec: InputSpec = input.spec;
    // So is a FIFO, a device or a pipe named as a file (`<(…)`, /dev/stdin): it cannot be opened twice.
    if (input.batchSize === undefined && (spec.path === undefined || !isRegularFile(spec.path))) {
      const source = spec.path === undefined ? stdin : createReadStream(spec.path);
      spool = await spoolStdin(progress ? countBytes(source, progress.counter) : source, spec.label);
      // A pipe named as a compressed file is spooled as it comes, still compressed (standard input
      // arrives here decompressed, by settleFormat).
      const compression = spec.path === undefined ? undefined : spec.compression;
      spec = { path: spool.path, label: spec.label, ...(compression && { compression }) };
      // What was spooled, then read twice: a third of the work is done.
      progress?.expectBytes(3 * progress.counter.bytes);
    }
    output = await openTableOutput(input, flags, io);
    // One set of workers for both passes of a whole-input normalize.
    pool = input.batchSize === undefined ? workersFor(input, spec) : undefined;
    const reader = openReader(input, stdin, { spec, counter: progress?.counter, pool });
    const options = { batchSize: input.batchSize, lastBatch: input.lastBatch, isMissing: input.isMissing, select: input.select, ...trainingOptionsOf(settings) };
    result = await train(reader.read, openWriter(reader, output), options, input.spec.label);
    // The stats file first: if it cannot be written, -o FILE is not put in place either.
    if (flags.saveStats !== undefined) {
      await writeStatsFile(flags.saveStats, statsFileOf(result, settings, result.gamma, result.beta), io);
    }
    await output.commit();
  } finally {
    progress?.stop();
    await pool?.close();
    await output?.abort();
    await spool?.release();
  }
  if (display.summary) {
    io.stderr.write(display.err.dim(columnsNote(result, resolved.select).trimEnd()) + '\n');
    const what = { mode: 'training', rows: result.rows, features: result.features.length, batches: result.folded?.batches ?? result.batches.length, savedTo: flags.saveStats } as const;
    io.stderr.write(summaryLine(what, flags.output, performance.now() - started, display.err));
  }
}
