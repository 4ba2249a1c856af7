/**
 * Two ssh "hosts" on this machine, for running `parallel --sshlogin` recipes for real: each is a
 * network namespace with a veth pair to this one (addresses 10.77.X.0/29) and an sshd of its own.
 * Where a namespace cannot be made (no `ip`, no CAP_SYS_ADMIN), one sshd on 127.0.0.1 listening
 * on two ports stands in for both. Either way the client reaches them as `host1` and `host2`
 * through a generated ssh config (`hosts.ssh` is the ssh command that reads it).
 *
 * Everything is made in a temporary directory (host key, user key, authorized_keys, configs)
 * and `stop()` undoes whatever `start()` got to, also after a failure half way.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const SEARCH_PATH = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];

/** The absolute path of an executable, looked up on the PATH and the sbin dirs. */
function which(name: string): string | undefined {
  return SEARCH_PATH.filter(Boolean)
    .map((dir) => path.join(dir, name))
    .find((file) => existsSync(file));
}

/** Why two ssh hosts cannot be made here, or undefined when they can. */
export function sshHostsMissing(): string | undefined {
  // sshd has to run as root to log a user in (privilege separation, setuid to the user).
  if (process.getuid?.() !== 0) return 'needs root (sshd logs users in)';
  const absent = ['sshd', 'ssh', 'ssh-keygen'].filter((p) => !which(p));
  if (absent.length > 0) return `needs ${absent.join(', ')} (Debian: openssh-server, openssh-client)`;
  return undefined;
}

function run(command: string, args: string[]): { ok: boolean; stdout: string; stderr: string } {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  return { ok: r.status === 0, stdout: r.stdout ?? '', stderr: (r.stderr || r.error?.message || '').trim() };
}

function must(command: string, args: string[]): void {
  const r = run(command, args);
  if (!r.ok) throw new Error(`${command} ${args.join(' ')}: ${r.stderr}`);
}

/** A TCP port free on 127.0.0.1 right now (the kernel's pick). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The pids of a process's descendants, children first (from /proc). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/PID/stat is the parent; the command name before it is in parentheses.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      walk(c);
      out.push(c);
    }
  };
  walk(pid);
  return out;
}

/** Running (not gone, not a zombie waiting for its parent). */
function alive(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

interface Host {
  name: string;
  address: string;
  port: number;
}

export class SshHosts {
  /** The temporary directory holding keys and configs (removed by stop). */
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'bn-ssh-hosts-'));
  /** The ssh command the client runs: `ssh -F <config>` (GNU parallel: PARALLEL_SSH or --ssh). */
  readonly ssh = `ssh -F ${path.join(this.dir, 'ssh_config')}`;
  /** 'namespaces', or 'localhost' with the reason in `fallback`. */
  mode: 'namespaces' | 'localhost' = 'namespaces';
  fallback = '';
  hosts: Host[] = [];

  private readonly sshds: ChildProcess[] = [];
  private readonly namespaces: string[] = [];
  private readonly links: string[] = [];
  private madePrivsepDir = false;

  /**
   * Start host1 and host2. `remotePath`: the PATH of a remote login (dirs first, then the usual
   * ones), e.g. a dir with a `bn` in it: "bn installed on each host".
   * `forceLocalhost`: skip the namespaces (to exercise the fallback).
   */
  async start(options: { remotePath: string[]; forceLocalhost?: boolean }): Promise<void> {
    const sshd = which('sshd')!;
    // sshd refuses to start without its privilege separation dir; Debian's service makes it,
    // and nothing does in a container that never started the service.
    if (!existsSync('/run/sshd')) {
      mkdirSync('/run/sshd', { mode: 0o755 });
      this.madePrivsepDir = true;
    }
    must('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bn test host', '-f', path.join(this.dir, 'host_key')]);
    must('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bn test user', '-f', path.join(this.dir, 'id')]);
    writeFileSync(path.join(this.dir, 'authorized_keys'), readFileSync(path.join(this.dir, 'id.pub')));

    const why = options.forceLocalhost ? 'asked for (BN_SSH_HOSTS=localhost)' : this.makeNamespaces();
    if (why) {
      this.mode = 'localhost';
      this.fallback = why;
      const port1 = await freePort();
      let port2 = await freePort();
      while (port2 === port1) port2 = await freePort();
      this.hosts = [
        { name: 'host1', address: '127.0.0.1', port: port1 },
        { name: 'host2', address: '127.0.0.1', port: port2 },
      ];
      await this.startSshd(sshd, 'localhost', this.hosts, undefined, options.remotePath);
    } else {
      await Promise.all(this.hosts.map((host, i) => this.startSshd(sshd, host.name, [host], this.namespaces[i], options.remotePath)));
    }

    const hostBlocks = this.hosts.map((h) => `Host ${h.name}\n  HostName ${h.address}\n  Port ${h.port}\n`);
    writeFileSync(
      path.join(this.dir, 'ssh_config'),
      `${hostBlocks.join('')}Host *
  User root
  IdentityFile ${path.join(this.dir, 'id')}
  IdentitiesOnly yes
  BatchMode yes
  StrictHostKeyChecking no
  UserKnownHostsFile ${path.join(this.dir, 'known_hosts')}
  ConnectTimeout 10
  LogLevel ERROR
`,
    );
  }

  /** Two namespaces with a veth pair each; undefined, or why they could not be made. */
  private makeNamespaces(): string | undefined {
    if (!which('ip')) return 'no `ip` command (iproute2)';
    // Names and a subnet of this run's own, so that two runs on one machine do not collide.
    const tag = `bn${process.pid}`;
    const used = run('ip', ['-o', '-4', 'addr']).stdout;
    let subnet = process.pid % 250;
    while (used.includes(`10.77.${subnet}.`)) subnet = (subnet + 1) % 250;
    try {
      for (const i of [1, 2]) {
        const ns = `${tag}h${i}`;
        const outside = `${tag}h${i}o`; // interface names: 15 characters at most
        const inside = `${tag}h${i}i`;
        const base = (i - 1) * 4; // 10.77.X.(base+1) here, (base+2) in the namespace: a /30 each
        const here = `10.77.${subnet}.${base + 1}`;
        const there = `10.77.${subnet}.${base + 2}`;
        must('ip', ['netns', 'add', ns]);
        this.namespaces.push(ns);
        must('ip', ['link', 'add', outside, 'type', 'veth', 'peer', 'name', inside]);
        this.links.push(outside);
        must('ip', ['link', 'set', inside, 'netns', ns]);
        must('ip', ['addr', 'add', `${here}/30`, 'dev', outside]);
        must('ip', ['link', 'set', outside, 'up']);
        must('ip', ['netns', 'exec', ns, 'ip', 'addr', 'add', `${there}/30`, 'dev', inside]);
        must('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', inside, 'up']);
        this.hosts.push({ name: `host${i}`, address: there, port: 22 });
      }
      return undefined;
    } catch (err) {
      this.removeNamespaces();
      this.hosts = [];
      return `no network namespace: ${(err as Error).message}`;
    }
  }

  /** Start an sshd (in `namespace` when given) listening on `hosts`' addresses; resolve once it listens. */
  private startSshd(sshd: string, label: string, hosts: Host[], namespace: string | undefined, remotePath: string[]): Promise<void> {
    const config = path.join(this.dir, `sshd_config.${label}`);
    writeFileSync(
      config,
      `${hosts.map((h) => `ListenAddress ${h.address}:${h.port}\n`).join('')}HostKey ${path.join(this.dir, 'host_key')}
PidFile ${path.join(this.dir, `sshd.${label}.pid`)}
AuthorizedKeysFile ${path.join(this.dir, 'authorized_keys')}
# The temp dir's modes are not what a home dir's should be; the test runs as root.
StrictModes no
UsePAM no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
# parallel opens a connection per job, several at once.
MaxStartups 64
# One SetEnv line (sshd takes the first). PATH: bn installed on the host. SHLVL=1: bash reads
# ~/.bashrc for an ssh command only as a top-level shell, and with SHLVL=1 set it is a nested
# one; a machine's ~/.bashrc (pyenv init) took 2 s a connection, and a host of ours starts clean.
SetEnv PATH=${[...remotePath, '/usr/local/bin', '/usr/bin', '/bin'].join(':')} SHLVL=1
`,
    );
    // -D: in the foreground, so it is our child; -e: its log on stderr, for the error message.
    const argv = [sshd, '-D', '-e', '-f', config];
    const child = namespace ? spawn('ip', ['netns', 'exec', namespace, ...argv]) : spawn(argv[0]!, argv.slice(1));
    child.stdin?.end();
    child.stdout?.resume();
    this.sshds.push(child);
    let log = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sshd (${label}) did not start in 20 s:\n${log}`)), 20_000);
      child.stderr!.setEncoding('utf8').on('data', (s: string) => {
        log += s;
        const listening = log.split('\n').filter((l) => l.startsWith('Server listening on')).length;
        if (listening >= hosts.length) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`sshd (${label}) exited with status ${code}:\n${log}`));
      });
    });
  }

  private removeNamespaces(): void {
    // Deleting a namespace deletes the veth end in it, and with it the pair; the outside ends
    // are deleted too in case a pair never made it into its namespace.
    for (const ns of this.namespaces.splice(0)) run('ip', ['netns', 'del', ns]);
    for (const link of this.links.splice(0)) if (run('ip', ['link', 'show', link]).ok) run('ip', ['link', 'del', link]);
  }

  /** Stop every sshd (and its sessions), remove the namespaces, the veth pairs and the temp dir. */
  async stop(): Promise<void> {
    const pids: number[] = [];
    for (const child of this.sshds.splice(0)) {
      if (child.pid !== undefined) pids.push(...descendants(child.pid), child.pid);
    }
    for (const ns of this.namespaces) {
      // Whatever else runs in a namespace (a session sshd forked) would keep it alive.
      pids.push(...run('ip', ['netns', 'pids', ns]).stdout.split(/\s+/).filter(Boolean).map(Number));
    }
    const unique = [...new Set(pids)];
    for (const pid of unique) kill(pid, 'SIGTERM');
    const deadline = Date.now() + 5000;
    while (unique.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const pid of unique.filter(alive)) kill(pid, 'SIGKILL');
    this.removeNamespaces();
    if (this.madePrivsepDir) {
      this.madePrivsepDir = false;
      try {
        rmdirSync('/run/sshd');
      } catch {
        // another sshd put something in it meanwhile: it is theirs now
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
