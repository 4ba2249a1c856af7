/**
 * The buffers a batcher fills a batch in (a slot), as the row batcher (./row-batches.ts) and the
 * column batcher (./column-batches.ts) share them: one slot, or two filled in turn when the
 * consumer holds a batch until the next one (BatchConsumer.holds), so that a held batch stays
 * valid while the other is filled.
 */
import type { BatchConsumer, BatchEnd, RowBatch } from './batch.js';
import type { FeatureColumns } from './feature-columns.js';
import type { FeaturePlan } from './feature-plan.js';

export interface Slot {
  batch: RowBatch;
  columns: FeatureColumns;
}

export class BatchSlots<S extends Slot> {
  private readonly slots: S[];
  private index = 0;
  /** The slot being filled. */
  current: S;
  private generation = -1;

  /** `clear` empties what a slot holds besides its values (its rows, its blocks). */
  constructor(
    private readonly plan: FeaturePlan,
    private readonly consumer: BatchConsumer,
    make: () => S,
    private readonly clear: (slot: S) => void,
  ) {
    this.slots = consumer.holds ? [make(), make()] : [make()];
    this.current = this.slots[0]!;
    this.refreshFeatures();
  }

  /** Hands the current batch on, if it has rows, and moves to the next slot, emptied. */
  flush(end: BatchEnd): void {
    if (this.current.batch.rows === 0) return;
    try {
      this.consumer.batch(this.current.batch, end);
    } finally {
      // A held batch stays as it is: the other slot is filled next.
      if (this.slots.length > 1) {
        this.index = 1 - this.index;
        this.current = this.slots[this.index]!;
      }
      this.current.batch.rows = 0;
      this.clear(this.current);
      // The consumer may have settled the features (training with -b freezes them after a batch).
      this.refreshFeatures();
    }
  }

  /** The plan's features changed since the slot last took them. */
  get stale(): boolean {
    return this.plan.generation !== this.generation;
  }

  refreshFeatures(): void {
    this.generation = this.plan.generation;
    this.current.columns.refresh(this.plan);
  }
}
