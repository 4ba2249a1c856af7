/**
 * The progress bar on standard error (SPEC §4), for people watching long work on a terminal.
 *
 * The hook is a plain counter, `WorkCounter { bytes, rows }`, that whatever reads the input adds
 * to, and that the bar reads on a timer (every POLL_MS): the work never calls the bar, so nothing
 * is done per row. Every reader `openReader` (../pipeline/read-input.ts) picks adds what it
 * consumed, once a chunk or a worker's range: in total, over every pass, so that
 * `bytes / totalBytes` is the fraction done.
 *
 * The bar appears only after DELAY_MS of work (so quick runs never show one; the hidden variable
 * BN_PROGRESS_DELAY_MS changes it, for tests), only when the caller decided that standard error is
 * a terminal (display.ts), and it is erased by `stop()` — before any message, summary or table.
 * `stopProgressBars()` erases every bar still shown: run() calls it before reporting an error,
 * bin/bn when interrupted. Drawing (cursor moves, erasing, the terminal's width) is cli-progress's.
 */
import { compressionFromPath } from '../io/compression.js';
import type cliProgress from 'cli-progress';
import { promises as fs } from 'node:fs';
import type { Writable } from 'node:stream';
import { groupThousands, plural } from './text-table.js';

export interface WorkCounter {
  /** Input bytes consumed so far, every pass included. */
  bytes: number;
  /** Rows read so far, every pass included. */
  rows: number;
}

export const DELAY_MS = 1000;
const POLL_MS = 150;

const active = new Set<Progress>();

/** Erase every bar still on the screen (before an error message; on SIGINT). */
export function stopProgressBars(): void {
  for (const progress of active) progress.stop();
}

/** The delay before a bar appears: BN_PROGRESS_DELAY_MS when it is a whole number of milliseconds. */
export function progressDelay(env: Record<string, string | undefined>): number {
  const ms = env.BN_PROGRESS_DELAY_MS;
  return ms !== undefined && /^\d+$/.test(ms) ? Number(ms) : DELAY_MS;
}

export class Progress {
  readonly counter: WorkCounter = { bytes: 0, rows: 0 };
  private totalBytes: number | undefined;
  private readonly started = performance.now();
  private bar: cliProgress.SingleBar | undefined;
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param stream standard error (a terminal: the caller checked)
   * @param label what the bar calls the work ("stats", "normalize")
   */
  constructor(
    private readonly stream: Writable,
    private readonly label: string,
    delayMs: number,
  ) {
    active.add(this);
    this.timer = setTimeout(() => void this.show(), delayMs);
    this.timer.unref();
  }

  /** The bytes the whole work will read (file size × passes); undefined while unknown. */
  expectBytes(total: number | undefined): void {
    this.totalBytes = total !== undefined && total > 0 ? total : undefined;
    // A bar already up shows the total at once (the fast path may be done before the next poll).
    this.bar?.update(this.fraction(), { text: this.text() });
  }

  /** Stop polling and erase the bar. Safe to call more than once. */
  stop(): void {
    active.delete(this);
    clearTimeout(this.timer);
    clearInterval(this.timer);
    this.timer = undefined;
    this.bar?.stop();
    this.bar = undefined;
  }

  private async show(): Promise<void> {
    // Loaded when a bar is drawn: most runs (a pipe, a redirected standard error, short work)
    // never draw one, and a module not loaded costs no memory (bn's budget: 120 MB peak).
    const { default: cliProgress } = await import('cli-progress');
    if (!active.has(this)) return;
    this.bar = new cliProgress.SingleBar({
      stream: this.stream,
      format: (options, params, payload: { text?: string }) =>
        (payload.text ?? '').replace('{bar}', cliProgress.Format.BarFormat(params.progress, options)),
      barsize: 24,
      barCompleteChar: '█',
      barIncompleteChar: '░',
      clearOnComplete: true, // stop() erases the line
      hideCursor: false, // a cursor hidden by a killed bn would stay hidden
      linewrap: true, // cli-progress would otherwise switch wrapping off until stop()
      fps: 1000 / POLL_MS,
    });
    this.bar.start(1, this.fraction(), { text: this.text() });
    this.timer = setInterval(() => this.bar?.update(this.fraction(), { text: this.text() }), POLL_MS);
    this.timer.unref();
  }

  private fraction(): number {
    return this.totalBytes === undefined ? 0 : Math.min(1, this.counter.bytes / this.totalBytes);
  }

  /** The bar's line: with a known total, the bar, percent and time left; else rows (or bytes) and rate. */
  text(elapsed = performance.now() - this.started): string {
    const { bytes, rows } = this.counter;
    const head = `bn ${this.label}`;
    if (this.totalBytes !== undefined) {
      const done = this.fraction();
      const left = done > 0 ? ` · about ${formatDuration((elapsed * (1 - done)) / done)} left` : '';
      return `${head} {bar} ${Math.floor(done * 100)}%${left}`;
    }
    if (rows > 0) {
      const rate = groupThousands(Math.round(rows / Math.max(elapsed / 1000, 0.001)));
      return `${head} · ${plural(rows, 'row')} · ${rate} rows/s · ${formatDuration(elapsed)}`;
    }
    return `${head} · ${formatBytes(bytes)} read · ${formatDuration(elapsed)}`;
  }
}

/** The size of a regular file, for the bar's total; undefined for standard input, a pipe or a device. */
export async function fileBytes(path: string | undefined): Promise<number | undefined> {
  // The bytes counted are those after decompression: a compressed file's size says nothing of them.
  if (path === undefined || compressionFromPath(path).compression) return undefined;
  try {
    const stat = await fs.stat(path);
    return stat.isFile() ? stat.size : undefined;
  } catch {
    return undefined; // the read that follows reports it
  }
}


/** "240 ms", "2.3 s", "42 s", "3 min 20 s", "1 h 05 min". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  const whole = Math.round(s);
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
  return `${Math.floor(whole / 3600)} h ${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')} min`;
}

/** "512 B", "48.2 MB" (powers of 1000). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
