/**
 * Running (moving) statistics of Batch Normalization, as kept by PyTorch's BatchNorm1d in its
 * `running_mean`, `running_var` and `num_batches_tracked` buffers (SPEC §3, §5).
 *
 * Convention: PyTorch's. The momentum M weighs the NEW batch:
 *
 *     running ← (1 − M)·running + M·batch
 *
 * (torch.nn.modules.batchnorm._BatchNorm.forward → torch.nn.functional.batch_norm; the CPU kernel
 * in aten/src/ATen/native/Normalization.cpp writes it `momentum * mean + (1 - momentum) * running`,
 * which is the same float64 expression: IEEE addition is commutative.) running_var takes the
 * UNBIASED batch variance Σ(x − μ_B)²/(m − 1) — the kernel's `var_sum / (n - 1)` — although the
 * batch itself is normalized with the biased one. momentum=None in PyTorch is our 'cumulative':
 * M = 1/num_batches_tracked after counting this batch, so after k batches running_mean is the plain
 * average of the k batch means (and running_var of the k unbiased batch variances).
 *
 * Keras (keras.layers.BatchNormalization) writes the same update with the complementary weight:
 *
 *     moving = moving·momentum_keras + batch·(1 − momentum_keras)
 *
 * so Keras's default momentum=0.99 is our M = 0.01, and Keras feeds the BIASED batch variance
 * (ops.moments) into moving_variance: kind 'biased'. (The preset passes M = 0.01 literally; Keras
 * computes 1 − 0.99 = 0.010000000000000009, a difference in the 17th digit.)
 */

/** What an update reads of a batch, feature by feature (a Moments, or a view of some of its columns). */
export interface BatchStatistics {
  readonly width: number;
  count(j: number): number;
  mean(j: number): number;
  variance(j: number): number;
  sampleVariance(j: number): number;
}

/** 0 < M ≤ 1 (weight of the new batch), or 'cumulative' (PyTorch momentum=None). */
export type Momentum = number | 'cumulative';

/** torch: unbiased (÷(m−1)); keras preset: biased (÷m). */
export type RunningVariance = 'unbiased' | 'biased';

/** The BatchNorm1d buffers. Arrays are per feature. */
export interface RunningStats {
  mean: Float64Array;
  var: Float64Array;
  numBatchesTracked: number;
}

/** PyTorch's initial buffers: running_mean 0, running_var 1, num_batches_tracked 0. */
export function initialRunningStats(width: number): RunningStats {
  if (!Number.isInteger(width) || width < 0) {
    throw new RangeError(`initialRunningStats: width must be a non-negative integer, got ${width}`);
  }
  return { mean: new Float64Array(width), var: new Float64Array(width).fill(1), numBatchesTracked: 0 };
}

/**
 * Update after one training batch, given that batch's Moments. Returns a NEW state (input not
 * mutated). running ← (1−M)·running + M·batch; for cumulative M = 1/numBatchesTracked after
 * counting this batch. running_var uses the unbiased batch variance M2/(m−1) or the biased one
 * M2/m per `kind`.
 *
 * Every feature must have at least 2 values in the batch for 'unbiased' (at least 1 for
 * 'biased'); training reports the user-facing error (SPEC §3) before calling, so a violation here
 * is a programming error and throws RangeError, as does a momentum outside (0, 1] or a width
 * mismatch. With `tooFew` 'unknown' (the stats file of a shard, which a merge completes), such a
 * feature's running statistic becomes NaN instead: it does not exist, and stays so.
 */
export function updateRunningStats(
  state: RunningStats,
  batch: BatchStatistics,
  momentum: Momentum,
  kind: RunningVariance,
  tooFew: 'throw' | 'unknown' = 'throw',
): RunningStats {
  const width = state.mean.length;
  if (state.var.length !== width || batch.width !== width) {
    throw new RangeError(
      `updateRunningStats: widths differ (running_mean ${width}, running_var ${state.var.length}, batch ${batch.width})`,
    );
  }
  if (momentum !== 'cumulative' && !(momentum > 0 && momentum <= 1)) {
    throw new RangeError(`updateRunningStats: momentum must be in (0, 1] or 'cumulative', got ${momentum}`);
  }
  const minCount = kind === 'unbiased' ? 2 : 1;
  for (let j = 0; j < width; j++) {
    // Case: too few values for the batch variance (PyTorch raises the same).
    if (batch.count(j) < minCount && tooFew === 'throw') {
      throw new RangeError(
        `updateRunningStats: feature ${j} has ${batch.count(j)} value(s) in the batch; ${kind} variance needs ${minCount}`,
      );
    }
  }

  const numBatchesTracked = state.numBatchesTracked + 1;
  // Case: cumulative average. After counting this batch, M = 1/k; for k = 1 this is 1, so the
  // initial 0/1 buffers are replaced outright by the first batch.
  const m = momentum === 'cumulative' ? 1 / numBatchesTracked : momentum;
  const keep = 1 - m;

  const mean = new Float64Array(width);
  const variance = new Float64Array(width);
  for (let j = 0; j < width; j++) {
    // Case: too few values, tolerated: NaN (none for the mean of an empty feature, none for the
    // variance below minCount), which the updates below carry on.
    const batchMean = batch.mean(j);
    // M2/(m−1) or M2/m, as Moments computes them (M2 itself may overflow where they do not).
    const batchVar = batch.count(j) < minCount ? Number.NaN : kind === 'unbiased' ? batch.sampleVariance(j) : batch.variance(j);
    // Exponential moving average, PyTorch's operation order: (1 − M)·running + M·batch.
    mean[j] = keep * state.mean[j]! + m * batchMean;
    variance[j] = keep * state.var[j]! + m * batchVar;
  }
  return { mean, var: variance, numBatchesTracked };
}
