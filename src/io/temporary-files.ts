/**
 * Every temporary path bn creates (atomic-output files, the stdin spool) is registered here while
 * it exists, so that SIGINT/SIGTERM can remove them before the process dies: an interrupted
 * `bn normalize -o out.csv` leaves the previous out.csv and nothing else.
 */
import { rmSync } from 'node:fs';

const live = new Set<string>();

export function registerTemporary(path: string): void {
  live.add(path);
}

export function releaseTemporary(path: string): void {
  live.delete(path);
}

/** Remove every registered path now. Synchronous: it runs in a signal handler, just before exit. */
export function removeTemporariesSync(): void {
  for (const path of live) {
    try {
      rmSync(path, { recursive: true, force: true });
    } catch {
      // Already gone, or not ours to remove any more: nothing useful to do while exiting.
    }
  }
  live.clear();
}
