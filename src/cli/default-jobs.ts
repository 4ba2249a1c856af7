/**
 * The default of `-j`: the number of cores, but one thread for a file of a few blocks. A worker
 * thread costs about a tenth of a second of CPU to start (a Node instance of its own, and the
 * scanner to load and compile), while the main thread parses a block of 512 KiB in a few
 * milliseconds: measured on a 2-core machine, `bn stats` of a 1 MB file took 0.65× the CPU and
 * 0.78× the time with -j 1 as with -j 2. A `-j` given is taken as it is (tests split small files
 * between workers with it and BN_JOBS_BLOCK).
 */
import { statSync } from 'node:fs';

/** The bytes of a `-j` block: DEFAULT_BLOCK_BYTES of ../pipeline/fast/parallel.ts (a test keeps them equal; not imported, to keep start-up light). */
export const BLOCK_BYTES = 512 << 10;

/** A file of at most this many blocks is read by one thread unless -j says otherwise. */
export const ONE_THREAD_MAX_BLOCKS = 8;

/** -j when none is given: `cores`, or 1 for a regular file of at most ONE_THREAD_MAX_BLOCKS blocks (of `blockBytes`). */
export function defaultJobs(size: number | undefined, cores: number, blockBytes = BLOCK_BYTES): number {
  return size !== undefined && size <= ONE_THREAD_MAX_BLOCKS * blockBytes ? 1 : cores;
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
