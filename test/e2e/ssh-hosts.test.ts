/**
 * The README's GNU parallel `--sshlogin` recipes, across two ssh hosts made on this machine
 * (test/helpers/ssh-hosts.ts: a network namespace with its own sshd each, or, where namespaces
 * cannot be made, one sshd on 127.0.0.1 with two ports, and it says so; BN_SSH_HOSTS=localhost
 * asks for that). The recipes run as the README writes them; the only test-only part is
 * PARALLEL_SSH, the ssh command that reads the generated ssh config (host aliases, keys,
 * known_hosts in a temp dir).
 *
 * The statistics are correctly rounded whatever the split (SPEC §3), so the merged stats file
 * equals the single-machine one exactly, not to a tolerance.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, shell } from '../helpers/run-bn.js';
import { bigCsv } from '../helpers/big-csv.js';
import { SshHosts, sshHostsMissing } from '../helpers/ssh-hosts.js';

const hasParallel = spawnSync('parallel', ['--version'], { stdio: 'ignore' }).status === 0;
const missing = sshHostsMissing() ?? (hasParallel ? undefined : 'needs GNU parallel (Debian: parallel)');

// The normalize recipe needs `--exact` (the merged file's exact mean and var, as a whole-file
// training pass divides by) and `--no-output-header` (one header for the concatenation).
const normalizeHelp = spawnSync(process.execPath, [BIN, 'normalize', '--help'], { encoding: 'utf8' }).stdout ?? '';
const normalizeMissing = ['--exact', '--no-output-header'].filter((flag) => !normalizeHelp.includes(flag));

const skipped = (reason: string | undefined) => (reason ? ` (skipped: ${reason})` : '');

describe.skipIf(missing)(`the README's parallel --sshlogin recipes on two ssh hosts${skipped(missing)}`, () => {
  // Made in beforeAll: a skipped suite's body still runs (to list its tests), its hooks do not.
  let hosts: SshHosts | undefined;
  let work = '';
  const bin = () => path.join(work, 'bin');
  const jobsLog = () => path.join(work, 'jobs.log');

  /** Run a bash script in `work` (errexit, pipefail), `bn` on the PATH, parallel's ssh reading our config. */
  const sh = (script: string) => shell(`export PARALLEL_SSH='${hosts!.ssh}'\n${script}`, { cwd: work, path: [bin()], errexit: true });

  /** Where each `bn` ran since the log was emptied: "host1 stats", "local merge", … */
  function jobs(): string[] {
    const byAddress = new Map(hosts!.hosts.map((h) => [`${h.address} ${h.port}`, h.name]));
    return readFileSync(jobsLog(), 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => {
        // SSH_CONNECTION is "client-ip client-port server-ip server-port"; empty where bn ran locally.
        const [connection = '', command = ''] = line.split('|');
        const server = connection.split(' ').slice(2).join(' ');
        return `${server ? (byAddress.get(server) ?? `unknown ${server}`) : 'local'} ${command}`;
      });
  }

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'bn-ssh-'));
    mkdirSync(bin());
    // `bn` on every host (they share this filesystem): this checkout's, under this Node, and a
    // line in jobs.log saying on which host it ran.
    writeFileSync(
      path.join(bin(), 'bn'),
      `#!/bin/sh\necho "$SSH_CONNECTION|$1" >> '${jobsLog()}'\nexec '${process.execPath}' '${BIN}' "$@"\n`,
    );
    chmodSync(path.join(bin(), 'bn'), 0o755);
    writeFileSync(path.join(work, 'big.csv'), bigCsv(3000, 14)); // 185 kB: 7 blocks of 30k
    hosts = new SshHosts();
    await hosts.start({ remotePath: [bin()], forceLocalhost: process.env.BN_SSH_HOSTS === 'localhost' });
    if (hosts.mode === 'localhost') console.warn(`ssh-hosts: --sshlogin on localhost (two ports of one sshd): ${hosts.fallback}`);
  }, 30_000);

  // Also after a failure: the sshds, the namespaces and veth pairs, the temp dirs.
  afterAll(async () => {
    await hosts?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('bn stats per block on host1 and host2, bn merge: the single-machine stats file exactly', async () => {
    writeFileSync(jobsLog(), '');
    // README: parallel --pipepart -a big.csv --block 100M --header : --sshlogin host1,host2 bn stats --save-stats - | bn merge -o all.json
    const r = await sh(
      `parallel --pipepart -a big.csv --block 30k --header : --sshlogin host1,host2 bn stats --save-stats - | bn merge -o all.json
       bn stats big.csv --save-stats whole.json > /dev/null`,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);

    const ran = jobs();
    const blockJobs = ran.filter((j) => j.endsWith(' stats')).length - 1; // one is the single-machine run
    expect(blockJobs).toBeGreaterThanOrEqual(7);
    // Every block went over ssh, and each host took some.
    expect(ran.filter((j) => j.startsWith('host1 ')).length).toBeGreaterThan(0);
    expect(ran.filter((j) => j.startsWith('host2 ')).length).toBeGreaterThan(0);
    expect(ran.filter((j) => j.startsWith('local ')).sort()).toEqual(['local merge', 'local stats']);

    const merged = JSON.parse(readFileSync(path.join(work, 'all.json'), 'utf8')) as Record<string, unknown>;
    const whole = JSON.parse(readFileSync(path.join(work, 'whole.json'), 'utf8')) as Record<string, unknown>;
    expect(whole.count).toEqual([3000, 3000, 3000, 2571]);
    for (const key of ['features', 'count', 'mean', 'var', 'sum', 'sum_sq', 'running_mean', 'running_var']) {
      expect(merged[key], key).toEqual(whole[key]);
    }
    // A batch a block of rows. parallel --pipepart now and then runs a few more jobs with an empty
    // block (not even the header), whose stats file is an empty shard's: no batch.
    expect(merged.num_batches_tracked).toBe(7);
  }, 60_000);

  const needs = normalizeMissing.length > 0 ? `bn normalize --help lists no ${normalizeMissing.join(', ')}` : undefined;
  it.skipIf(needs)(`bn normalize per block with the merged stats, on both hosts: the bytes of bn normalize big.csv${skipped(needs)}`, async () => {
    writeFileSync(jobsLog(), '');
    // The whole job: stats across the hosts, merged; one header, then every block normalized
    // with the merged file's exact statistics, in order (--keep-order). --wd .: the jobs run in
    // this directory on the hosts, where merged.json is (they share the filesystem).
    const r = await sh(
      `parallel --pipepart -a big.csv --block 30k --header : --sshlogin host1,host2 bn stats --save-stats - | bn merge -o merged.json
       head -n 1 big.csv | bn normalize - --stats merged.json --exact > sharded.csv
       parallel --pipepart -a big.csv --block 30k --header : --keep-order --sshlogin host1,host2 --wd . bn normalize - --stats merged.json --exact --no-output-header >> sharded.csv
       bn normalize big.csv > whole.csv`,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ran = jobs().filter((j) => j.endsWith(' normalize'));
    expect(ran.filter((j) => j.startsWith('host1 ')).length).toBeGreaterThan(0);
    expect(ran.filter((j) => j.startsWith('host2 ')).length).toBeGreaterThan(0);
    expect(ran.filter((j) => j.startsWith('local '))).toHaveLength(2); // the header and the single-machine run
    // ASCII: equal strings are equal bytes, and a failure shows where they differ.
    const sharded = readFileSync(path.join(work, 'sharded.csv'), 'utf8');
    expect(sharded.split('\n')).toHaveLength(3002); // the header, 3,000 rows, the final newline
    expect(sharded).toBe(readFileSync(path.join(work, 'whole.csv'), 'utf8'));
  }, 60_000);
});
