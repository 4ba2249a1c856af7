/**
 * Temporary files of bn processes that died without removing them (SIGKILL, a crash, a power
 * cut): `.out.csv.bn-PID-RAND.tmp` beside an output, `bn-spool-PID-RAND` in TMPDIR, each maybe
 * hundreds of MB. Their names carry the PID of the process that made them, so a later run that
 * writes to the same directory removes those whose process is gone. Only names of bn's exact
 * patterns are looked at, and only those untouched for a minute (a process on another machine
 * sharing the directory has PIDs of its own: one at work keeps its file fresh).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** `.NAME.bn-PID-8HEX.tmp`: an atomic output's temporary file (./atomic-file.ts). */
export const ATOMIC_TEMPORARY = /^\..+\.bn-(\d+)-[0-9a-f]{8}\.tmp$/;
/** `bn-spool-PID-XXXXXX`: the directory of a spooled standard input (./input.ts). */
export const SPOOL_DIRECTORY = /^bn-spool-(\d+)-[A-Za-z0-9]{6}$/;

const QUIET_MS = 60_000;

/** Whether process `pid` exists (EPERM: it does, another user's). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Removes the entries of `dir` that `pattern` names (its group 1: a PID) of processes gone. Best effort: never fails. */
export async function removeStaleTemporaries(dir: string, pattern: RegExp, now = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const pid = Number(pattern.exec(name)?.[1]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || processExists(pid)) continue;
    const file = path.join(dir, name);
    try {
      if (now - (await fs.lstat(file)).mtimeMs < QUIET_MS) continue;
      await fs.rm(file, { recursive: true, force: true });
      removed.push(file);
    } catch {
      // Gone meanwhile, or not ours to remove: left as it is.
    }
  }
  return removed;
}
