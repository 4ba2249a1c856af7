/**
 * Temporaries of dead bn processes: removed by a later run when their PID is gone and they have
 * been quiet a minute; anything else — a live process's, a fresh one, a name not quite bn's — kept.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ATOMIC_TEMPORARY, removeStaleTemporaries, SPOOL_DIRECTORY } from '../../src/io/stale-temporaries.js';
import { shell } from '../helpers/run-bn.js';

const dir = mkdtempSync(path.join(tmpdir(), 'bn-stale-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The PID of a process that has exited. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid!;

/** An entry of `where`, last modified an hour ago unless `fresh`. */
function make(where: string, name: string, { directory = false, fresh = false } = {}): string {
  const file = path.join(where, name);
  if (directory) {
    mkdirSync(file);
    writeFileSync(path.join(file, 'stdin'), 'x\n');
  } else writeFileSync(file, 'partial');
  const hourAgo = new Date(Date.now() - 3_600_000);
  if (!fresh) utimesSync(file, hourAgo, hourAgo);
  return file;
}

describe('removeStaleTemporaries', () => {
  it('removes the atomic-output temporaries and spool directories of dead processes, nothing else', async () => {
    const here = mkdtempSync(path.join(dir, 'unit-'));
    const dead = deadPid();
    const live = spawn('sleep', ['30']);
    try {
      const gone = [make(here, `.out.csv.bn-${dead}-0a1b2c3d.tmp`), make(here, `bn-spool-${dead}-Ab12Cd`, { directory: true })];
      const kept = [
        make(here, `.out.csv.bn-${live.pid}-0a1b2c3d.tmp`), // its process lives
        make(here, `.out.csv.bn-${dead}-0a1b2c3e.tmp`, { fresh: true }), // written to a moment ago
        make(here, `.out.csv.bn-${dead}-0a1b2c3.tmp`), // not bn's name: 7 hex digits
        make(here, `out.csv.bn-${dead}-0a1b2c3d.tmp`), // no leading dot
        make(here, `bn-spool-${dead}-Ab12C`, { directory: true }),
        make(here, 'notes.txt'),
      ];
      const removed = [...(await removeStaleTemporaries(here, ATOMIC_TEMPORARY)), ...(await removeStaleTemporaries(here, SPOOL_DIRECTORY))];
      expect(removed.sort()).toEqual([...gone].sort());
      for (const file of gone) expect(existsSync(file)).toBe(false);
      for (const file of kept) expect(existsSync(file)).toBe(true);
    } finally {
      live.kill();
    }
  });

  it('bn normalize -o removes a dead run’s temporary beside its output, and a spooled normalize the spool in TMPDIR', async () => {
    const out = mkdtempSync(path.join(dir, 'out-'));
    const temp = mkdtempSync(path.join(dir, 'tmp-'));
    const dead = deadPid();
    const leftover = make(out, `.out.csv.bn-${dead}-deadbeef.tmp`);
    const spool = make(temp, `bn-spool-${dead}-XyZ123`, { directory: true });
    const r = await shell(`printf 'x\\n1\\n2\\n' | TMPDIR=${temp} $BN normalize -o ${path.join(out, 'out.csv')}`);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(leftover)).toBe(false);
    expect(existsSync(spool)).toBe(false);
    expect(existsSync(path.join(out, 'out.csv'))).toBe(true);
  });
});
