import { Command, Option } from 'commander';
import { BnError } from '../../errors.js';
import { writeFileAtomic } from '../../io/atomic-file.js';
import { OutputWriter } from '../../io/output-writer.js';
import { DIALECTS, exportTransform, onnxModel, sqlSelect, type Dialect } from '../../export/index.js';
import { readStatsArgument } from '../stats-input.js';
import type { Io } from '../io.js';
import { addAffineOptions, resolveInferenceOverrides, type ModelFlags } from '../model-options.js';
import { fileName, nameList } from '../parse-option.js';
import { BN_VERSION } from '../version.js';

interface ExportFlags extends Pick<ModelFlags, 'epsilon' | 'gamma' | 'beta'> {
  to: 'onnx' | 'sql';
  output?: string;
  exact?: boolean;
  float32?: boolean;
  table?: string;
  dialect?: Dialect;
  columns?: string[];
}

export function exportCommand(io: Io): Command {
  const command = new Command('export')
    .summary('write the transform of a stats file as an ONNX model or a SQL SELECT')
    .description(
      'The transform `bn normalize --stats S` applies, y = γ·(x − running_mean)/√(running_var + ε) + β (with --exact: the ' +
        "file's exact mean and biased var of every row), for serving: an ONNX model with input X [N, F] and output Y, or a " +
        'SELECT that returns every column of a table with each feature normalized. The constants are bn\'s own, so the ' +
        'results equal bn\'s, bit for bit in float64.',
    )
    .argument('<stats>', 'the stats file, from --save-stats or with PyTorch/Keras names; - for standard input')
    .addOption(new Option('--to <target>', 'what to write: an ONNX model or a SQL SELECT (required)').choices(['onnx', 'sql']).makeOptionMandatory())
    .option('-o, --output <file>', 'write to FILE, atomically (default: standard output)', fileName)
    .option('--exact', "the file's exact mean and biased var of every row: the transform of a whole-input training normalize (default: the running statistics)");
  addAffineOptions(command, { statsOnly: true });
  command
    .option('--float32', 'onnx: float32 input, output and constants, for runtimes that want float (default: float64, bn\'s results exactly)')
    .option('--table <name>', 'sql: the table to read (required; a dotted name is schema.table; a part in double quotes is one name, dots and all)')
    .addOption(new Option('--dialect <name>', 'sql: the database it is written for (default: duckdb)').choices(DIALECTS))
    .option('--columns <list>', 'sql: the table\'s columns in order, comma-separated (a name with a comma in double quotes, as in a CSV header); needed for postgres and sqlite, which have no SELECT * REPLACE', nameList)
    .addHelpText(
      'after',
      `
Examples:
  $ bn example > train.csv                                         # ten rows of x1,x2 to try bn on
  $ bn normalize train.csv --save-stats s.json -o train.norm.csv   # fit, and save the statistics
  $ bn export s.json --to onnx -o bn.onnx                          # X [N, 2] float64 → Y
  $ bn export s.json --to sql --table train                        # DuckDB: SELECT * REPLACE (…) FROM "train"
  $ bn export s.json --to sql --table train --dialect postgres --columns x1,x2`,
    )
    .action(async (statsPath: string, flags: ExportFlags) => {
      const overrides = resolveInferenceOverrides(flags);
      checkTargetFlags(flags);
      if (flags.to === 'onnx' && flags.output === undefined && io.stdout.isTTY) {
        throw new BnError('BN_USAGE', 'an ONNX model is binary: write it with -o FILE, or into a pipe');
      }
      const { loaded, label: statsLabel } = await readStatsArgument(statsPath, io.stdin, 'bn export');
      const transform = exportTransform({ stats: loaded.stats, statsLabel, exact: flags.exact, ...overrides });
      const bytes =
        flags.to === 'onnx'
          ? await onnxModel(transform, { float32: flags.float32, producerVersion: BN_VERSION })
          : sqlSelect(transform, { table: flags.table!, dialect: flags.dialect ?? 'duckdb', columns: flags.columns });
      if (flags.output !== undefined) return writeFileAtomic(flags.output, bytes);
      const out = new OutputWriter(io.stdout);
      await out.write(bytes);
      await out.flush();
    });
  return command;
}

/** Each target's own flags: the other target's are usage errors, and sql needs its table. */
function checkTargetFlags(flags: ExportFlags): void {
  const sqlOnly: Array<[unknown, string]> = [
    [flags.table, '--table'],
    [flags.dialect, '--dialect'],
    [flags.columns, '--columns'],
  ];
  if (flags.to === 'onnx') {
    const given = sqlOnly.find(([value]) => value !== undefined);
    if (given) throw new BnError('BN_USAGE', `${given[1]} applies to --to sql, not onnx`);
    return;
  }
  if (flags.float32) throw new BnError('BN_USAGE', '--float32 applies to --to onnx: SQL computes in its double type');
  if (flags.table === undefined) throw new BnError('BN_USAGE', '--to sql needs --table NAME: the table the SELECT reads');
}
