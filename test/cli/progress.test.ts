/**
 * The progress bar and the summary line, in-process: standard error is a PassThrough that says it
 * is a terminal (isTTY), BN_PROGRESS_DELAY_MS=0 makes the bar appear at once, and the input is a
 * file (real reads, so the bar's timers get their turn). Erasing is cli-progress's: the cursor
 * back to column 1 (ESC [1G) and the line cleared (ESC [2K).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, Progress, type WorkCounter } from '../../src/cli/progress.js';
import { countBytes } from '../../src/io/input.js';
import { bnInProcess } from '../helpers/run-bn.js';

const ERASE = '\x1b[1G\x1b[2K';
const FAST = { BN_PROGRESS_DELAY_MS: '0' };
const ROWS = 60_000;

const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-progress-'));
const big = path.join(dir, 'big.csv');
const bad = path.join(dir, 'bad.csv');
beforeAll(() => {
  const lines = Array.from({ length: ROWS }, (_, i) => `${i},${(i * 7919) % 1000}.25,t${i % 5}`);
  writeFileSync(big, `a,b,label\n${lines.join('\n')}\n`);
  writeFileSync(bad, `a,b,label\n${lines.join('\n')}\n1,oops,t\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The note of the columns of big.csv (a: 0, 1, 2, …, b, label: text), on a terminal. */
const NOTE = `bn: 2 features: a, b; skipped 1 non-numeric column: label\nbn: "a" looks like a row number (consecutive integers, each once): --select '!a' leaves it out\n`;

/** What stays on the screen: everything after the last erase (the bar is gone by then). */
const afterBar = (stderr: string) => stderr.slice(stderr.lastIndexOf(ERASE) + ERASE.length);

describe('the progress bar', () => {
  it('shows the fraction of the file read, on a terminal standard error, and is erased before the table', async () => {
    // -j 2: one thread would read this 1 MB file in one chunk, before the bar's first frame.
    const r = await bnInProcess(['stats', '-j', '2', big], '', { stderrTTY: true, env: FAST });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/bn stats [█░]{24} \d+%/);
    expect(r.stderr).toContain(ERASE);
    expect(afterBar(r.stderr)).toBe(NOTE);
    expect(r.stdout).toMatch(/^60,000 rows, 2 features, 1 batch\n/);
  });

  it('counts the rows and their rate on standard input', async () => {
    // A slow standard input: 1000 bytes every 5 ms for over half a second, so the bar is redrawn.
    const text = `a\n${Array.from({ length: 20_000 }, (_, i) => i).join('\n')}\n`;
    async function* slowly() {
      for (let i = 0; i < text.length; i += 1000) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        yield Buffer.from(text.slice(i, i + 1000));
      }
    }
    const r = await bnInProcess(['stats', '-b', '100'], '', { stderrTTY: true, env: FAST, input: Readable.from(slowly()) });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/bn stats · [\d,]+ rows? · [\d,]+ rows\/s · \d+ ms/);
    expect(afterBar(r.stderr)).toBe(`bn: 1 feature: a\nbn: "a" looks like a row number (consecutive integers, each once): --select '!a' leaves it out\n`);
  });

  it('goes before the summary line of normalize, over both passes of a whole-input normalize', async () => {
    const out = path.join(dir, 'out.csv');
    const r = await bnInProcess(['normalize', big, '-o', out, '--save-stats', path.join(dir, 's.json')], '', { stderrTTY: true, env: { ...FAST, NO_COLOR: '1' } });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/bn normalize [█░]{24} \d+%/);
    expect(afterBar(r.stderr)).toMatch(
      new RegExp(`^${NOTE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}bn: normalized 60,000 rows, 2 features, 1 batch → ${out} · stats saved to ${path.join(dir, 's.json')} · \\d+(\\.\\d)? m?s\\n$`),
    );
  });

  it('is erased before an error message, which is then the only line left', async () => {
    const r = await bnInProcess(['stats', bad], '', { stderrTTY: true, env: FAST });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bn stats ');
    expect(afterBar(r.stderr)).toBe(`bn: ${bad}:${ROWS + 2}:2 (column "b"): not a number: "oops"\n`);
  });

  it.each([
    ['standard error is not a terminal', ['stats', big], { stderrTTY: false }],
    ['--no-progress', ['stats', big, '--no-progress'], { stderrTTY: true }],
    ['the rows go to the terminal', ['normalize', big], { stderrTTY: true, stdoutTTY: true }],
    ['the input is typed at the terminal', ['stats'], { stderrTTY: true, input: Object.assign(Readable.from([Buffer.from('a\n1\n2\n')]), { isTTY: true }) }],
  ])('never appears when %s', async (_why, args, options) => {
    const r = await bnInProcess(args, '', { env: FAST, ...options });
    expect(r.code).toBe(0);
    // No bar, no rate, no cursor move (a summary line, dimmed, may be there).
    expect(r.stderr).not.toMatch(/[█░]|rows\/s| read · |\x1b\[1G|\x1b7/);
  });

  it('does not appear for quick work with the default delay of a second', async () => {
    const r = await bnInProcess(['stats', big], '', { stderrTTY: true });
    expect(r.stderr).toBe(NOTE);
  });
});

describe('the bar\'s line', () => {
  const progress = () => new Progress(new PassThrough(), 'normalize', 1e9);

  it('with a known total: the bar, the percent done and the time left', () => {
    const p = progress();
    p.expectBytes(1000);
    p.counter.bytes = 250;
    p.counter.rows = 99;
    expect(p.text(3000)).toBe('bn normalize {bar} 25% · about 9.0 s left');
    p.stop();
  });

  it('without one: rows, rows a second and the time so far; bytes before the first row', () => {
    const p = progress();
    p.counter.bytes = 48_200_000;
    expect(p.text(12_000)).toBe('bn normalize · 48.2 MB read · 12 s');
    p.counter.rows = 1_234_567;
    expect(p.text(2000)).toBe('bn normalize · 1,234,567 rows · 617,284 rows/s · 2.0 s');
    p.stop();
  });

  it.each([
    [240, '240 ms'],
    [2345, '2.3 s'],
    [42_400, '42 s'],
    [200_000, '3 min 20 s'],
    [3_900_000, '1 h 05 min'],
  ])('formatDuration(%s) = %j', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it.each([
    [512, '512 B'],
    [48_200_000, '48.2 MB'],
    [3e12, '3.0 TB'],
  ])('formatBytes(%s) = %j', (bytes, text) => expect(formatBytes(bytes)).toBe(text));
});

describe('the summary line of normalize and denormalize', () => {
  const seed = path.resolve('fixtures/seed.csv');

  it('says rows, features, batches, where the rows and the stats went, and the time, dimmed on a terminal', async () => {
    const r = await bnInProcess(['normalize', seed, '-b', '4', '-o', path.join(dir, 'seed.norm.csv')], '', { stderrTTY: true });
    const summary = r.stderr.split('\n').at(-2);
    expect(summary).toMatch(/^\x1b\[2mbn: normalized 10 rows, 2 features, 3 batches → \S+seed\.norm\.csv · stats not saved \(--save-stats FILE saves them\) · \d+(\.\d)? m?s\x1b\[22m$/);
  });

  it('names the stats file in inference mode and for denormalize', async () => {
    const stats = path.join(dir, 'seed.json');
    await bnInProcess(['stats', seed, '--save-stats', stats]);
    const normalized = await bnInProcess(['normalize', seed, '--stats', stats], '', { stderrTTY: true, env: { NO_COLOR: '1' } });
    expect(normalized.stderr).toMatch(new RegExp(`^bn: normalized 10 rows, 2 features with the stats of ${stats} → standard output · \\d+(\\.\\d)? m?s\\n$`));
    const back = await bnInProcess(['denormalize', '--stats', stats, '-o', path.join(dir, 'back.csv')], normalized.stdout, { stderrTTY: true, env: { NO_COLOR: '1' } });
    expect(back.stderr).toMatch(new RegExp(`^bn: denormalized 10 rows, 2 features with the stats of ${stats} → ${path.join(dir, 'back.csv')} · \\d+(\\.\\d)? m?s\\n$`));
  });

  it('says where --save-stats - went', async () => {
    const r = await bnInProcess(['normalize', seed, '--save-stats', '-', '-o', path.join(dir, 'o.csv')], '', { stderrTTY: true, env: { NO_COLOR: '1' } });
    expect(r.stderr).toContain(' · stats written to standard output · ');
  });

  it.each([
    ['standard error is not a terminal', [], false],
    ['-q', ['-q'], true],
    ['--quiet', ['--quiet'], true],
  ])('is not printed when %s', async (_why, flags: string[], tty) => {
    const r = await bnInProcess(['normalize', seed, ...flags], '', { stderrTTY: tty });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const d = await bnInProcess(['denormalize', seed, '--stats', path.join(dir, 'seed.json'), ...flags], '', { stderrTTY: tty });
    expect(d.code).toBe(0);
    expect(d.stderr).toBe('');
  });
});

describe('the progress hook', () => {

  it('countBytes adds the length of every chunk that goes through', async () => {
    const counter: WorkCounter = { bytes: 0, rows: 0 };
    const chunks: string[] = [];
    for await (const chunk of countBytes(Readable.from([Buffer.from('abc'), Buffer.from('de')]), counter)) chunks.push(String(chunk));
    expect(chunks.join('')).toBe('abcde');
    expect(counter.bytes).toBe(5);
  });
});
