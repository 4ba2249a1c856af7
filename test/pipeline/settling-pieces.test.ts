/** settlingPieces: a chunk cut small while the features are not settled, whole after; the pieces are the chunk. */
import { describe, expect, it } from 'vitest';
import { SETTLE_BYTES, settlingPieces } from '../../src/pipeline/fast/csv-pass.js';

const chunk = Uint8Array.from({ length: 5 * SETTLE_BYTES + 123 }, (_, i) => i % 251);
const joined = (pieces: Uint8Array[]) => Buffer.concat(pieces);

describe('settlingPieces', () => {
  it('while settling: pieces of SETTLE_BYTES, the last one the rest; together the chunk', () => {
    const pieces = [...settlingPieces(chunk, () => true)];
    expect(pieces.map((p) => p.length)).toEqual([SETTLE_BYTES, SETTLE_BYTES, SETTLE_BYTES, SETTLE_BYTES, SETTLE_BYTES, 123]);
    expect(joined(pieces).equals(Buffer.from(chunk))).toBe(true);
  });

  it('settled after two pieces: the rest at once', () => {
    let asked = 0;
    const pieces = [...settlingPieces(chunk, () => asked++ < 2)];
    expect(pieces.map((p) => p.length)).toEqual([SETTLE_BYTES, SETTLE_BYTES, 3 * SETTLE_BYTES + 123]);
    expect(joined(pieces).equals(Buffer.from(chunk))).toBe(true);
  });

  it('settled: the chunk itself', () => {
    const pieces = [...settlingPieces(chunk, () => false)];
    expect(pieces).toHaveLength(1);
    expect(pieces[0]).toBe(chunk);
  });
});
