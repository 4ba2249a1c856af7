/**
 * `bn merge` (SPEC §5, §7): the stats file of a whole dataset from the stats files of its shards.
 *
 * The exact sums of the shards add up (momentsOf + Moments.merge), so the merged count, mean and
 * var are the bits a single pass over all the rows gives (version-1 files, without sums, merge
 * through their rounded statistics: Moments.fromSummary). The
 * merged running statistics are those of the whole data seen as one batch: running_mean = the
 * merged mean, running_var = the merged variance, unbiased for the torch preset (SPEC §5) and
 * biased for keras and sklearn (Keras's moving variance is a biased one; StandardScaler's var_ too). num_batches_tracked is the sum of
 * the shards' (every batch of every shard was tracked). γ, β, ε, momentum, preset and the
 * features must agree: shards of one dataset are made with the same flags.
 */
import { checkRepresentable } from './pipeline/compute-stats.js';
import { PRESETS } from './pipeline/presets.js';
import { BnError, quoteNames, quoteText } from './errors.js';
import { isEmptyShard, momentsOf, summaryOf, type StatsFile } from './stats-file.js';

export interface LabelledStats {
  /** The file's name, for messages. */
  label: string;
  stats: StatsFile;
}

export function mergeStatsFiles(all: readonly LabelledStats[]): StatsFile {
  if (all.length === 0) throw new BnError('BN_USAGE', 'nothing to merge: no stats files given');
  // Files of empty shards add nothing: the identity of a merge.
  const files = all.filter((file) => !isEmptyShard(file.stats));
  const first = files[0];
  if (!first) throw new BnError('BN_EMPTY_INPUT', `nothing to merge: every stats file is that of an empty shard (${all.map((f) => f.label).join(', ')})`);
  for (const other of files.slice(1)) checkAgreement(first, other);

  const total = momentsOf(first.stats);
  for (const other of files.slice(1)) total.merge(momentsOf(other.stats));

  const { stats } = first;
  const names = stats.features ?? stats.mean.map((_, f) => `#${f + 1}`);
  const unbiased = PRESETS[stats.preset].runningVariance === 'unbiased';
  const perFeature = (stat: (f: number) => number) => names.map((_, f) => stat(f));
  // Shards near ±1e300 each have a variance; all of them together may not.
  checkRepresentable(total, names.map((_, f) => f), names);
  names.forEach((name, f) => {
    const n = total.count(f);
    if (n < (unbiased ? 2 : 1)) {
      throw new BnError(
        'BN_TOO_FEW_VALUES',
        `the files hold ${n} value${n === 1 ? '' : 's'} of this feature in all; its ${unbiased ? 'unbiased ' : ''}variance needs ${unbiased ? 2 : 1}`,
        { name },
      );
    }
  });
  return {
    ...(stats.features ? { features: stats.features } : {}),
    weight: stats.weight,
    bias: stats.bias,
    runningMean: perFeature((f) => total.mean(f)),
    runningVar: perFeature((f) => (unbiased ? total.sampleVariance(f) : total.variance(f))),
    numBatchesTracked: files.reduce((sum, file) => sum + file.stats.numBatchesTracked, 0),
    eps: stats.eps,
    momentum: stats.momentum,
    preset: stats.preset,
    ...summaryOf(total),
  };
}

/** Everything in which `other` disagrees with `first`, in one error. */
function checkAgreement(first: LabelledStats, other: LabelledStats): void {
  const a = first.stats;
  const b = other.stats;
  const problems: string[] = [];
  const list = (xs: readonly string[]) => quoteNames(xs);
  const show = (x: unknown) => (x === 'cumulative' ? 'null (cumulative)' : JSON.stringify(x));

  if (a.features && b.features) {
    // Sets: includes() in a loop took seconds for tens of thousands of features.
    const inA = new Set(a.features);
    const inB = new Set(b.features);
    const missing = a.features.filter((n) => !inB.has(n));
    const extra = b.features.filter((n) => !inA.has(n));
    if (missing.length > 0 || extra.length > 0) {
      problems.push(`features differ (missing here: ${missing.length ? list(missing) : 'none'}; only here: ${extra.length ? list(extra) : 'none'})`);
    } else if (a.features.join('\u0000') !== b.features.join('\u0000')) {
      problems.push(`features are in another order: ${list(b.features)} here, ${list(a.features)} there`);
    }
  } else if (a.features || b.features) {
    problems.push(`one file names its features and the other does not`);
  } else if (a.mean.length !== b.mean.length) {
    problems.push(`${b.mean.length} features here, ${a.mean.length} there`);
  }
  if (problems.length === 0) {
    const names = a.features ?? a.mean.map((_, f) => `#${f + 1}`);
    for (const [key, what] of [['weight', 'weight (γ)'], ['bias', 'bias (β)']] as const) {
      const differ = names.flatMap((name, f) => (a[key][f] === b[key][f] ? [] : [`${quoteText(name)}: ${b[key][f]} here, ${a[key][f]} there`]));
      if (differ.length > 0) problems.push(`${what} differs for ${differ.join(', ')}`);
    }
  }
  for (const key of ['eps', 'momentum', 'preset'] as const) {
    if (a[key] !== b[key]) problems.push(`${key} differs: ${show(b[key])} here, ${show(a[key])} there`);
  }
  if (problems.length > 0) {
    throw new BnError('BN_STATS_MISMATCH', `cannot merge with ${first.label}: ${problems.join('; ')}`, { file: other.label });
  }
}
