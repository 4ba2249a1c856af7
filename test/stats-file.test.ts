/**
 * src/stats-file.ts: writing, reading and validating the stats file (SPEC §5). Every validation
 * error has a case below; a file with several problems reports all of them in one message.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BnError } from '../src/errors.js';
import {
  parseStatsFile,
  parseStatsStream,
  readStatsFile,
  requireBnStats,
  splitJsonTexts,
  statsFileJson,
  type StatsFile,
} from '../src/stats-file.js';

const GOOD: StatsFile = Object.freeze({
  features: ['x1', 'x2'],
  weight: [2, 2],
  bias: [1, 1],
  runningMean: [10, 11],
  runningVar: [330 / 9, 330 / 9],
  numBatchesTracked: 1,
  eps: 1e-5,
  momentum: 'cumulative',
  preset: 'torch',
  count: [10, 10],
  mean: [10, 11],
  var: [33, 33],
  // Σx = 100 and 110, Σx² = 1330 and 1540: the seed example's columns 1, 3, …, 19 and 2, 4, …, 20.
  sum: [{ mantissa: 25n, exponent: 2 }, { mantissa: 55n, exponent: 1 }],
  sumOfSquares: [{ mantissa: 665n, exponent: 1 }, { mantissa: 385n, exponent: 2 }],
});

/** The same file as version 1 wrote it: no sums, a low part beside each mean. */
function version1Doc(): Record<string, unknown> {
  const doc = goodDoc();
  delete doc.sum;
  delete doc.sum_sq;
  return { ...doc, version: 1, mean_lo: [0, 0] };
}

/** The good file as a plain JSON object, to break one key at a time. */
function goodDoc(): Record<string, unknown> {
  return JSON.parse(statsFileJson(GOOD)) as Record<string, unknown>;
}

function problemsOf(text: string): BnError {
  try {
    parseStatsFile(text, 's.json');
  } catch (err) {
    expect(err).toBeInstanceOf(BnError);
    return err as BnError;
  }
  throw new Error(`expected ${text} to be rejected`);
}

function rejects(doc: Record<string, unknown> | string, pattern: RegExp): BnError {
  const err = problemsOf(typeof doc === 'string' ? doc : JSON.stringify(doc));
  expect(err.code).toBe('BN_BAD_STATS_FILE');
  expect(err.exitCode).toBe(1);
  expect(err.location.file).toBe('s.json');
  expect(err.message).toMatch(/^invalid stats file: /);
  expect(err.message).not.toContain('\n'); // the CLI prints one line
  expect(err.message).toMatch(pattern);
  return err;
}

const edit = (changes: Record<string, unknown>, remove: string[] = []) => {
  const doc = { ...goodDoc(), ...changes };
  for (const key of remove) delete doc[key];
  return doc;
};

describe('statsFileJson', () => {
  it('writes the keys of SPEC §5 in order, one a line, momentum null for cumulative', () => {
    const text = statsFileJson(GOOD);
    expect(text.split('\n').slice(0, 4)).toEqual(['{', '  "format": "bn-stats",', '  "version": 2,', '  "features": ["x1","x2"],']);
    expect(Object.keys(JSON.parse(text))).toEqual([
      'format', 'version', 'features', 'weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked',
      'eps', 'momentum', 'preset', 'count', 'mean', 'var', 'sum', 'sum_sq',
    ]);
    expect(JSON.parse(text).momentum).toBeNull();
    // Exact sums as hexadecimal mantissa and binary exponent: 0x19·2² = 100.
    expect(JSON.parse(text).sum).toEqual(['0x19p2', '0x37p1']);
    expect(JSON.parse(text).sum_sq).toEqual(['0x299p1', '0x181p2']);
  });

  it('compact: one line', () => {
    const text = statsFileJson(GOOD, { compact: true });
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trimEnd()).not.toContain('\n');
  });

  it.each([false, true])('round trips exactly (compact %s)', (compact) => {
    const odd = { ...GOOD, runningMean: [0.1 + 0.2, -1e-300], momentum: 0.1, preset: 'keras' as const };
    expect(parseStatsFile(statsFileJson(odd, { compact }), 's.json')).toEqual({ kind: 'bn', stats: odd });
  });
});

describe('parseStatsFile: every validation error', () => {
  it.each<[string, Record<string, unknown> | string, RegExp]>([
    ['invalid JSON', '{"format": "bn-stats",', /not valid JSON: /],
    ['CSV instead of JSON (V8 quotes it, line breaks and all)', 'x1,x2\n1,2\n', /not valid JSON: .*x1,x2\\n1,2/],
    ['not an object', '[1, 2]', /expected a JSON object, found an array/],
    ['a string', '"hello"', /expected a JSON object, found "hello"/],
    ['unknown format', edit({ format: 'bn-stat' }), /unknown format "bn-stat" \(expected "bn-stats"\)/],
    ['unknown version', edit({ version: 3 }), /unknown version 3 \(this bn reads versions 1 and 2\)/],
    ['version 2 without its sums', edit({}, ['sum', 'sum_sq']), /missing "sum"; missing "sum_sq"/],
    ['a sum that is not exact text', edit({ sum: ['0x19p2', 110] }), /sum\[1\] is not an exact sum \("0x…p…"\): 110/],
    ['a sum in decimal', edit({ sum: ['100', '0x37p1'] }), /sum\[0\] is not an exact sum/],
    ['a negative sum of squares', edit({ sum_sq: ['-0x299p1', '0x181p2'] }), /sum_sq has a negative sum of squares/],
    ['a mean that is not its sum over its count (edited by hand)', edit({ mean: [10, 12] }), /mean or var do not match sum and sum_sq for feature "x2"$/],
    ['a null mean where count is not 0', edit({ mean: [10, null] }), /mean and var are null exactly where count is 0, and sum and sum_sq 0 there/],
    ['a mean where count is 0', edit({ count: [10, 0], mean: [10, 11], var: [33, null], sum: ['0x19p2', '0'], sum_sq: ['0x299p1', '0'] }), /mean and var are null exactly where count is 0/],
    ['a sum where count is 0', edit({ count: [10, 0], mean: [10, null], var: [33, null], sum: ['0x19p2', '0x37p1'], sum_sq: ['0x299p1', '0'] }), /and sum and sum_sq 0 there/],
    ['the same, in a file without feature names: by index from 0', edit({ mean: [10, 12] }, ['features']), /mean or var do not match sum and sum_sq for feature \[1\]$/],
    ['a variance that is not that of its sums', edit({ var: [33.5, 33] }), /mean or var do not match sum and sum_sq for feature "x1"$/],
    ['missing version', edit({}, ['version']), /missing "version"/],
    ['missing keys', edit({}, ['weight', 'count']), /missing "weight"; .*missing "count"/],
    ['arrays of different lengths', edit({ weight: [1], mean: [1, 2, 3] }), /arrays of different lengths: features 2, weight 1, bias 2, running_mean 2, running_var 2, count 2, mean 3, var 2, sum 2, sum_sq 2/],
    ['an array that is not one', edit({ bias: 'abc' }), /bias is not an array: "abc"/],
    ['a text in a number array', edit({ running_mean: [1, 'x'] }), /running_mean\[1\] is not a number: "x"/],
    ['null in a number array', edit({ count: [null, 1] }), /count\[0\] is not a number: null/],
    ['a non-finite number', JSON.stringify(goodDoc()).replace('"running_mean":[10,11]', '"running_mean":[1e999,11]'), /running_mean\[0\] is not finite/],
    ['a negative running variance', edit({ running_var: [-1, 1] }), /running_var\[0\] is negative: -1/],
    ['a negative variance', edit({ var: [1, -2] }), /var\[1\] is negative: -2/],
    ['a negative eps', edit({ eps: -1 }), /eps is negative: -1/],
    ['eps as text', edit({ eps: '1e-5' }), /eps is not a number: "1e-5"/],
    ['a fractional num_batches_tracked', edit({ num_batches_tracked: 1.5 }), /num_batches_tracked is not a whole number: 1.5/],
    ['a negative count', edit({ count: [-1, 10] }), /count\[0\] is negative: -1/],
    ['a fractional count', edit({ count: [10, 2.5] }), /count\[1\] is not a whole number: 2.5/],
    ['momentum 0', edit({ momentum: 0 }), /momentum must be null \(cumulative\) or a number in \(0, 1\], found 0/],
    ['momentum as text', edit({ momentum: 'cumulative' }), /momentum must be null .* found "cumulative"/],
    ['missing momentum', edit({}, ['momentum']), /missing "momentum"/],
    ['an unknown preset', edit({ preset: 'tf' }), /preset must be "torch", "keras" or "sklearn", found "tf"/],
    ['features not strings', edit({ features: ['x1', 2] }), /features must be an array of column names \(strings\)/],
    ['duplicate features', edit({ features: ['x1', 'x1'] }), /features names "x1" more than once/],
    ['empty arrays in a state_dict', JSON.stringify({ running_mean: [], running_var: [] }), /no features: the arrays are empty/],
    ['a non-finite mean_lo (version 1)', JSON.stringify(version1Doc()).replace('"mean_lo":[0,0]', '"mean_lo":[0,-1e999]'), /mean_lo\[1\] is not finite/],
    ['PyTorch and Keras names mixed', JSON.stringify({ running_mean: [0], moving_variance: [1] }), /mixes PyTorch names \(running_mean\) and Keras names \(moving_variance\)/],
    ['a state_dict without running_var', JSON.stringify({ running_mean: [0] }), /missing "running_var"/],
    ['Keras names without moving_variance', JSON.stringify({ moving_mean: [0], gamma: [1] }), /missing "moving_variance"/],
    // JSON.parse's reviver (which drops __proto__ keys) recurses: the stack ends some thousands of levels down.
    ['a document nested 100,000 levels deep', `{"format":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, /^invalid stats file: nested too deeply \(a stats file is flat\)$/],
  ])('%s', (_name, doc, pattern) => {
    rejects(doc, pattern);
  });

  it('reports every problem at once, in one message', () => {
    const err = rejects(edit({ version: 3, running_var: [-1, 1], eps: 'x', preset: 'tf', weight: [1] }), /unknown version 3/);
    const problems = err.message.replace(/^invalid stats file: /, '').split('; ');
    expect(problems).toEqual([
      'unknown version 3 (this bn reads versions 1 and 2)',
      'running_var[0] is negative: -1',
      'eps is not a number: "x"',
      'preset must be "torch", "keras" or "sklearn", found "tf"',
      'arrays of different lengths: features 2, weight 1, bias 2, running_mean 2, running_var 2, count 2, mean 2, var 2, sum 2, sum_sq 2',
    ]);
  });

  it('shows three bad values of an array and counts the rest', () => {
    rejects(edit({ features: undefined, weight: ['a', 'b', 'c', 'd', 'e'] }), /weight\[2\] is not a number: "c"; and 2 more bad values in weight/);
  });
});

describe('parseStatsFile: what it accepts', () => {
  it('Keras names with features; ε defaults to Keras\'s 1e-3', () => {
    const loaded = parseStatsFile(JSON.stringify({ features: ['a', 'b'], gamma: [2, 3], beta: [0, 1], moving_mean: [5, 6], moving_variance: [4, 9] }), 'k.json');
    expect(loaded).toEqual({
      kind: 'keras',
      stats: { features: ['a', 'b'], weight: [2, 3], bias: [0, 1], runningMean: [5, 6], runningVar: [4, 9], eps: 1e-3 },
    });
  });

  it('Keras names without features (matched by position) and without gamma/beta (scale/center=False)', () => {
    const loaded = parseStatsFile(JSON.stringify({ moving_mean: [5], moving_variance: [4], eps: 0.01 }), 'k.json');
    expect(loaded).toEqual({ kind: 'keras', stats: { weight: [1], bias: [0], runningMean: [5], runningVar: [4], eps: 0.01 } });
  });

  it('a PyTorch state_dict dumped to JSON; ε defaults to PyTorch\'s 1e-5', () => {
    const loaded = parseStatsFile(
      JSON.stringify({ weight: [2], bias: [1], running_mean: [10], running_var: [36], num_batches_tracked: 3 }),
      'sd.json',
    );
    expect(loaded).toEqual({ kind: 'torch', stats: { weight: [2], bias: [1], runningMean: [10], runningVar: [36], eps: 1e-5 } });
  });

  it('a bn stats file without features (matched by position)', () => {
    const doc = edit({}, ['features']);
    const loaded = parseStatsFile(JSON.stringify(doc), 's.json');
    expect(loaded.kind).toBe('bn');
    expect(loaded.stats.features).toBeUndefined();
  });

  it('a bn file with empty arrays: the stats file of an empty shard', () => {
    const loaded = parseStatsFile(JSON.stringify(edit({ features: [], weight: [], bias: [], running_mean: [], running_var: [], count: [], mean: [], var: [], sum: [], sum_sq: [] })), 's.json');
    expect(loaded.kind).toBe('bn');
    expect((loaded.stats as StatsFile).count).toEqual([]);
  });

  it('a file of version 1: no sums, with or without mean_lo', () => {
    const loaded = parseStatsFile(JSON.stringify(version1Doc()), 's.json');
    expect(loaded.kind).toBe('bn');
    expect((loaded.stats as StatsFile).sum).toBeUndefined();
    expect((loaded.stats as StatsFile).meanLow).toEqual([0, 0]);
    const { mean_lo: _dropped, ...withoutLow } = version1Doc();
    expect((parseStatsFile(JSON.stringify(withoutLow), 's.json').stats as StatsFile).meanLow).toBeUndefined();
  });

  it('ignores added keys (SPEC §5: more keys may be added)', () => {
    expect(parseStatsFile(JSON.stringify(edit({ comment: 'hello', rows: 10 })), 's.json').kind).toBe('bn');
  });

  it('a __proto__ key cannot pollute prototypes', () => {
    const text = JSON.stringify(goodDoc()).replace('{', '{"__proto__":{"polluted":1,"weight":[9,9]},');
    const loaded = parseStatsFile(text, 's.json');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(loaded.stats)).toBe(Object.prototype);
    expect(loaded.stats.weight).toEqual([2, 2]);
    // A file whose only weight is behind __proto__ has no weight.
    rejects(JSON.stringify(edit({}, ['weight'])).replace('{', '{"__proto__":{"weight":[9,9]},'), /missing "weight"/);
  });

  it('inherited names (constructor, toString) are not fields', () => {
    rejects(JSON.stringify({ constructor: [1] }), /missing "running_mean"; missing "running_var"/);
  });
});

describe('readStatsFile', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-stats-file-'));

  it('an unreadable file is BN_READ_FAILED naming it', async () => {
    await expect(readStatsFile(path.join(dir, 'nope.json'), 'nope.json')).rejects.toMatchObject({
      code: 'BN_READ_FAILED',
      message: 'cannot read stats file: no such file',
      location: { file: 'nope.json' },
    });
    await expect(readStatsFile(dir, 'dir')).rejects.toMatchObject({ code: 'BN_READ_FAILED', message: 'cannot read stats file: is a directory' });
  });

  it('reads and validates a file', async () => {
    const file = path.join(dir, 's.json');
    writeFileSync(file, statsFileJson(GOOD));
    expect(await readStatsFile(file)).toEqual({ kind: 'bn', stats: GOOD });
  });
});

describe('streams of stats files (bn merge -)', () => {
  it('splits one-a-line and indented files, with brackets and quotes inside strings', () => {
    const a = statsFileJson(GOOD, { compact: true });
    const b = statsFileJson({ ...GOOD, features: ['a}"[', 'b\\"'] });
    expect(splitJsonTexts(`${a}${b}\t\n${a}`).map((t) => JSON.parse(t))).toEqual([JSON.parse(a), JSON.parse(b), JSON.parse(a)]);
    expect(splitJsonTexts('  \n')).toEqual([]);
  });

  it('names the bad one by its index', () => {
    const a = statsFileJson(GOOD, { compact: true });
    expect(() => parseStatsStream(`${a}${a.replace('"version":2', '"version":7')}`, '<stdin>')).toThrow(
      expect.objectContaining({ location: { file: '<stdin>[1]' }, message: expect.stringMatching(/unknown version 7/) }),
    );
  });

  it('merge needs a bn stats file', () => {
    const keras = parseStatsFile(JSON.stringify({ moving_mean: [5], moving_variance: [4] }), 'k.json');
    expect(() => requireBnStats(keras, 'k.json')).toThrow(/not a bn stats file .*Keras names only.*count, mean and var/);
  });
});
