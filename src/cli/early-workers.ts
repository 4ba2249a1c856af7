/**
 * Whether to start the `-j` worker threads at launch, from a first look at the command line,
 * before commander and the rest of bn are loaded (bin/bn). Starting them then saves ~0.1 s on a
 * pass over a large file, a tenth of a `bn stats` of 100 MB: the threads boot while
 * the main thread loads its modules, instead of after.
 *
 * A guess, made cheaply: it may start threads that no pass takes (they are unreferenced and end
 * with the process: a little CPU on another core) or not start them (the pass then starts its
 * own, as without this). It never changes what bn does, only when the threads start. So it
 * only says yes where a fast-path pass over a file is likely: `stats`, a whole-input
 * `normalize`, `normalize --stats` or `denormalize` of a CSV/TSV file of more than one block;
 * `stats` or a whole-input `normalize` (its statistics pass) of an NDJSON file.
 */
import { availableParallelism } from 'node:os';
import { compressionFromPath } from '../io/compression.js';
import { findFormat, formatFromPath } from '../io/formats.js';
import { BLOCK_BYTES, blockBytesOf, defaultJobs, isDelimitedText, regularFileSize } from './default-jobs.js';

const COMMANDS = new Set(['stats', 'normalize', 'denormalize']);
/** Options whose value is a file that is not the input (the value's size must not count). */
const PATH_OPTIONS = new Set(['-o', '--output', '--save-stats', '--stats']);
/**
 * Read by byte ranges: a format the byte scanner reads (one with a field delimiter), and NDJSON in
 * a statistics pass (workers do not write NDJSON); an unknown one is a usage error later.
 */
const byRanges = (name: string | undefined, statsPass: boolean) => {
  const entry = findFormat(name ?? '');
  return entry === undefined || entry.delimiter !== undefined || (statsPass && entry.name === 'ndjson');
};

/** The worker threads a command line will likely want at once (0: none): -j N is the main thread and N − 1 workers. */
export function earlyWorkerCount(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  cores: number,
  sizeOf: (path: string) => number | undefined,
): number {
  const command = argv[0];
  if (command === undefined || !COMMANDS.has(command) || env.BN_NO_FAST === '1') return 0;
  // A pass of statistics: stats, or the first of a whole-input normalize (not one given --stats).
  const statsPass = command === 'stats' || (command === 'normalize' && !argv.some((arg) => /^--stats(?:=|$)/.test(arg)));
  let jobs: number | undefined;
  let size: number | undefined;
  /** The input's format, from --from or the file's name, when either says it. */
  let from: string | undefined;
  let named: string | undefined;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    const jobsValue = arg === '-j' || arg === '--jobs' ? argv[++i] : /^(?:-j|--jobs=)(\d+)$/.exec(arg)?.[1];
    if (jobsValue !== undefined) {
      jobs = Number(jobsValue);
      continue;
    }
    // The files bn writes or reads beside the input: an output file of an earlier run is no input.
    // (-o may end a cluster of short flags: -qo FILE, -noFILE.)
    if (PATH_OPTIONS.has(arg) || /^-[nq]+o$/.test(arg)) {
      i++;
      continue;
    }
    if (/^(?:-[nq]*o|--output=|--save-stats=|--stats=)/.test(arg)) continue;
    // Batches of a normalize are one sequential pass; another output format is written by the main thread.
    if (command !== 'stats' && /^(?:-b|--batch-size|--to)(?:=|$)|^-b\d/.test(arg)) return 0;
    if (/^--from(?:=|$)/.test(arg)) {
      from = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[i + 1];
      if (!byRanges(from, statsPass)) return 0;
    }
    const format = formatFromPath(arg);
    if (arg.startsWith('-') || (format !== undefined && !byRanges(format, statsPass))) continue;
    // A compressed file is read by one thread: it has no byte ranges.
    if (compressionFromPath(arg).compression) continue;
    size = Math.max(size ?? 0, sizeOf(arg) ?? 0);
    named ??= format;
  }

  // The pass reads a file of more than one block with workers, and posts its first blocks to them
  // at once: threads started only then would put their whole boot on its path.
  const blockBytes = blockBytesOf(env) ?? BLOCK_BYTES;
  if (size === undefined || size <= blockBytes) return 0;
  jobs ??= defaultJobs(size, cores, blockBytes, command === 'stats' && isDelimitedText(from ?? named));
  return jobs > 1 ? jobs - 1 : 0;
}

/** bin/bn's call: start the threads if the command line looks like it wants them. */
export function startEarlyWorkers(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): void {
  const count = earlyWorkerCount(argv, env, availableParallelism(), regularFileSize);
  // Imported only then: node:worker_threads is a few milliseconds that `bn --version` need not pay.
  // The pass that takes the threads comes long after this small import has resolved; if it did
  // not, the pass would start threads of its own and these would end with the process unused.
  if (count > 0) void import('../pipeline/fast/worker-pool.js').then(({ startWorkersEarly }) => startWorkersEarly(count));
}
