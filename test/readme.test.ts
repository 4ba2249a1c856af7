/**
 * Every ```console block of README.md is a real session: each `$ COMMAND` line runs (bash, with
 * pipefail, `bn` on the PATH, standard error merged into standard output, no colour) from a
 * folder that holds the repository's fixtures/, in the order of the README (a later block may
 * read a file an earlier one wrote), and its output must be the lines that follow, up to the next
 * `$ ` line. A block after `<!-- on a terminal -->` runs under a pseudo-terminal (`script`), where
 * bn adds its summary line; durations there (`12 ms`, `1.5 s`) may differ.
 *
 * To rewrite the outputs after a change: BN_UPDATE_README=1 npx vitest run test/readme.test.ts
 * (then read the diff: it is what users will see).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from './helpers/run-bn.js';

const README = path.join(ROOT, 'README.md');
const TERMINAL_MARK = '<!-- on a terminal -->';
const update = process.env.BN_UPDATE_README === '1';

interface Session {
  command: string;
  expected: string[];
}
interface Block {
  /** Line index of the opening fence. */
  start: number;
  end: number;
  terminal: boolean;
  sessions: Session[];
}

function consoleBlocks(lines: string[]): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```console') continue;
    const end = lines.indexOf('```', i + 1);
    const previous = lines.slice(0, i).reverse().find((l) => l.trim() !== '');
    const sessions: Session[] = [];
    for (const line of lines.slice(i + 1, end)) {
      if (line.startsWith('$ ')) sessions.push({ command: line.slice(2), expected: [] });
      else sessions.at(-1)?.expected.push(line);
    }
    blocks.push({ start: i, end, terminal: previous === TERMINAL_MARK, sessions });
    i = end;
  }
  return blocks;
}

const work = mkdtempSync(path.join(os.tmpdir(), 'bn-readme-'));
symlinkSync(path.join(ROOT, 'fixtures'), path.join(work, 'fixtures'));
const shim = path.join(work, '.bin');
mkdirSync(shim);
writeFileSync(path.join(shim, 'bn'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
chmodSync(path.join(shim, 'bn'), 0o755);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

function runCommand(command: string, terminal: boolean): string {
  const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, PATH: `${shim}${path.delimiter}${process.env.PATH}` };
  const argv = terminal ? ['script', ['-qec', command, '/dev/null']] : ['bash', ['-o', 'pipefail', '-c', `${command} 2>&1`]];
  const r = spawnSync(argv[0] as string, argv[1] as string[], { cwd: work, env, encoding: 'utf8' });
  return r.stdout.replace(/\r\n/g, '\n');
}

/** Output lines, without the blank lines at the end (a block's own layout). */
const asLines = (text: string) => text.replace(/\n+$/, '').split('\n');
const withoutTimes = (line: string) => line.replace(/\b\d+(\.\d+)? (ms|s|min)\b/g, '<time>');

describe('README.md', () => {
  const lines = readFileSync(README, 'utf8').split('\n');
  const blocks = consoleBlocks(lines);

  it('has console blocks, the seed example first', () => {
    expect(blocks.length).toBeGreaterThan(5);
    expect(blocks[0]!.sessions[0]!.command).toBe('bn stats fixtures/seed.csv');
  });

  it('keeps its first code block as it is', () => {
    const first = lines.findIndex((l) => l.startsWith('```'));
    expect(lines.slice(first, first + 4)).toEqual(['```sh', 'npm ci && ./bin/bn normalize fixtures/seed.csv --gamma 2 --beta 1', 'npm test', '```']);
  });

  it('shows the real output of every command of its console blocks', () => {
    const replacements: Array<{ block: Block; text: string[] }> = [];
    for (const block of blocks) {
      if (block.terminal && !hasScript) continue; // `script` (util-linux) is not installed
      const text: string[] = [];
      let hadOutput = false;
      for (const session of block.sessions) {
        const actual = asLines(runCommand(session.command, block.terminal));
        const expected = asLines(session.expected.join('\n'));
        const output = actual.length === 1 && actual[0] === '' ? [] : actual;
        if (hadOutput) text.push(''); // a blank line after a command's output, before the next
        text.push(`$ ${session.command}`, ...output);
        hadOutput = output.length > 0;
        if (update) continue;
        const norm = block.terminal ? (ls: string[]) => ls.map(withoutTimes) : (ls: string[]) => ls;
        expect(norm(actual).join('\n'), `$ ${session.command}`).toBe(norm(expected).join('\n'));
      }
      replacements.push({ block, text });
    }
    if (update) {
      const out = [...lines];
      for (const { block, text } of replacements.reverse()) out.splice(block.start + 1, block.end - block.start - 1, ...text);
      writeFileSync(README, out.join('\n'));
    }
  });
});
