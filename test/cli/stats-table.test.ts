/**
 * The `bn stats` table, rendered exactly, with colour forced on and off (in-process: the Io's
 * env and isTTY decide, never the test runner's terminal).
 *
 * Expected values by hand (SPEC intro): the seed columns 1,3,…,19 and 2,4,…,20 have μ_B 10 and 11,
 * σ_B² = 330/10 = 33, sample variance 330/9 = 36.666… → 36.66667 at 7 significant digits. The
 * formats fixture (fixtures/formats/README.md): x = 1.5, 2.25, −3.125, 10, 0.001 and
 * y = −2, 0.4, 7, 0.5, −1.75; Python's statistics module gives fmean 2.1252 and 0.83, pvariance
 * 18.89915016 and 10.6056, variance 23.6239377 and 13.257.
 */
import { describe, expect, it } from 'vitest';
import { bnInProcess, fixture } from '../helpers/run-bn.js';

const bold = (s: string) => `\x1b[1m${s}\x1b[22m`;
const cyan = (s: string) => `\x1b[36m${s}\x1b[39m`;
const dim = (s: string) => `\x1b[2m${s}\x1b[22m`;

const SEED_TABLE = [
  '10 rows, 2 features, 1 batch',
  '',
  'feature  count  mean  var  var_sample  min  max',
  'x1          10    10   33    36.66667    1   19',
  'x2          10    11   33    36.66667    2   20',
  '',
].join('\n');

const SEED_TABLE_COLOURED = [
  bold('10 rows, 2 features, 1 batch'),
  '',
  [bold('feature'), bold('count'), bold('mean'), bold('var'), bold('var_sample'), bold('min'), bold('max')].join('  '),
  `${cyan('x1')}          10    10   33    36.66667    1   19`,
  `${cyan('x2')}          10    11   33    36.66667    2   20`,
  '',
].join('\n');

async function stats(args: string[], options: Parameters<typeof bnInProcess>[2] = {}) {
  const r = await bnInProcess(['stats', ...args], '', options);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

describe('the stats table on the seed example', () => {
  it('is plain text when standard output is not a terminal', async () => {
    expect(await stats([fixture('seed.csv')])).toBe(SEED_TABLE);
  });

  it('is coloured when FORCE_COLOR is set, terminal or not', async () => {
    expect(await stats([fixture('seed.csv')], { env: { FORCE_COLOR: '1' } })).toBe(SEED_TABLE_COLOURED);
  });

  it('is coloured on a terminal', async () => {
    expect(await stats([fixture('seed.csv')], { stdoutTTY: true })).toBe(SEED_TABLE_COLOURED);
  });

  it.each([
    ['NO_COLOR on a terminal', [], { NO_COLOR: '1' }],
    ['--no-color on a terminal', ['--no-color'], {}],
    ['--no-color over FORCE_COLOR', ['--no-color'], { FORCE_COLOR: '1' }],
    ['FORCE_COLOR=0 on a terminal', [], { FORCE_COLOR: '0' }],
    ['TERM=dumb', [], { TERM: 'dumb' }],
  ])('is plain with %s', async (_what, flags: string[], env: Record<string, string>) => {
    expect(await stats([fixture('seed.csv'), ...flags], { env, stdoutTTY: true })).toBe(SEED_TABLE);
  });

  it('shows a section a batch with -b (x1: [1,3,5,7] μ 4 σ² 5; [9…15] μ 12 σ² 5; [17,19] μ 18 σ² 1)', async () => {
    const total = SEED_TABLE.split('\n').slice(0, 5);
    expect(await stats([fixture('seed.csv'), '-b', '4'])).toBe(
      [
        '10 rows, 2 features, 3 batches',
        ...total.slice(1),
        '',
        'batch 0 · rows 1–4',
        'feature  count  mean  var',
        'x1           4     4    5',
        'x2           4     5    5',
        '',
        'batch 1 · rows 5–8',
        'feature  count  mean  var',
        'x1           4    12    5',
        'x2           4    13    5',
        '',
        'batch 2 · rows 9–10',
        'feature  count  mean  var',
        'x1           2    18    1',
        'x2           2    19    1',
        '',
      ].join('\n'),
    );
  });
});

describe('the stats table', () => {
  it('aligns numbers on the decimal point, 7 significant digits, blank where a statistic does not exist', async () => {
    expect(await stats([fixture('formats/data.csv')])).toBe(
      [
        '6 rows, 2 features, 1 batch',
        '',
        'feature  count    mean       var  var_sample     min  max',
        'x            5  2.1252  18.89915    23.62394  -3.125   10',
        'y            5  0.83    10.6056     13.257    -2        7',
        '',
      ].join('\n'),
    );
  });

  it('leaves a statistic that does not exist blank: the sample variance of one value', async () => {
    const r = await bnInProcess(['stats'], 'a,b\n1,2\n3,\n');
    expect(r.stdout.split('\n').slice(2, 5)).toEqual([
      'feature  count  mean  var  var_sample  min  max',
      'a            2     2    1           2    1    3',
      'b            1     2    0                2    2',
    ]);
  });

  it('a name holding a tab or a line break (a quoted header) is one cell: escaped, the table stays aligned', async () => {
    const r = await bnInProcess(['stats'], '"a\tb","x\ny"\n1,2\n3,4\n');
    expect(r.stdout.split('\n').slice(2, 5)).toEqual([
      'feature  count  mean  var  var_sample  min  max',
      'a\\tb         2     2    1           2    1    3',
      'x\\ny         2     3    1           2    2    4',
    ]);
  });

  // 20 rows a,b with a = 1…20 and b = (a mod 3)/4, in batches of 2: 10 batches, 3 shown at each end.
  const twenty = ['a,b', ...Array.from({ length: 20 }, (_, i) => `${i + 1},${((i + 1) % 3) / 4}`)].join('\n') + '\n';
  const head = [
    '20 rows, 2 features, 10 batches',
    '',
    'feature  count     mean          var   var_sample  min   max',
    'a           20  10.5     33.25        35             1  20',
    'b           20   0.2625   0.04046875   0.04259868    0   0.5',
  ];
  // By hand: batch k holds rows 2k+1 and 2k+2; a's mean is 2k+1.5 and variance 0.25; b takes
  // the values (row mod 3)/4, so its batches are (0.25, 0.5), (0, 0.25) or (0.5, 0): means 0.375,
  // 0.125, 0.25 and variances 0.015625, 0.015625, 0.0625.
  const bOf = [
    ['0.375', '0.015625'],
    ['0.125', '0.015625'],
    ['0.25 ', '0.0625'],
  ] as const;
  const sections = Array.from({ length: 10 }, (_, k) => {
    const [mean, variance] = bOf[k % 3]!;
    return [
      '',
      `batch ${k} · rows ${2 * k + 1}–${2 * k + 2}`,
      'feature  count     mean          var',
      `a            2  ${String(2 * k + 1.5).padStart(4)}      0.25`,
      `b            2   ${mean}    ${variance}`,
    ];
  });

  it('collapses many batches to the first and last 3, saying how many are hidden', async () => {
    const r = await bnInProcess(['stats', '-b', '2'], twenty);
    expect(r.stdout).toBe(
      [
        ...head,
        ...sections.slice(0, 3).flat(),
        '',
        '… 4 batches hidden (batches 3–6; --all-batches shows every one)',
        ...sections.slice(7).flat(),
        '',
      ].join('\n'),
    );
  });

  it('shows every batch with --all-batches', async () => {
    const r = await bnInProcess(['stats', '-b', '2', '--all-batches'], twenty);
    expect(r.stdout).toBe([...head, ...sections.flat(), ''].join('\n'));
  });

  it('dims the line of hidden batches and colours the batch titles', async () => {
    const r = await bnInProcess(['stats', '-b', '2'], twenty, { env: { FORCE_COLOR: '1' } });
    expect(r.stdout).toContain(`\n${dim('… 4 batches hidden (batches 3–6; --all-batches shows every one)')}\n`);
    expect(r.stdout).toContain(`\n${bold('batch 9 · rows 19–20')}\n`);
  });
});

describe('a table wider than the terminal', () => {
  // Six features with wide statistics: 91 characters a line when whole.
  const header = 'id,sepal_length,sepal_width,petal_length,petal_width,price_in_dollars,target';
  const rows = Array.from({ length: 40 }, (_, i) => [i + 1, ...[1, 2, 3, 4, 5].map((k) => ((i * 7919 * k) % 110000) - 10000.125), i % 2].join(','));
  const csv = `${header}\n${rows.join('\n')}\n`;
  const plain = (s: string) => s.replace(/\x1b\[\d+m/g, '');
  const lines = (s: string) => plain(s).trimEnd().split('\n');
  /** The words of a table (names, headers, numbers), each as often as it appears. */
  const words = (s: string) => [...new Set(plain(s).split(/\s+/).filter(Boolean))].sort();

  it('is whole into a pipe', async () => {
    const r = await bnInProcess(['stats'], csv);
    expect(Math.max(...lines(r.stdout).map((l) => l.length))).toBeGreaterThan(80);
  });

  it.each([
    [80, {}],
    [50, { COLUMNS: '50' }],
    [120, { COLUMNS: '120' }],
  ])('on a terminal of %i columns, blocks of whole columns that fit, with every value of the whole table', async (width, env) => {
    const whole = await bnInProcess(['stats', '-b', '20'], csv);
    const r = await bnInProcess(['stats', '-b', '20'], csv, { stdoutTTY: true, env });
    expect(r.code).toBe(0);
    for (const line of lines(r.stdout)) expect(line.length, line).toBeLessThanOrEqual(width);
    // The same names and numbers (a block repeats the feature names).
    const extra = words(r.stdout).filter((w) => w !== 'feature');
    expect(extra).toEqual(words(whole.stdout).filter((w) => w !== 'feature'));
    const blocks = lines(r.stdout).filter((l) => l.startsWith('feature')).length;
    expect(blocks > 3).toBe(width < 91); // the total and two batches: one block each when it fits
  });

  it('cuts feature names too long to leave room for a statistic', async () => {
    const long = `${'a_very_long_feature_name_'.repeat(3)}x,b\n1,2\n3,4\n`;
    const r = await bnInProcess(['stats'], long, { stdoutTTY: true, env: { COLUMNS: '40' } });
    for (const line of lines(r.stdout)) expect(line.length, line).toBeLessThanOrEqual(40);
    expect(plain(r.stdout)).toMatch(/^a_very_long_feature_name\S*… +2$/m);
  });
});
