/**
 * src/io/text-cells.ts: cells decode as TextDecoder decodes their bytes, nulls stay null through
 * every way cells are put together, and only non-empty ASCII cells are handed to a writer as bytes.
 */
import { describe, expect, it } from 'vitest';
import { CsvBytesWriter } from '../../src/io/fast/csv-bytes-writer.js';
import { TextCells } from '../../src/io/text-cells.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

/** Cells over one buffer holding `texts` one after the other (null: a null cell). */
function cellsOf(texts: (string | Uint8Array | null)[]): TextCells {
  const parts = texts.map((t) => (t === null ? new Uint8Array(0) : typeof t === 'string' ? utf8(t) : t));
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length + 1, 0));
  const starts = new Int32Array(texts.length);
  const ends = new Int32Array(texts.length);
  let at = 1; // the cells do not start at the buffer's start
  parts.forEach((part, i) => {
    bytes.set(part, at);
    starts[i] = texts[i] === null ? -1 : at;
    ends[i] = at + part.length;
    at += part.length;
  });
  return new TextCells(bytes, starts, ends);
}

describe('TextCells', () => {
  it('text(): ASCII, non-ASCII, a leading byte order mark, malformed bytes, empty and null, as TextDecoder decodes them', () => {
    const raw: (string | Uint8Array | null)[] = ['plain', 'naïve ça', '\uFEFFbom', Uint8Array.of(0x61, 0xff, 0x62), '', null, '日本'];
    const cells = cellsOf(raw);
    const decoder = new TextDecoder();
    expect(cells.toArray()).toEqual(raw.map((t) => (t === null ? null : decoder.decode(typeof t === 'string' ? utf8(t) : t))));
    expect(cells.text(2)).toBe('bom');
    expect(cells.text(3)).toBe('a\uFFFDb');
  });

  it('writeAscii(): writes non-empty ASCII cells as their bytes, quoted where they must be; others are left to the caller', () => {
    const cells = cellsOf(['abc', 'é', '', null, 'a,"b"', 'two\nlines']);
    const out = new CsvBytesWriter(','.charCodeAt(0));
    expect([0, 1, 2, 3, 4, 5].map((i) => cells.writeAscii(i, out))).toEqual([true, false, false, false, true, true]);
    expect(out.bytes().toString()).toBe('abc"a,""b""""two\nlines"');
  });

  it('spread(), slice() and join() keep each cell and each null where it belongs', () => {
    const dictionary = cellsOf(['red', 'green', 'blue']);
    // Entries 2, 0, 0, 1 of the dictionary, on its bytes (as a page by dictionary is read).
    const pick = (indices: number[]) => new TextCells(dictionary.bytes, Int32Array.from(indices, (k) => dictionary.starts[k]!), Int32Array.from(indices, (k) => dictionary.ends[k]!));
    const looked = pick([2, 0, 0, 1]);
    expect(looked.toArray()).toEqual(['blue', 'red', 'red', 'green']);
    const spread = looked.spread(Uint8Array.of(1, 0, 1, 1, 0, 1), 1, 6);
    expect(spread.toArray()).toEqual(['blue', null, 'red', 'red', null, 'green']);
    expect(() => looked.spread(Uint8Array.of(1, 0, 1), 1, 3)).toThrow(/4 values has 2 defined/);
    expect(() => looked.spread(Uint8Array.of(1, 1, 1, 1, 1), 1, 5)).toThrow(/4 values has more defined/);
    expect(spread.slice(3).toArray()).toEqual(['blue', null, 'red']);
    // Parts on one buffer (a dictionary's pages) share it; parts on several are copied into one,
    // each buffer once however many parts view it (pages by dictionary, then PLAIN ones).
    const shared = TextCells.join([looked, spread]);
    expect(shared.bytes.buffer).toBe(dictionary.bytes.buffer);
    expect(shared.bytes.byteLength).toBe(dictionary.bytes.byteLength);
    expect(shared.toArray()).toEqual([...looked.toArray(), ...spread.toArray()]);
    const plain = cellsOf([null, 'naïve', 'x']);
    const copied = TextCells.join([spread, looked, plain, pick([1]), plain]);
    expect(copied.bytes.length).toBe(dictionary.bytes.length + plain.bytes.length);
    expect(copied.toArray()).toEqual([...spread.toArray(), ...looked.toArray(), ...plain.toArray(), 'green', ...plain.toArray()]);
  });

  it('join() of pages that view one buffer at different places (decompressed one after the other into it) copies nothing', () => {
    const region = new Uint8Array(64);
    // Two pages in the region, with a gap between them and bytes after, joined in reverse order too.
    const page = (at: number, texts: (string | null)[]) => {
      const cells = cellsOf(texts);
      region.set(cells.bytes, at);
      return new TextCells(region.subarray(at, at + cells.bytes.length), cells.starts, cells.ends);
    };
    const first = page(3, ['ab', null, 'ç']);
    const second = page(20, ['xyz', '']);
    for (const parts of [[first, second], [second, first]]) {
      const joined = TextCells.join(parts);
      expect(joined.bytes.buffer).toBe(region.buffer);
      expect(joined.toArray()).toEqual(parts.flatMap((part) => part.toArray()));
    }
    // A part of no bytes (a page of nulls) on another buffer does not stop the sharing.
    const nulls = new TextCells(new Uint8Array(0), Int32Array.of(-1, -1, 0), Int32Array.of(0, 0, 0));
    const withNulls = TextCells.join([first, nulls, second]);
    expect(withNulls.bytes.buffer).toBe(region.buffer);
    expect(withNulls.toArray()).toEqual(['ab', null, 'ç', null, null, '', 'xyz', '']);
    // With a part on another buffer: copied, each once.
    const other = cellsOf(['q']);
    const mixed = TextCells.join([first, other, second]);
    expect(mixed.bytes.buffer).not.toBe(region.buffer);
    expect(mixed.toArray()).toEqual(['ab', null, 'ç', 'q', 'xyz', '']);
    expect(TextCells.join([]).length).toBe(0);
  });
});
