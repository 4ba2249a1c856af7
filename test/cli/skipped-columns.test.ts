/**
 * `bn stats` names its features and the columns it skipped as non-numeric, once, on standard
 * error: with the table, when standard error is a terminal, not with -q, and not the columns
 * --select left out by name, index or range (the user chose those); and hints at --select for a
 * feature that looks like a row number.
 */
import { describe, expect, it } from 'vitest';
import { bnInProcess, fixture } from '../helpers/run-bn.js';

const data = fixture('formats/data.csv'); // name, x, y, note: name and note are text

async function note(args: string[], stdin = '', stderrTTY = true): Promise<string> {
  const r = await bnInProcess(['stats', ...args], stdin, { stderrTTY });
  expect(r.code).toBe(0);
  return r.stderr;
}

describe('the note of skipped columns', () => {
  it('lists the text columns, once, on a terminal', async () => {
    expect(await note([data])).toBe('bn: 2 features: x, y; skipped 2 non-numeric columns: name, note\n');
  });

  it('is said once with many batches', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `${i},t${i}`).join('\n');
    expect(await note(['-b', '5'], `n,label\n${rows}\n`)).toBe(`bn: 1 feature: n; skipped 1 non-numeric column: label\nbn: "n" looks like a row number (consecutive integers, each once): --select '!n' leaves it out\n`);
  });

  it.each([
    ['standard error is not a terminal', [data], false],
    ['-q', [data, '-q'], true],
    ['--quiet', [data, '--quiet'], true],
    ['--to json (the output names its features)', [data, '--to', 'json'], true],
    ['--to csv', [data, '--to', 'csv'], true],
  ])('is not said when %s', async (_why, args: string[], tty) => {
    expect(await note(args, '', tty)).toBe('');
  });

  it.each([
    ['--select by name', [data, '--select', 'x,y']],
    ['--select by range', [data, '--select', '2-3']],
  ])('names the features but no skipped column when %s (the user chose them)', async (_why, args: string[]) => {
    expect(await note(args)).toBe('bn: 2 features: x, y\n');
  });

  it('lists what a ! list or a /regex/ left to the default rule, not what it excluded', async () => {
    expect(await note([data, '--select', '!name'])).toBe('bn: 2 features: x, y; skipped 1 non-numeric column: note\n');
    expect(await note([data, '--select', '/^[xn]/'])).toBe('bn: 1 feature: x; skipped 2 non-numeric columns: name, note\n');
  });

  it('counts a column without any value as non-numeric', async () => {
    expect(await note([], 'a,empty\n1,\n2,NA\n')).toBe('bn: 1 feature: a; skipped 1 non-numeric column: empty\n');
  });

  it('quotes names with commas, quotes or outer spaces, and cuts a long list after 20 names', async () => {
    expect(await note([], 'a,"b, c"," d","e""f"\n1,x,y,z\n2,x,y,z\n')).toBe('bn: 1 feature: a; skipped 3 non-numeric columns: "b, c", " d", "e\\"f"\n');
    const names = Array.from({ length: 25 }, (_, i) => `t${i + 1}`);
    const row = names.map(() => 'x').join(',');
    const said = await note([], `n,${names.join(',')}\n1,${row}\n2,${row}\n`);
    expect(said).toBe(`bn: 1 feature: n; skipped 25 non-numeric columns: ${names.slice(0, 20).join(', ')}, … (5 more)\n`);
  });
});

describe('the row-number hint', () => {
  const rows = (n: number, id: (i: number) => number) => `id,x\n${Array.from({ length: n }, (_, i) => `${id(i)},${(i * 7) % 5}.5`).join('\n')}\n`;
  const HINT = `bn: "id" looks like a row number (consecutive integers, each once): --select '!id' leaves it out\n`;

  it.each([
    ['1, 2, … 10', rows(10, (i) => i + 1)],
    ['1001, 1002, … 1020', rows(20, (i) => 1001 + i)],
    ['0 … 9 in another order', rows(10, (i) => (i * 3) % 10)],
  ])('is given for %s', async (_what, csv) => {
    expect(await note([], csv)).toBe(`bn: 2 features: id, x\n${HINT}`);
  });

  it('names the column as --select reads it, in words a shell passes on as they are: the command it gives leaves it out', async () => {
    for (const name of ['n,o', "it's", ' id', '3', '1-2', 'a*', '/x/', 'say "hi"']) {
      const header = `"${name.replaceAll('"', '""')}",x`;
      const csv = `${header}\n${Array.from({ length: 10 }, (_, i) => `${i + 1},${(i * 7) % 5}.5`).join('\n')}\n`;
      const hint = (await note([], csv)).split('\n')[1]!;
      const command = /--select (.*) leaves it out$/.exec(hint)![1]!;
      // The shell's word: in single quotes, each '\'' a quote.
      const word = command.slice(1, -1).replaceAll("'\\''", "'");
      const r = await bnInProcess(['stats', '--select', word, '--to', 'csv'], csv);
      expect(r.stderr, name).toBe('');
      expect(r.stdout.split('\n').slice(1, -1).map((line) => line.split(',')[0]), name).toEqual(['x']);
    }
  });

  it.each([
    ['even numbers', rows(10, (i) => 2 * i)],
    ['a repeat', rows(10, (i) => (i === 9 ? 1 : i + 1))],
    ['fractions', rows(10, (i) => i + 0.5)],
    ['too few rows to say', rows(4, (i) => i + 1)],
  ])('is not given for %s', async (_what, csv) => {
    expect(await note([], csv)).toBe('bn: 2 features: id, x\n');
  });

  it('is not given when --select chose the features, or off a terminal', async () => {
    expect(await note(['--select', 'id,x'], rows(10, (i) => i + 1))).toBe('bn: 2 features: id, x\n');
    expect(await note([], rows(10, (i) => i + 1), false)).toBe('');
  });

  it('normalize says it too, before its summary line', async () => {
    const r = await bnInProcess(['normalize', '-o', '/dev/null'], rows(10, (i) => i + 1), { stderrTTY: true, env: { NO_COLOR: '1' } });
    expect(r.stderr.split('\n').slice(0, 2).join('\n') + '\n').toBe(`bn: 2 features: id, x\n${HINT}`);
    expect(r.stderr).toMatch(/\nbn: normalized 10 rows, 2 features, 1 batch → \/dev\/null · stats not saved \(--save-stats FILE saves them\) · /);
  });

  it('the "stats not saved" hint is for a fit written to a file, not rows to standard output', async () => {
    const r = await bnInProcess(['normalize'], rows(10, (i) => i + 1), { stderrTTY: true, env: { NO_COLOR: '1' } });
    expect(r.stderr).toMatch(/\nbn: normalized 10 rows, 2 features, 1 batch → standard output · [\d.]+ m?s\n$/);
  });
});
