/**
 * The default of `-j`: the number of cores, but one thread for a file of a few blocks (and for a
 * statistics pass over a CSV/TSV file, by its extension or --from, of less than 128 MiB on two
 * cores: see below). A worker
 * thread costs about a tenth of a second of CPU to start (a Node instance of its own, and the
 * scanner to load and compile), while the main thread parses a block of 512 KiB in a few
 * milliseconds: measured on a 2-core machine, `bn stats` of a 1 MB file took 0.65× the CPU and
 * 0.78× the time with -j 1 as with -j 2. A `-j` given is taken as it is (tests split small files
 * between workers with it and BN_JOBS_BLOCK).
 */
import { statSync } from 'node:fs';
import { findFormat } from '../io/formats.js';

/** The bytes of a `-j` block: DEFAULT_BLOCK_BYTES of ../pipeline/fast/parallel.ts (a test keeps them equal; not imported, to keep start-up light). */
export const BLOCK_BYTES = 512 << 10;

/** A file of at most this many blocks is read by one thread unless -j says otherwise. */
export const ONE_THREAD_MAX_BLOCKS = 8;

/**
 * On two cores, a statistics pass over a CSV/TSV file of fewer blocks than this (128 MiB of
 * 512 KiB blocks) is read by one thread. Such a pass does little with each byte (≈ 2.5 ns), and
 * the second core is not idle while one thread reads: V8's compiler and garbage-collector
 * threads run there (`bn stats` of the bench's 98 MB file took 0.39 s free, 0.48 s held to one
 * core), and a worker first spends ≈ 0.1 s starting. Measured on 2 cores, `bn stats` with -j 1
 * against -j 2: 98 MB 0.90× the time (Node 24: 0.93×), 147 MB 1.00×, 196 MB 1.03×, 294 MB
 * 1.08×; with the 2 MiB blocks statistics passes now cut (which made -j 2 at 98 MB 0.92× the
 * time), 98 MB 0.91× again and 122 MB with quoted text 0.88×: runs here vary by ±10 %, and the
 * threshold stays. A pass that writes (normalize) does four times the work a byte, and gains
 * from -j 2 at 98 MB (0.76× Polars' time with it); machines of more cores keep their cores (not
 * measured).
 */
export const TWO_CORES_STATISTICS_ONE_THREAD_BLOCKS = 256;

/**
 * -j when none is given: `cores`, or 1 for a regular file of at most ONE_THREAD_MAX_BLOCKS blocks
 * (of `blockBytes`), and for a `statistics` pass over a CSV/TSV file of fewer than
 * TWO_CORES_STATISTICS_ONE_THREAD_BLOCKS blocks on two cores.
 */
export function defaultJobs(size: number | undefined, cores: number, blockBytes = BLOCK_BYTES, statistics = false): number {
  if (size === undefined) return cores;
  if (size <= ONE_THREAD_MAX_BLOCKS * blockBytes) return 1;
  if (statistics && cores <= 2 && size < TWO_CORES_STATISTICS_ONE_THREAD_BLOCKS * blockBytes) return 1;
  return cores;
}

/**
 * Whether `format` (a name from --from or a file's extension, as the format registry knows it)
 * is delimiter-separated text, which a statistics pass reads under the two-core rule above.
 */
export function isDelimitedText(format: string | undefined): boolean {
  return format !== undefined && findFormat(format)?.delimiter !== undefined;
}

/** The size of a regular file; undefined for anything else (standard input, a FIFO, a missing file). */
export function regularFileSize(path: string): number | undefined {
  try {
    const stat = statSync(path, { throwIfNoEntry: false });
    return stat?.isFile() ? stat.size : undefined;
  } catch {
    return undefined;
  }
}

/** BN_JOBS_BLOCK (hidden, for tests): the bytes of a block, when it is a positive whole number. */
export function blockBytesOf(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const bytes = Number(env.BN_JOBS_BLOCK);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}
