/**
 * `bn --help`, `bn COMMAND --help`, `bn --version`, and what a typing mistake gets back:
 * every option of SPEC.md is in the help of its command, every option says its default, and
 * every example in the help runs.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, bnInProcess, expectOneLineError, fixture, ROOT, shell, quietProgram } from '../helpers/run-bn.js';

const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };

const program = quietProgram;
const commandNamed = (name: string) => program().commands.find((c) => c.name() === name)!;

/**
 * The options of SPEC.md §1–§5 (copied from it), by command. §3's model flags apply to `bn stats`
 * too (with --save-stats); `-j, --jobs` is §7's. The program itself has --help and --version.
 */
const SPEC_OPTIONS: Record<string, string[]> = {
  bn: ['--help', '--version'],
  stats: ['--from', '-d, --delimiter', '-n, --no-header', '--na-values', '-s, --select', '-b, --batch-size', '--last-batch', '--to', '--save-stats', '--no-color', '--no-progress', '-e, --epsilon', '--gamma', '--beta', '-m, --momentum', '--preset', '--help'],
  normalize: [
    '--from', '-d, --delimiter', '-n, --no-header', '--na-values', '-s, --select', '-b, --batch-size', '--last-batch', '-e, --epsilon', '--gamma', '--beta', '-m, --momentum', '--preset',
    '--stats', '--exact', '--to', '--precision', '-o, --output', '--save-stats', '--no-progress', '--help',
  ],
  denormalize: ['--from', '-d, --delimiter', '-n, --no-header', '--na-values', '-s, --select', '--stats', '--exact', '-e, --epsilon', '--gamma', '--beta', '--to', '--precision', '-o, --output', '--no-progress', '--help'],
  merge: ['-o, --output', '--help'],
};


async function helpOf(name: string): Promise<string> {
  const r = await bnInProcess(name === 'bn' ? ['--help'] : [name, '--help']);
  expect(r.code).toBe(0);
  expect(r.stderr).toBe('');
  return r.stdout;
}

describe('--help', () => {
  it.each(Object.entries(SPEC_OPTIONS))('bn %s --help lists every option SPEC.md gives it', async (name, options) => {
    const help = await helpOf(name);
    // An entry of the options list: "  -d, --delimiter <char>  …", "  -h, --help  …".
    for (const option of options) {
      const term = option.includes(', ') ? option : `(?:-\\w, )?${option}`;
      expect(help, option).toMatch(new RegExp(`^  ${term}\\b`, 'm'));
    }
  });

  const specPath = [path.resolve(ROOT, '../shared/SPEC.md'), '/work/shared/SPEC.md'].find(existsSync);
  it.skipIf(!specPath)('the table above has every --option of SPEC.md §1–§5 (skipped when SPEC.md is not beside the repository)', () => {
    const spec = readFileSync(specPath!, 'utf8');
    const sections = spec.slice(spec.indexOf('## 1.'), spec.indexOf('## 6.'));
    const inSpec = new Set(sections.match(/--[a-z][a-z-]*/g));
    const listed = new Set(Object.values(SPEC_OPTIONS).flat().map((o) => o.split(', ').pop()!));
    expect([...inSpec].filter((o) => !listed.has(o))).toEqual([]);
  });

  it.each(['stats', 'normalize', 'denormalize', 'merge'])('every option of bn %s says its default (or that it is required)', (name) => {
    const command = commandNamed(name);
    const help = command.createHelp();
    for (const option of command.options) {
      if (option.long === '--help' || option.hidden) continue; // a hidden option is in no help
      expect(help.optionDescription(option), option.flags).toMatch(/\(default: [^)]|\(required\)|default: "/);
    }
  });

  it('bn --help: a description, the commands, examples with the fit-then-infer pair and a pipeline', async () => {
    const help = await helpOf('bn');
    expect(help).toMatch(/^Usage: bn \[options\] \[command\]\n\nBatch Normalization for tabular data/);
    for (const name of ['stats', 'normalize', 'denormalize', 'merge', 'example', 'completion']) expect(help).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(help).toMatch(/^  \$ bn example > seed\.csv /m);
    expect(help).toContain('$ bn normalize seed.csv --save-stats s.json -o seed.norm.csv');
    expect(help).toMatch(/\| bn normalize --stats s\.json /);
    expect(help).toMatch(/\$ bn example \| bn normalize .*\| head/);
    expect(help).toContain('Run bn COMMAND --help for the options and examples of a command.');
  });

  it('bn help COMMAND is bn COMMAND --help', async () => {
    const viaHelp = await bnInProcess(['help', 'normalize']);
    expect(viaHelp.stdout).toBe(await helpOf('normalize'));
  });

  it('bn normalize --help has the fit-then-infer pair', async () => {
    const help = await helpOf('normalize');
    expect(help).toContain('$ bn normalize train.csv --save-stats s.json -o train.norm.csv');
    expect(help).toContain('$ bn normalize test.csv --stats s.json');
  });

  it('bn example prints the seed example: ten rows whose batch variance is 33', async () => {
    const r = await bnInProcess(['example']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(fixture('seed.csv'), 'utf8'));
    const stats = await bnInProcess(['stats', '--to', 'json'], r.stdout);
    expect(JSON.parse(stats.stdout)).toMatchObject({ rows: 10, var: [33, 33] });
  });
});

describe('--version', () => {
  it.each([['--version'], ['-V']])('bn %s prints "bn", the version of package.json and the Node version', async (flag) => {
    const r = await bnInProcess([flag]);
    expect(r).toEqual({ code: 0, stdout: `bn ${version} (Node ${process.version})\n`, stderr: '' });
  });
});

describe('a typing mistake', () => {
  it.each([
    [['normalise', 'x.csv'], /^bn: unknown command 'normalise' \(Did you mean normalize\?\)$/],
    [['stat'], /^bn: unknown command 'stat' \(Did you mean stats\?\)$/],
    [['help', 'normaliz'], /^bn: unknown command 'normaliz' \(Did you mean normalize\?\)$/],
    [['help', 'nosuch'], /^bn: unknown command 'nosuch'$/],
    [['stats', '--batchsize', '3'], /^bn: unknown option '--batchsize' \(Did you mean --batch-size\?\)$/],
    [['normalize', '--save-stat', 's.json'], /^bn: unknown option '--save-stat' \(Did you mean --save-stats\?\)$/],
    [['normalize', '--presets', 'torch'], /^bn: unknown option '--presets' \(Did you mean --preset\?\)$/],
    [['denormalize', '--stat', 's.json'], /^bn: unknown option '--stat' \(Did you mean --stats\?\)$/],
    [['stats', '--all-batch'], /^bn: unknown option '--all-batch' \(Did you mean --all-batches\?\)$/],
    [['stats', '--no-colour'], /^bn: unknown option '--no-colour' \(Did you mean --no-color\?\)$/],
    [['stats', '--zzz'], /^bn: unknown option '--zzz'$/],
  ])('bn %j: one line suggesting the closest, status 2', async (args, message) => {
    const r = await bnInProcess(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expectOneLineError(r.stderr, message);
  });
});

/**
 * Every `$ …` line of every help runs in an empty folder (as for a user who installed bn from npm:
 * no fixtures/ beside it), with `bn` on the PATH: status 0 and no error message. A command's lines
 * run in order: the first makes the file the later ones read (`bn example > seed.csv`). Lines
 * that need a program that is not installed are left out, by name.
 */
describe('the examples in the help, from an empty folder', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'bn-help-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const shim = path.join(work, 'bin');
  mkdirSync(shim);
  writeFileSync(path.join(shim, 'bn'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(path.join(shim, 'bn'), 0o755);

  const hasParallel = spawnSync('parallel', ['--version'], { stdio: 'ignore' }).status === 0;
  const commands = program().commands.map((c) => c.name());

  it.each(['bn', ...commands])('bn %s --help', async (name) => {
    const help = await helpOf(name);
    const lines = help.split('\n').filter((l) => l.startsWith('  $ ')).map((l) => l.slice(4));
    expect(lines.length).toBeGreaterThan(1);
    const dir = path.join(work, name);
    mkdirSync(dir);
    for (const line of lines) {
      if (line.startsWith('parallel ') && !hasParallel) continue; // GNU parallel not installed
      let r = await shell(line, { cwd: dir, path: [shim], errexit: true });
      // Debian's GNU parallel 20221122 now and then takes a line its --header : did not read for
      // the header and dies on it as a regex ("Unmatched [ in regex", seen once in CI among many
      // runs): that is parallel's failure, not the example's, and it does not repeat at once.
      if (line.startsWith('parallel ') && /Unmatched \[ in regex/.test(r.stderr)) r = await shell(line, { cwd: dir, path: [shim], errexit: true });
      expect({ line, code: r.code, stderr: r.stderr }).toEqual({ line, code: 0, stderr: '' });
    }
  });
});
