/**
 * src/io/buffer-arena.ts: buffers come back after a reset, not before; a loose buffer's bytes
 * past what was asked are zeros (no stale data); an exact one is its whole buffer.
 */
import { describe, expect, it } from 'vitest';
import { BufferArena } from '../../src/io/buffer-arena.js';

describe('BufferArena', () => {
  it('hands out the same buffers in the same turns after a reset, distinct ones before', () => {
    const arena = new BufferArena();
    const a = arena.bytes(100);
    const b = arena.bytes(100);
    const c = arena.exact(64);
    expect(a.buffer).not.toBe(b.buffer);
    arena.reset();
    expect(arena.bytes(80).buffer).toBe(a.buffer);
    expect(arena.bytes(100).buffer).toBe(b.buffer);
    expect(arena.exact(64).buffer).toBe(c.buffer);
  });

  it('bytes: exactly the length asked, on a buffer whose rest is zeros; a longer request gets a new buffer', () => {
    const arena = new BufferArena();
    arena.bytes(100).fill(7);
    arena.reset();
    const shorter = arena.bytes(60);
    expect(shorter.length).toBe(60);
    expect(shorter.buffer.byteLength).toBeGreaterThanOrEqual(100);
    expect([...new Uint8Array(shorter.buffer, 60)]).toEqual(new Array(shorter.buffer.byteLength - 60).fill(0));
    arena.reset();
    const longer = arena.bytes(150);
    expect(longer.buffer.byteLength).toBeGreaterThanOrEqual(150);
    expect(longer.buffer).not.toBe(shorter.buffer);
  });

  it('bytes: a new buffer has room to spare, and its rest stays zeros however the lengths asked go up and down', () => {
    const arena = new BufferArena();
    const first = arena.bytes(800);
    expect(first.buffer.byteLength).toBe(900);
    for (const length of [820, 810, 890, 805, 900, 700, 850]) {
      arena.reset();
      const bytes = arena.bytes(length);
      expect(bytes.buffer, `${length} bytes`).toBe(first.buffer);
      expect([...new Uint8Array(bytes.buffer, length)], `past ${length} bytes`).toEqual(new Array(900 - length).fill(0));
      bytes.fill(0xff);
    }
  });

  it('exact: the whole buffer, reused only for the same length', () => {
    const arena = new BufferArena();
    const first = arena.exact(64);
    expect(first.buffer.byteLength).toBe(64);
    arena.reset();
    const other = arena.exact(48);
    expect(other.buffer.byteLength).toBe(48);
    expect(other.buffer).not.toBe(first.buffer);
  });
});
