/**
 * src/io/parquet-memory.ts: a kept block's buffers are handed out again only once given back
 * (at its release, or by `done` during its read); a block that lives until the next reads into
 * the arena, whatever `done` is told.
 */
import { describe, expect, it } from 'vitest';
import { GroupMemory } from '../../src/io/parquet-memory.js';

describe('GroupMemory', () => {
  it('kept: a block’s buffers serve a later read once it gives them back, not before', async () => {
    const memory = new GroupMemory();
    const first = await memory.read('kept', async () => [memory.page(1000), memory.page(500, true)]);
    expect(first.kept.map((k) => k.buffer)).toEqual(first.value.map((b) => b.buffer));
    const second = await memory.read('kept', async () => memory.page(1000));
    expect(second.value.buffer).not.toBe(first.value[0]!.buffer);
    memory.giveBack(first.kept);
    const third = await memory.read('kept', async () => [memory.page(1000), memory.page(480, true)]);
    expect(third.value[0]!.buffer).toBe(first.value[0]!.buffer);
    expect(third.value[1]!.buffer).toBe(first.value[1]!.buffer);
  });

  it('done: a buffer copied during the read goes back at once, once; one not handed out by this read is left alone', async () => {
    const memory = new GroupMemory();
    const { value, kept } = await memory.read('kept', async () => {
      const page = memory.page(800, true);
      memory.done(page);
      memory.done(page);
      memory.done(new Uint8Array(800));
      // The same read's next page of that size takes it.
      return [page, memory.page(800, true)];
    });
    expect(value[1]!.buffer).toBe(value[0]!.buffer);
    expect(kept).toHaveLength(1);
  });

  it('until-next: pages come from the arena, the same ones read after read; done gives nothing to the pool', async () => {
    const memory = new GroupMemory();
    const first = await memory.read('until-next', async () => {
      const page = memory.page(640, true);
      memory.done(page);
      return page;
    });
    expect(first.kept).toHaveLength(0);
    const second = await memory.read('until-next', async () => memory.page(640, true));
    expect(second.value.buffer).toBe(first.value.buffer);
  });
});
