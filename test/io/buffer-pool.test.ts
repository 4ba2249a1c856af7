/**
 * src/io/buffer-pool.ts: buffers given back are handed out again (exact ones for the same length
 * only, loose ones for a length they hold without wasting more than half), and no more than the
 * pool's limit is kept.
 */
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../src/io/buffer-pool.js';

describe('BufferPool', () => {
  it('exact: a buffer given back serves the next request of its length, and no other', () => {
    const pool = new BufferPool(1 << 20);
    const a = pool.exact(800);
    pool.giveBack([{ buffer: a, exact: true }]);
    expect(pool.exact(640)).not.toBe(a);
    expect(pool.exact(800)).toBe(a);
    expect(pool.exact(800)).not.toBe(a); // handed out once only
  });

  it('atLeast: a view of exactly the length asked, on a buffer given back when it is long enough but not twice as long', () => {
    const pool = new BufferPool(1 << 20);
    const first = pool.atLeast(1000);
    expect(first.length).toBe(1000);
    expect(first.buffer.byteLength).toBeGreaterThan(1000); // room to spare for a longer page next time
    pool.giveBack([{ buffer: first.buffer as ArrayBuffer, exact: false }]);
    expect(pool.atLeast(400).buffer).not.toBe(first.buffer); // would waste more than half
    const again = pool.atLeast(1100);
    expect(again.buffer).toBe(first.buffer);
    expect(again.length).toBe(1100);
  });

  it('keeps no more than its limit: the buffers given back longest ago are left to the collector first', () => {
    const pool = new BufferPool(1000);
    const a = pool.exact(600);
    const b = pool.exact(600);
    pool.giveBack([{ buffer: a, exact: true }]);
    pool.giveBack([{ buffer: b, exact: true }]);
    expect(pool.exact(600)).toBe(b);
    expect(pool.exact(600)).not.toBe(a);
    // A length that no longer comes up does not hold the room of one that does.
    const odd = pool.exact(900);
    pool.giveBack([{ buffer: odd, exact: true }]);
    const c = pool.exact(500);
    pool.giveBack([{ buffer: c, exact: true }]);
    expect(pool.exact(500)).toBe(c);
    expect(pool.exact(900)).not.toBe(odd);
  });
});
