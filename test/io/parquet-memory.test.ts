/**
 * src/io/parquet-memory.ts: a kept block's buffers are handed out again only once given back
 * (at its release, or by `keepOnly` during its read); a block that lives until the next reads into
 * the arena, whatever `keepOnly` is told.
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

  it('keepOnly: of the buffers handed out since the mark, those not viewed go back at once; earlier ones stay', async () => {
    const memory = new GroupMemory();
    const { value, kept } = await memory.read('kept', async () => {
      const before = memory.page(700, true);
      const mark = memory.mark();
      const page = memory.page(800, true);
      const values = memory.page(900, true);
      const exact = memory.page(300);
      memory.keepOnly(mark, [values.buffer as ArrayBuffer]);
      // The same read's next pages of those sizes take them; the earlier one and the viewed one are not handed out.
      return { before, page, values, exact, again: memory.page(800, true), exactAgain: memory.page(300), other: memory.page(700, true) };
    });
    expect(value.again.buffer).toBe(value.page.buffer);
    expect(value.exactAgain.buffer).toBe(value.exact.buffer);
    expect(value.other.buffer).not.toBe(value.before.buffer);
    expect(value.other.buffer).not.toBe(value.values.buffer);
    expect(kept.map((k) => k.buffer)).toEqual([value.before, value.values, value.again, value.exactAgain, value.other].map((b) => b.buffer));
  });

  it('until-next: pages come from the arena, the same ones read after read; keepOnly gives nothing to the pool', async () => {
    const memory = new GroupMemory();
    const first = await memory.read('until-next', async () => {
      const mark = memory.mark();
      const page = memory.page(640, true);
      memory.keepOnly(mark, []);
      return page;
    });
    expect(first.kept).toHaveLength(0);
    const second = await memory.read('until-next', async () => memory.page(640, true));
    expect(second.value.buffer).toBe(first.value.buffer);
  });
});
