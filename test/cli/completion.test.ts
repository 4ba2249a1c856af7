/**
 * `bn completion bash|zsh|fish`: the bash script completes commands, options, the value lists of
 * the code's registries (formats, presets) and file names, as bash itself runs it; an option
 * added to the program is completed with no other change; the zsh and fish scripts parse (when
 * those shells are installed).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Option } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { completionScript, SHELLS } from '../../src/cli/completion.js';
import { formatNameList } from '../../src/io/formats.js';
import { PRESETS } from '../../src/pipeline/presets.js';
import { bnInProcess, expectOneLineError, quietProgram } from '../helpers/run-bn.js';

const program = quietProgram;

const folder = mkdtempSync(path.join(os.tmpdir(), 'bn-completion-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
for (const file of ['train.csv', 'test.csv', 'stats.json']) writeFileSync(path.join(folder, file), '');

const hasShell = (shell: string) => spawnSync(shell, ['-c', 'exit 0'], { stdio: 'ignore' }).status === 0;

/** What bash offers for the command line `line` (the last word is the one being completed). */
function bashOffers(script: string, line: string): string[] {
  const words = line.split(' ');
  const driver = `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}\n_bn_complete\nprintf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['-c', driver], { cwd: folder, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean).sort();
}

describe('bn completion bash', () => {
  const script = completionScript(program(), 'bash');

  it.each([
    ['bn ', ['completion', 'denormalize', 'example', 'export', 'help', 'merge', 'normalize', 'stats']],
    ['bn norm', ['normalize']],
    ['bn help st', ['stats']],
    ['bn completion ', [...SHELLS].sort()],
    ['bn stats --from ', [...formatNameList()].sort()],
    ['bn normalize --to j', formatNameList().filter((f) => f.startsWith('j')).sort()],
    ['bn stats --to ', ['csv', 'json', 'ndjson', 'table']],
    ['bn normalize --preset ', Object.keys(PRESETS).sort()],
    ['bn stats --save', ['--save-stats']],
    ['bn stats ', ['stats.json', 'test.csv', 'train.csv']],
    ['bn normalize train.csv --stats s', ['stats.json']],
    ['bn normalize -o t', ['test.csv', 'train.csv']],
    ['bn merge ', ['stats.json', 'test.csv', 'train.csv']],
    ['bn stats -b ', []],
    ['bn export stats.json --to ', ['onnx', 'sql']],
    ['bn export stats.json --dialect ', ['duckdb', 'postgres', 'sqlite']],
  ])('%j offers %j', (line, expected) => {
    expect(bashOffers(script, line)).toEqual(expected);
  });

  it('every long option the help lists is offered after "-" (not a hidden one)', () => {
    const offered = bashOffers(script, 'bn normalize -');
    const normalize = program().commands.find((c) => c.name() === 'normalize')!;
    for (const option of normalize.options.filter((o) => !o.hidden)) expect(offered).toContain(option.long);
  });

  it('an option added to a command is completed, with file names for a <file> value', () => {
    const p = program();
    p.commands.find((c) => c.name() === 'stats')!.addOption(new Option('--report-to <file>', 'where the report goes'));
    const withOption = completionScript(p, 'bash');
    expect(bashOffers(withOption, 'bn stats --rep')).toEqual(['--report-to']);
    expect(bashOffers(withOption, 'bn stats --report-to tr')).toEqual(['train.csv']);
  });

  it('bn completion bash prints it, and bash -n accepts it', async () => {
    const r = await bnInProcess(['completion', 'bash']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(script);
    expect(spawnSync('bash', ['-n'], { input: r.stdout }).status).toBe(0);
  });
});

describe.each([
  ['zsh', ['-n']],
  ['fish', ['--no-execute']],
])('bn completion %s', (shell, check) => {
  it.skipIf(!hasShell(shell))(`parses (${shell} ${check.join(' ')}; skipped without ${shell})`, () => {
    const script = completionScript(program(), shell as 'zsh' | 'fish');
    const file = path.join(folder, `bn.${shell}`);
    writeFileSync(file, script);
    const r = spawnSync(shell, [...check, file], { encoding: 'utf8' });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(script).toMatch(/--save-stats|-l save-stats/);
    for (const format of formatNameList()) expect(script).toContain(format);
  });
});

it.skipIf(!hasShell('fish'))('fish offers the formats after --from (skipped without fish)', () => {
  const script = completionScript(program(), 'fish');
  const r = spawnSync('fish', ['-c', `${script}\ncomplete -C'bn stats --from '`], { encoding: 'utf8' });
  expect(r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]).sort()).toEqual([...formatNameList()].sort());
});

it('bn completion tcsh: one line, status 2', async () => {
  const r = await bnInProcess(['completion', 'tcsh']);
  expect(r.code).toBe(2);
  expectOneLineError(r.stderr, /tcsh.*bash, zsh, fish/);
});
