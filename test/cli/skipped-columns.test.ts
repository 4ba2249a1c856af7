/**
 * `bn stats` names the columns it skipped as non-numeric, once, on standard error: with the table,
 * when standard error is a terminal, not with -q, and not the columns --select left out by name,
 * index or range (the user chose those).
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
    expect(await note([data])).toBe('bn: skipped 2 non-numeric columns: name, note\n');
  });

  it('is said once with many batches', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `${i},t${i}`).join('\n');
    expect(await note(['-b', '5'], `n,label\n${rows}\n`)).toBe('bn: skipped 1 non-numeric column: label\n');
  });

  it.each([
    ['standard error is not a terminal', [data], false],
    ['-q', [data, '-q'], true],
    ['--quiet', [data, '--quiet'], true],
    ['--to json (the output names its features)', [data, '--to', 'json'], true],
    ['--to csv', [data, '--to', 'csv'], true],
    ['--select by name', [data, '--select', 'x,y'], true],
    ['--select by range', [data, '--select', '2-3'], true],
  ])('is not said when %s', async (_why, args: string[], tty) => {
    expect(await note(args, '', tty)).toBe('');
  });

  it('lists what a ! list or a /regex/ left to the default rule, not what it excluded', async () => {
    expect(await note([data, '--select', '!name'])).toBe('bn: skipped 1 non-numeric column: note\n');
    expect(await note([data, '--select', '/^[xn]/'])).toBe('bn: skipped 2 non-numeric columns: name, note\n');
  });

  it('counts a column without any value as non-numeric', async () => {
    expect(await note([], 'a,empty\n1,\n2,NA\n')).toBe('bn: skipped 1 non-numeric column: empty\n');
  });

  it('quotes names with commas, quotes or outer spaces, and cuts a long list after 20 names', async () => {
    expect(await note([], 'a,"b, c"," d","e""f"\n1,x,y,z\n2,x,y,z\n')).toBe('bn: skipped 3 non-numeric columns: "b, c", " d", "e\\"f"\n');
    const names = Array.from({ length: 25 }, (_, i) => `t${i + 1}`);
    const row = names.map(() => 'x').join(',');
    const said = await note([], `n,${names.join(',')}\n1,${row}\n2,${row}\n`);
    expect(said).toBe(`bn: skipped 25 non-numeric columns: ${names.slice(0, 20).join(', ')}, … (5 more)\n`);
  });
});
