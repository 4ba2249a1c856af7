import { Command } from 'commander';
import { BnError } from '../../errors.js';
import { mergeStatsFiles, type LabelledStats } from '../../stats-merge.js';
import { parseStatsStream, readStatsFile, readStatsText, requireBnStats } from '../../stats-file.js';
import { STDIN_LABEL } from '../stats-input.js';
import type { Io } from '../io.js';
import { writeStatsFile } from '../stats-output.js';
import { fileName } from '../parse-option.js';

interface MergeFlags {
  output?: string;
}

export function mergeCommand(io: Io): Command {
  return new Command('merge')
    .summary('combine the stats files of shards into the stats file of the whole dataset')
    .description(
      'Exact merge (Chan, Golub & LeVeque) of stats files written by --save-stats on shards of one dataset: count, mean and var ' +
        'become those of all the rows; running_mean and running_var become the merged mean and variance (unbiased; biased for ' +
        'the keras and sklearn presets); num_batches_tracked is the sum. Features, γ, β, ε, momentum and preset must agree. ' +
        'FILE - (or no FILE) reads stats files from standard input, one after another (e.g. the lines of `bn stats --save-stats -`).',
    )
    .argument('[files...]', 'stats files; - or none: standard input')
    .option('-o, --output <file>', 'write the merged stats file to FILE, atomically and indented (default: standard output, on one line)', fileName)
    .addHelpText(
      'after',
      `
Examples:
  $ bn example > data.csv                                          # ten rows of x1,x2 to try bn on
  $ head -6 data.csv > part-1.csv && sed -n '1p;7,$p' data.csv > part-2.csv   # two shards, each with the header
  $ bn stats part-1.csv --save-stats part-1.json --to json > /dev/null
  $ bn stats part-2.csv --save-stats part-2.json --to json > /dev/null
  $ bn merge part-1.json part-2.json -o all.json                   # the stats file of data.csv
  $ parallel --pipepart -a data.csv --block 10M --header : bn stats --save-stats - | bn merge -o all.json`,
    )
    .action(async (files: string[], flags: MergeFlags) => {
      const inputs: LabelledStats[] = [];
      for (const file of files.length === 0 ? ['-'] : files) {
        if (file === '-') {
          const docs = parseStatsStream(await readStatsText(io.stdin, STDIN_LABEL), STDIN_LABEL);
          if (docs.length === 0) throw new BnError('BN_EMPTY_INPUT', 'no stats file on standard input', { file: '<stdin>' });
          docs.forEach((loaded, k) => inputs.push({ label: `<stdin>[${k}]`, stats: requireBnStats(loaded, `<stdin>[${k}]`) }));
        } else {
          inputs.push({ label: file, stats: requireBnStats(await readStatsFile(file), file) });
        }
      }
      await writeStatsFile(flags.output ?? '-', mergeStatsFiles(inputs), io);
    });
}
