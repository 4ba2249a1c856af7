/**
 * The flags of Miller, csvkit and qsv: the ones bn has under another name get the bn spelling
 * (one line, status 2); --ofs and --output-delimiter set the CSV/TSV output delimiter.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { optionHint } from '../../src/cli/option-hints.js';
import { bnInProcess, bnProcess, expectOneLineError } from '../helpers/run-bn.js';

describe('a neighbouring tool\'s flag', () => {
  it.each([
    [['stats', '--ojson'], "unknown option '--ojson' (bn writes JSON with --to json)"],
    [['normalize', '--ocsv'], "unknown option '--ocsv' (bn writes CSV with --to csv)"],
    [['stats', '--icsv', 'x.csv'], "unknown option '--icsv' (bn reads CSV with --from csv)"],
    [['--icsv', '--ojson', 'stats'], "unknown option '--icsv' (bn reads CSV with --from csv)"],
    [['normalize', '--c2j'], "unknown option '--c2j' (bn reads CSV and writes JSON with --from csv --to json)"],
    [['normalize', '--t2l'], "unknown option '--t2l' (bn reads TSV and writes NDJSON with --from tsv --to ndjson)"],
    [['stats', '--json'], "unknown option '--json' (bn reads JSON with --from json and writes it with --to json)"],
    [['stats', '--ifs', ';'], "unknown option '--ifs' (bn reads another field delimiter with -d CHAR)"],
    [['stats', '--ifs=;'], "unknown option '--ifs=;' (bn reads another field delimiter with -d CHAR)"],
    [['stats', '-t'], "unknown option '-t' (bn reads tab-separated input with --from tsv, or -d tab)"],
    [['stats', '--tabs'], "unknown option '--tabs' (bn reads tab-separated input with --from tsv, or -d tab)"],
    [['normalize', '-T'], "unknown option '-T' (bn writes tab-separated output with --to tsv)"],
    [['stats', '-H'], "unknown option '-H' (bn reads input without a header row with -n/--no-header)"],
    [['stats', '--no-headers'], "unknown option '--no-headers' (bn reads input without a header row with -n/--no-header)"],
    [['stats', '--implicit-csv-header'], "unknown option '--implicit-csv-header' (bn reads input without a header row with -n/--no-header)"],
    [['normalize', '--out-delimiter', ';'], "unknown option '--out-delimiter' (bn writes another field delimiter with --output-delimiter CHAR)"],
    [['stats', '-c', 'a,b'], "unknown option '-c' (bn picks columns with -s/--select)"],
    [['-v'], "unknown option '-v' (bn prints its version with -V/--version)"],
    [['stats', '-B', '5'], "unknown option '-B' (did you mean -b (--batch-size)?)"],
    [['normalize', '-S', 'x'], "unknown option '-S' (did you mean -s (--select)?)"],
  ])('bn %j: the bn spelling, one line, status 2', async (args, message) => {
    const r = await bnInProcess(args, 'a\n1\n2\n');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expectOneLineError(r.stderr, new RegExp(`^bn: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  });

  it.each(['--c2x', '--x2j', '--ozzz', '--batchsize'])('%s has no hint (commander\'s own message stands)', (flag) => {
    expect(optionHint(flag)).toBeUndefined();
  });
});

describe('--output-delimiter and --ofs', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-ofs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'in.csv');
  writeFileSync(file, 'a,b,c\n1,"x;y",3\n4,z,6\n');
  const expected = ['a;b;c', '-0.9999977777851852;"x;y";-0.9999977777851852', '0.9999977777851852;z;0.9999977777851852', ''].join('\n');

  it.each([
    ['--output-delimiter', ['normalize', file, '--output-delimiter', ';'], undefined],
    ['--ofs, from standard input', ['normalize', '--ofs', ';'], 'a,b,c\n1,"x;y",3\n4,z,6\n'],
    ['--ofs, batches read by the byte scanner', ['normalize', file, '-b', '2', '--ofs', ';'], undefined],
  ])('%s: CSV with that delimiter, a cell holding it quoted', async (_name, args, stdin) => {
    const r = await bnProcess(args, { stdin });
    expect(r).toEqual({ code: 0, stdout: expected, stderr: '' });
  });

  it('tab, into TSV', async () => {
    const r = await bnInProcess(['normalize', '--to', 'tsv', '--output-delimiter', 'tab'], 'a,b\n1,x\n3,y\n');
    expect(r.stdout.split('\n')[0]).toBe('a\tb');
  });

  it('JSON output has no delimiter: a usage error', async () => {
    const r = await bnInProcess(['normalize', '--to', 'json', '--ofs', ';'], 'a\n1\n2\n');
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, /^bn: --output-delimiter applies to CSV and TSV output, not json$/);
  });
});
