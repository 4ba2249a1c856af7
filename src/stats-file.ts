/**
 * The stats file (SPEC §5): what `--save-stats` writes, what `--stats` and `bn merge` read.
 *
 * A bn stats file (`"format": "bn-stats", "version": 2`) holds a PyTorch BatchNorm1d state_dict
 * (weight, bias, running_mean, running_var, num_batches_tracked), the settings (eps, momentum,
 * preset), the correctly rounded statistics of every row seen (count, mean, biased var), and the
 * exact sums they come from (`sum`, `sum_sq`: Σx and Σx² as "0x…p…" text, see dyadicText), so
 * that `bn merge` of shards gives the bits of one pass over the whole. Version 1 (no sums; a
 * `mean_lo` beside each mean) still loads, and merges as exactly as its rounded numbers allow.
 *
 * For `--stats`, two foreign shapes are read too (files without `format`):
 *   - a PyTorch state_dict dumped to JSON: running_mean, running_var, and optionally weight,
 *     bias (affine=False: 1 and 0), eps (default 1e-5), num_batches_tracked, features;
 *   - Keras names: moving_mean, moving_variance, and optionally gamma, beta (scale/center=False:
 *     1 and 0), eps (default 1e-3, Keras's), features.
 * Without `features`, columns are matched by position.
 *
 * Loading validates everything and reports every problem in one message (meow's validate.js).
 * The JSON is parsed with a reviver that drops `__proto__` keys, and fields are read as own
 * properties only, so a file cannot reach Object.prototype.
 */
import { createReadStream } from 'node:fs';
import { BnError, describeErrno, quoteText, quoteValue } from './errors.js';
import { dyadicText, parseDyadic, ZERO, type Dyadic } from './engine/exact-sum.js';
import { Moments } from './engine/moments.js';
import type { Momentum } from './engine/running-stats.js';
import { isPreset, PRESET_NAMES, type Preset } from './pipeline/presets.js';
import { readLimited } from './io/read-limited.js';
import { decodeUtf8 } from './io/utf8.js';
import { STATS_FILE_STATISTICS, type Statistic, type StatsFileKey } from './statistics.js';

export const STATS_FORMAT = 'bn-stats';
export const STATS_VERSION = 2;
/** Versions this bn reads: 1 (no exact sums: merged as exactly as its rounded statistics allow) and 2. */
const READABLE_VERSIONS: readonly unknown[] = [1, 2];

/** What inference (`--stats`) needs; every loadable file provides it. Arrays are per feature. */
export interface InferenceStats {
  /** Column names; absent: matched by position among the input's features. */
  features?: readonly string[];
  /** γ. */
  weight: readonly number[];
  /** β. */
  bias: readonly number[];
  runningMean: readonly number[];
  runningVar: readonly number[];
  eps: number;
  /** A bn stats file's preset (its rules for a constant feature); absent for PyTorch/Keras files. */
  preset?: Preset;
}

/** A complete bn stats file: everything `--save-stats` writes and `bn merge` needs. */
export interface StatsFile extends InferenceStats {
  numBatchesTracked: number;
  momentum: Momentum;
  preset: Preset;
  /** Statistics of all rows seen, correctly rounded: count, mean, biased variance. */
  count: readonly number[];
  mean: readonly number[];
  var: readonly number[];
  /** Σx and Σx² exactly (version 2): what `bn merge` adds up, so that a merge is exact. */
  sum?: readonly Dyadic[];
  sumOfSquares?: readonly Dyadic[];
  /** The low part of each mean (version 1, which has no sums: merges of it use it). */
  meanLow?: readonly number[];
}

export type LoadedStats =
  | { kind: 'bn'; stats: StatsFile }
  | { kind: 'torch' | 'keras'; stats: InferenceStats };

/** A stats file's statistics of the data: count, mean, biased var, and what merges them exactly, per feature. */
export type Summary = Pick<StatsFile, StatsFileKey | 'sum' | 'sumOfSquares' | 'meanLow'>;

/**
 * The statistics of a per-feature Moments, as a stats file keeps them: those the table of
 * statistics marks `inStatsFile` (count, mean, var), then the exact sums.
 *
 * The stats file is not driven by the table as the reports are. Its keys belong to a versioned
 * format: statsFileJson writes and readBnOnly reads count, mean, var, sum and sum_sq by name
 * (with their own rules: count a whole number, var ≥ 0, sums exact), and momentsOf rebuilds
 * the Moments from the sums. Marking another statistic `inStatsFile` is therefore a change of
 * the format: `Summary` stops compiling until StatsFile has the key (and then readBnOnly must
 * supply it); statsFileJson must be told by hand.
 */
export function summaryOf(m: Moments): Summary {
  const each = (of: Statistic['of']) => Array.from({ length: m.width }, (_, f) => of(m, f));
  const rounded = Object.fromEntries(STATS_FILE_STATISTICS.map((s) => [s.key, each(s.of)])) as Record<StatsFileKey, number[]>;
  const features = [...Array(m.width).keys()];
  return { ...rounded, sum: features.map((f) => m.sum(f)), sumOfSquares: features.map((f) => m.sumOfSquares(f)) };
}

/** The inverse of `summaryOf`: the Moments of the sums (exact), or of a version-1 file's rounded statistics. */
export function momentsOf(s: Summary): Moments {
  if (s.sum && s.sumOfSquares) return Moments.fromSums({ count: s.count, sum: s.sum, sumOfSquares: s.sumOfSquares });
  return Moments.fromSummary({ count: s.count, mean: s.mean, var: s.var, ...(s.meanLow ? { meanLow: s.meanLow } : {}) });
}

/**
 * The stats file of a shard without a row (a header only, or no bytes: GNU parallel's
 * --pipepart starts such jobs): no features, no statistics, the settings. `bn merge` takes it as
 * the identity; inference refuses it.
 */
export function emptyStatsFile(settings: Pick<StatsFile, 'eps' | 'momentum' | 'preset'>): StatsFile {
  return {
    features: [],
    weight: [],
    bias: [],
    runningMean: [],
    runningVar: [],
    numBatchesTracked: 0,
    ...settings,
    count: [],
    mean: [],
    var: [],
    sum: [],
    sumOfSquares: [],
  };
}

/** Whether a stats file is that of an empty shard (emptyStatsFile). */
export function isEmptyShard(stats: Pick<StatsFile, 'count'>): boolean {
  return stats.count.length === 0;
}

/** The file as JSON: one line with `compact` (for pipes and Hadoop), else one key a line. */
export function statsFileJson(s: StatsFile, { compact = false } = {}): string {
  const doc: Record<string, unknown> = {
    format: STATS_FORMAT,
    version: STATS_VERSION,
    ...(s.features ? { features: s.features } : {}),
    weight: s.weight,
    bias: s.bias,
    running_mean: s.runningMean,
    running_var: s.runningVar,
    num_batches_tracked: s.numBatchesTracked,
    eps: s.eps,
    momentum: s.momentum === 'cumulative' ? null : s.momentum,
    preset: s.preset,
    count: s.count,
    mean: s.mean,
    var: s.var,
    ...(s.sum ? { sum: s.sum.map(dyadicText) } : {}),
    ...(s.sumOfSquares ? { sum_sq: s.sumOfSquares.map(dyadicText) } : {}),
    ...(s.meanLow ? { mean_lo: s.meanLow } : {}),
  };
  if (compact) return `${JSON.stringify(doc)}\n`;
  const lines = Object.entries(doc).map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`);
  return `{\n${lines.join(',\n')}\n}\n`;
}

/**
 * The largest stats file bn reads: far beyond any real one (a million features take about
 * 200 MB indented), and a bound on the memory of one given by mistake (`--stats /dev/zero`).
 */
export const MAX_STATS_FILE_BYTES = 256 << 20;

/** The error of a stats file (or of standard input holding stats files) past MAX_STATS_FILE_BYTES. */
export function statsFileTooLarge(label: string): BnError {
  return new BnError('BN_BAD_STATS_FILE', `larger than ${MAX_STATS_FILE_BYTES >> 20} MiB, the most bn reads of stats files: is it one?`, { file: label });
}

/** Read and validate a stats file; `label` names it in messages. */
export async function readStatsFile(path: string, label = path): Promise<LoadedStats> {
  return parseStatsFile(await readStatsText(createReadStream(path), label), label);
}

/** The text of stats files from `source` (a file, standard input): at most MAX_STATS_FILE_BYTES of UTF-8. */
export async function readStatsText(source: AsyncIterable<Buffer>, label: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readLimited(source, MAX_STATS_FILE_BYTES, () => statsFileTooLarge(label));
  } catch (err) {
    if (err instanceof BnError) throw err;
    throw new BnError('BN_READ_FAILED', `cannot read stats file: ${describeErrno(err as NodeJS.ErrnoException)}`, { file: label });
  }
  return decodeUtf8(bytes, label);
}

/** Parse and validate; throws one BN_BAD_STATS_FILE naming every problem. */
export function parseStatsFile(text: string, label: string): LoadedStats {
  let doc: unknown;
  try {
    // A byte order mark (an editor on Windows wrote it) is no JSON, and no content: ignored, as in data files.
    const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    doc = JSON.parse(json, (key, value: unknown) => (key === '__proto__' ? undefined : value));
  } catch (err) {
    // The reviver recurses: thousands of nested arrays overflow the stack. The JSON may be valid.
    if (err instanceof RangeError) throw invalid(label, ['nested too deeply (a stats file is flat)']);
    // V8 quotes a piece of the text, line breaks and all: keep the message on one line.
    const why = (err as Error).message.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
    throw invalid(label, [`not valid JSON: ${why.length > 120 ? `${why.slice(0, 120)}…` : why}`]);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw invalid(label, [`expected a JSON object, found ${Array.isArray(doc) ? 'an array' : quoteValue(doc)}`]);
  }
  const reader = new FieldReader(doc as Record<string, unknown>);
  const loaded = readDocument(reader);
  if (reader.problems.length > 0 || !loaded) throw invalid(label, reader.problems);
  return loaded;
}

function invalid(label: string, problems: readonly string[]): BnError {
  return new BnError('BN_BAD_STATS_FILE', `invalid stats file: ${problems.join('; ')}`, { file: label });
}

const TORCH_NAMES = { weight: 'weight', bias: 'bias', mean: 'running_mean', var: 'running_var' } as const;
const KERAS_NAMES = { weight: 'gamma', bias: 'beta', mean: 'moving_mean', var: 'moving_variance' } as const;
type Names = typeof TORCH_NAMES | typeof KERAS_NAMES;

function readDocument(r: FieldReader): LoadedStats | undefined {
  const isBn = r.has('format');
  if (isBn) {
    const format = r.get('format');
    if (format !== STATS_FORMAT) r.problem(`unknown format ${quoteValue(format)} (expected "${STATS_FORMAT}")`);
    if (!r.has('version')) r.problem('missing "version"');
    else if (!READABLE_VERSIONS.includes(r.get('version'))) {
      r.problem(`unknown version ${quoteValue(r.get('version'))} (this bn reads versions ${READABLE_VERSIONS.join(' and ')})`);
    }
  }
  const torchKeys = Object.values(TORCH_NAMES).filter((k) => r.has(k));
  const kerasKeys = Object.values(KERAS_NAMES).filter((k) => r.has(k));
  if (!isBn && torchKeys.length > 0 && kerasKeys.length > 0) {
    r.problem(`mixes PyTorch names (${torchKeys.join(', ')}) and Keras names (${kerasKeys.join(', ')})`);
  }
  const kind = isBn ? 'bn' : kerasKeys.length > 0 && torchKeys.length === 0 ? 'keras' : 'torch';
  const names: Names = kind === 'keras' ? KERAS_NAMES : TORCH_NAMES;
  const optional = kind !== 'bn';

  const features = r.strings('features');
  const arrays: Array<[string, readonly unknown[] | undefined]> = [['features', features]];
  const arr = (key: string, required: boolean, rule: NumberRule = {}) => {
    const value = r.numbers(key, required, rule);
    arrays.push([key, value]);
    return value;
  };
  const weight = arr(names.weight, !optional);
  const bias = arr(names.bias, !optional);
  const runningMean = arr(names.mean, true, { nullable: kind === 'bn' });
  // null: a bn shard of fewer than 2 values has no unbiased running variance (NaN once read).
  const runningVar = arr(names.var, true, { nonNegative: true, nullable: kind === 'bn' });
  const eps = r.number('eps', !optional, { nonNegative: true }) ?? (kind === 'keras' ? 1e-3 : 1e-5);
  const numBatchesTracked = r.number('num_batches_tracked', !optional, { nonNegative: true, integer: true });
  const summary = kind === 'bn' ? readBnOnly(r, features, arr, (key) => {
    const value = r.dyadics(key, r.get('version') === 2);
    arrays.push([key, value]);
    return value;
  }) : undefined;

  const present = arrays.filter((a): a is [string, readonly unknown[]] => a[1] !== undefined);
  const width = present.find(([key]) => key !== 'features')?.[1].length;
  if (present.some(([, a]) => a.length !== width)) {
    r.problem(`arrays of different lengths: ${present.map(([key, a]) => `${key} ${a.length}`).join(', ')}`);
  } else if (width === 0 && kind !== 'bn') {
    // A bn file without features is the stats file of an empty shard (see emptyStatsFile).
    r.problem('no features: the arrays are empty');
  }
  if (r.problems.length > 0 || !runningMean || !runningVar) return undefined;

  const base: InferenceStats = {
    ...(features ? { features } : {}),
    weight: weight ?? runningMean.map(() => 1),
    bias: bias ?? runningMean.map(() => 0),
    runningMean,
    runningVar,
    eps,
  };
  if (kind !== 'bn') return { kind, stats: base };
  return { kind, stats: { ...base, numBatchesTracked: numBatchesTracked!, ...summary! } };
}

/** The keys only a bn stats file has: settings and the exact statistics. */
function readBnOnly(
  r: FieldReader,
  features: readonly string[] | undefined,
  arr: (key: string, required: boolean, rule?: NumberRule) => readonly number[] | undefined,
  sums: (key: string) => readonly Dyadic[] | undefined,
): Pick<StatsFile, 'momentum' | 'preset' | 'count' | 'mean' | 'var' | 'sum' | 'sumOfSquares' | 'meanLow'> {
  let momentum: Momentum = 'cumulative';
  if (!r.has('momentum')) r.problem('missing "momentum"');
  else if (r.get('momentum') !== null) {
    const m = r.get('momentum');
    if (typeof m === 'number' && m > 0 && m <= 1) momentum = m;
    else r.problem(`momentum must be null (cumulative) or a number in (0, 1], found ${quoteValue(m)}`);
  }
  let preset: Preset = 'torch';
  if (!r.has('preset')) r.problem('missing "preset"');
  else {
    const p = r.get('preset');
    if (isPreset(p)) preset = p;
    else r.problem(`preset must be ${PRESET_NAMES.map((n) => `"${n}"`).join(', ').replace(/, ([^,]*)$/, ' or $1')}, found ${quoteValue(p)}`);
  }
  const count = arr('count', true, { nonNegative: true, integer: true });
  // null: a feature of no value in this shard (count 0; --select named a column empty here).
  const mean = arr('mean', true, { nullable: true });
  const variance = arr('var', true, { nonNegative: true, nullable: true });
  const meanLow = arr('mean_lo', false);
  const sum = sums('sum');
  const sumOfSquares = sums('sum_sq');
  // Null exactly where there is no value, and no sum of nothing: a file edited by hand would
  // otherwise merge a mean that no value made.
  const nullWrong = (x: number | undefined, f: number) => Number.isNaN(x) !== (count?.[f] === 0);
  const sumWrong = (d: Dyadic, f: number) => count?.[f] === 0 && d.mantissa !== 0n;
  if (mean?.some(nullWrong) || variance?.some(nullWrong) || sum?.some(sumWrong) || sumOfSquares?.some(sumWrong)) {
    r.problem('mean and var are null exactly where count is 0, and sum and sum_sq 0 there');
  }
  if (sumOfSquares?.some((d) => d.mantissa < 0n)) r.problem('sum_sq has a negative sum of squares');
  if (count && mean && variance && sum && sumOfSquares) checkSums(r, features, count, mean, variance, sum, sumOfSquares);
  return {
    momentum,
    preset,
    count: count ?? [],
    mean: mean ?? [],
    var: variance ?? [],
    ...(sum ? { sum } : {}),
    ...(sumOfSquares ? { sumOfSquares } : {}),
    ...(meanLow ? { meanLow } : {}),
  };
}

/**
 * The rounded statistics must be those of the sums (a file edited by hand, or two files spliced,
 * would otherwise merge into something neither says).
 */
function checkSums(r: FieldReader, features: readonly string[] | undefined, count: readonly number[], mean: readonly number[], variance: readonly number[], sum: readonly Dyadic[], squares: readonly Dyadic[]): void {
  const width = count.length;
  if ([mean, variance, sum, squares].some((a) => a.length !== width)) return; // reported as different lengths
  if (!count.every((n) => Number.isSafeInteger(n) && n >= 0)) return; // reported with count
  const m = Moments.fromSums({ count, sum, sumOfSquares: squares });
  const off = count.flatMap((n, f) => (n > 0 && (m.mean(f) !== mean[f] || m.variance(f) !== variance[f]) ? [f] : []));
  // Named as the file names them, else by index from 0 as the arrays' other messages do (`var[0]`).
  const name = (f: number) => (features?.[f] !== undefined ? quoteText(features[f]) : `[${f}]`);
  if (off.length > 0) r.problem(`mean or var do not match sum and sum_sq for feature${off.length === 1 ? '' : 's'} ${off.map(name).join(', ')}`);
}

interface NumberRule {
  nonNegative?: boolean;
  integer?: boolean;
  /** null stands for a value that does not exist, read as NaN. */
  nullable?: boolean;
}

/** Reads own properties of the parsed document and collects what is wrong with them. */
class FieldReader {
  readonly problems: string[] = [];

  constructor(private readonly doc: Record<string, unknown>) {}

  problem(text: string): void {
    this.problems.push(text);
  }

  has(key: string): boolean {
    return Object.hasOwn(this.doc, key);
  }

  get(key: string): unknown {
    return this.has(key) ? this.doc[key] : undefined;
  }

  /** What is wrong with one number, or undefined. */
  private check(x: unknown, rule: NumberRule): string | undefined {
    if (x === null && rule.nullable) return undefined;
    if (typeof x !== 'number') return `is not a number: ${quoteValue(x)}`;
    if (!Number.isFinite(x)) return 'is not finite (beyond float64 range)';
    if (rule.integer && !Number.isSafeInteger(x)) return `is not a whole number: ${x}`;
    if (rule.nonNegative && x < 0) return `is negative: ${x}`;
    return undefined;
  }

  number(key: string, required: boolean, rule: NumberRule = {}): number | undefined {
    if (!this.has(key)) {
      if (required) this.problem(`missing ${quoteText(key)}`);
      return undefined;
    }
    const x = this.get(key);
    const why = this.check(x, rule);
    if (why) this.problem(`${key} ${why}`);
    return why ? undefined : (x as number);
  }

  numbers(key: string, required: boolean, rule: NumberRule = {}): readonly number[] | undefined {
    const value = this.array(key, required);
    if (!value) return undefined;
    this.badValues(key, value.map((x) => this.check(x, rule)));
    // Lengths are compared even when values are bad: every problem at once.
    return rule.nullable ? value.map((x) => (x === null ? Number.NaN : (x as number))) : (value as number[]);
  }

  /** Exact sums written by dyadicText ("0x…p…"). */
  dyadics(key: string, required: boolean): readonly Dyadic[] | undefined {
    const value = this.array(key, required);
    if (!value) return undefined;
    const parsed = value.map((x) => (typeof x === 'string' ? parseDyadic(x) : undefined));
    this.badValues(key, parsed.map((d, i) => (d === undefined ? `is not an exact sum ("0x…p…"): ${quoteValue(value[i])}` : undefined)));
    return parsed.map((d) => d ?? ZERO);
  }

  /** The array at `key`, or undefined (missing, reported when required; not an array, reported). */
  private array(key: string, required: boolean): readonly unknown[] | undefined {
    if (!this.has(key)) {
      if (required) this.problem(`missing ${quoteText(key)}`);
      return undefined;
    }
    const value = this.get(key);
    if (Array.isArray(value)) return value;
    this.problem(`${key} is not an array: ${quoteValue(value)}`);
    return undefined;
  }

  /** What is wrong with each element (undefined: nothing); a few are shown, the rest counted. */
  private badValues(key: string, whys: readonly (string | undefined)[]): void {
    const bad = whys.flatMap((why, i) => (why ? [`${key}[${i}] ${why}`] : []));
    const SHOWN = 3;
    this.problems.push(...bad.slice(0, SHOWN));
    if (bad.length > SHOWN) this.problem(`and ${bad.length - SHOWN} more bad values in ${key}`);
  }

  strings(key: string): readonly string[] | undefined {
    if (!this.has(key)) return undefined;
    const value = this.get(key);
    if (!Array.isArray(value) || value.some((s) => typeof s !== 'string')) {
      this.problem(`${key} must be an array of column names (strings): ${quoteValue(value)}`);
      return Array.isArray(value) ? value.map(String) : undefined;
    }
    const seen = new Set<string>();
    const twice = new Set<string>();
    for (const name of value as string[]) (seen.has(name) ? twice : seen).add(name);
    if (twice.size > 0) this.problem(`${key} names ${[...twice].map((s) => quoteText(s)).join(', ')} more than once`);
    return value as string[];
  }
}

/**
 * Several stats files in one text (the concatenated outputs of `--save-stats -`: one a line, or
 * indented ones one after another). Each is parsed and validated; the k-th (from 0) is named
 * `label[k]` in messages.
 */
export function parseStatsStream(text: string, label: string): LoadedStats[] {
  return splitJsonTexts(text).map((doc, k) => parseStatsFile(doc, `${label}[${k}]`));
}

/** Cut a text into its top-level JSON values, by bracket depth outside strings. */
export function splitJsonTexts(text: string): string[] {
  const out: string[] = [];
  const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  let i = 0;
  while (i < text.length) {
    while (isSpace(text[i])) i++;
    if (i >= text.length) break;
    const start = i;
    let depth = 0;
    let inString = false;
    for (; i < text.length; i++) {
      const c = text[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        if (--depth === 0) {
          i++;
          break;
        }
      } else if (depth === 0 && isSpace(c)) break;
    }
    out.push(text.slice(start, i));
  }
  return out;
}

/** `bn merge` needs the exact statistics only a bn stats file has. */
export function requireBnStats(loaded: LoadedStats, label: string): StatsFile {
  if (loaded.kind === 'bn') return loaded.stats;
  throw new BnError(
    'BN_BAD_STATS_FILE',
    `not a bn stats file (no "format": "${STATS_FORMAT}"; it has ${loaded.kind === 'keras' ? 'Keras' : 'PyTorch'} names only): ` +
      'merging needs the count, mean and var that --save-stats writes',
    { file: label },
  );
}
