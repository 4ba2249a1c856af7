// AssemblyScript (compiled to WebAssembly by scripts/build-wasm.mjs; see src/io/fast/numeric-block.ts).
//
// Many common numeric CSV lines parsed in one call: what src/io/fast/numeric-lines.ts does for
// one line. Each feature field must be `[+-]digits[.digits][(e|E)[+-]digits]` whose digits
// make an integer below 2^53 (at most 19 of them) and whose power of ten is within ±22 (Clinger's
// case: one exact integer, one exact power of ten, one IEEE operation, so the double
// parseDecimalBytes gives); any other field is text, unquoted without a quote or a CR, or quoted
// whole on the line (`"a, ""b"""`). Any other line — an empty feature, a marker, more digits, a
// bigger exponent, a quote or a CR out of place, a line break inside quotes — stops the call at
// its start, and the caller reads it its own way.

/** 10^0 … 10^22: the powers of ten that are exact doubles. */
const POWERS: StaticArray<f64> = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];

const LF: i32 = 0x0a;
// Kinds of field, as src/io/fast/csv-scanner.ts's FieldKind.
const PLAIN: u8 = 0;
const QUOTED: u8 = 1;
const ESCAPED: u8 = 2;
const CR: i32 = 0x0d;
const QUOTE: i32 = 0x22;
const PLUS: i32 = 0x2b;
const MINUS: i32 = 0x2d;
const DOT: i32 = 0x2e;
const ZERO: i32 = 0x30;
const LOWER_E: i32 = 0x65;
const TWO_TO_53: u64 = 1 << 53;

/** What shortNumber read: the value, and where the field ends (at its separator). */
let shortValue: f64 = 0;
let shortEnd: usize = 0;

/**
 * A feature field of the common form `[+-]digits[.digits]`, shorter than 16 bytes and followed by
 * `separator`, read without a loop over its bytes: 16-byte compares find its end, its point and
 * whether every other byte is a digit; the digits on either side of the point are joined eight
 * at a time (digitsValue). Byte by byte, the exit of each run of digits depends on the data and
 * is mispredicted about once a field; this has no such branch for the common case, so the
 * processor overlaps one field with the next. Takes only what the byte loop would take, with the
 * same double (at most 15 digits, so below 2^53; Clinger's case); anything else (an exponent,
 * 16 bytes or more, another separator) returns false and the byte loop reads the field.
 * `delimiters`: the delimiter in each of 16 bytes (made once a call of parse). The field and the
 * 16 bytes from it lie in memory the caller gave (the window has room for a read past its end).
 */
@inline function shortNumber(p: usize, delimiters: v128, separator: i32): bool {
  const bytes = v128.load(p);
  const ends = i8x16.bitmask(v128.or(i8x16.eq(bytes, delimiters), i8x16.eq(bytes, i8x16.splat(<i8>LF))));
  if (ends == 0) return false;
  const length = ctz(ends);
  if (<i32>load<u8>(p + length) != separator) return false;
  const first = <i32>load<u8>(p);
  const sign: i32 = first == MINUS || first == PLUS ? 1 : 0;
  const field = ((1 << length) - 1) & ~((1 << sign) - 1);
  const digits = i8x16.bitmask(i8x16.lt_u(i8x16.sub(bytes, i8x16.splat(<i8>ZERO)), i8x16.splat(10))) & field;
  const points = i8x16.bitmask(i8x16.eq(bytes, i8x16.splat(<i8>DOT))) & field;
  // Every byte a digit but at most one point, and a digit at least.
  if ((digits | points) != field || (points & (points - 1)) != 0 || digits == 0) return false;
  const point = points != 0 ? ctz(points) : length;
  const fraction = points != 0 ? length - point - 1 : 0;
  const mantissa = digitsAt(p + <usize>sign, point - sign) * unchecked(SCALES[fraction]) + digitsAt(p + <usize>point + 1, fraction);
  const value = <f64>mantissa / unchecked(POWERS[fraction]);
  shortValue = first == MINUS ? -value : value;
  shortEnd = p + <usize>length;
  return true;
}

/** The integer that the n digits (0 to 15) at `at` write: eight at a time. */
@inline function digitsAt(at: usize, n: i32): u64 {
  if (n <= 8) return n == 0 ? 0 : digitsValue(load<u64>(at), n);
  return digitsValue(load<u64>(at), 8) * unchecked(SCALES[n - 8]) + digitsValue(load<u64>(at + 8), n - 8);
}

/** 10^0 … 10^15 as integers. */
const SCALES: StaticArray<u64> = [
  1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000, 10000000000, 100000000000, 1000000000000,
  10000000000000, 100000000000000, 1000000000000000,
];

/**
 * The integer the first n (1 to 8) bytes of `word` write as digits (read little-endian: its first
 * byte is the lowest): the bytes after them shifted out, zeros (leading zeros) shifted in, then
 * digits joined pairwise: two, four, eight at a time.
 */
@inline function digitsValue(word: u64, n: i32): u64 {
  let v = word << (<u64>(8 - n) << 3);
  v = ((v & 0x0f0f0f0f0f0f0f0f) * 2561) >> 8;
  v = ((v & 0x00ff00ff00ff00ff) * 6553601) >> 16;
  return ((v & 0x0000ffff0000ffff) * 42949672960001) >> 32;
}

/** Where the first line not read starts (an offset from `start`), after `parse`. */
export let stopped: i32 = 0;

/** Where memory free for the caller begins (above this module's constants). */
export function freeMemory(): usize {
  return (__heap_base + 15) & ~15;
}

/**
 * Reads lines from bytes [start, end) — which must end with an LF — into `out`: the value of
 * column j on line r at f64 index j·rowRoom + r. `isFeature` holds one byte a column (1: a
 * feature, parsed; 0: text, skipped). With `starts` (not 0), each field's range and kind too,
 * for a caller that keeps records: field j of line r from i32 starts[r·width + j] to
 * ends[r·width + j] (as addresses plus `base`; a quoted field's text between its quotes), its
 * kind at u8 kinds[r·width + j]. Stops after `rowRoom` lines, at `end`, or at the first line it
 * does not take. Returns the lines read; `stopped` says where the next starts.
 */
export function parse(start: usize, end: usize, width: i32, delimiter: i32, isFeature: usize, out: usize, rowRoom: i32, starts: usize, ends: usize, kinds: usize, base: i32): i32 {
  let p = start;
  let row = 0;
  const delimiters = i8x16.splat(<i8>delimiter);
  while (row < rowRoom && p < end) {
    const lineStart = p;
    let ok = load<u8>(p) != LF; // an empty line is blank to the scanner, not a record
    for (let j = 0; ok && j < width; j++) {
      let fieldStart = p;
      let fieldEnd: usize = 0;
      let kind = PLAIN;
      let c = <i32>load<u8>(p);
      const feature = load<u8>(isFeature + <usize>j) != 0;
      if (feature && shortNumber(p, delimiters, j < width - 1 ? delimiter : LF)) {
        // The common case, without a loop over its bytes (see shortNumber).
        store<f64>(out + ((<usize>j * <usize>rowRoom + <usize>row) << 3), shortValue);
        p = shortEnd;
        c = <i32>load<u8>(p);
      } else if (feature) {
        let negative = false;
        if (c == MINUS || c == PLUS) {
          negative = c == MINUS;
          c = <i32>load<u8>(++p);
        }
        let mantissa: u64 = 0;
        let digits = 0;
        let d = c - ZERO;
        while (<u32>d <= 9) {
          mantissa = mantissa * 10 + <u64>d;
          digits++;
          d = (c = <i32>load<u8>(++p)) - ZERO;
        }
        let fraction = 0;
        if (c == DOT) {
          d = (c = <i32>load<u8>(++p)) - ZERO;
          while (<u32>d <= 9) {
            mantissa = mantissa * 10 + <u64>d;
            fraction++;
            d = (c = <i32>load<u8>(++p)) - ZERO;
          }
        }
        digits += fraction;
        let exponent = 0;
        if ((c | 0x20) == LOWER_E) {
          c = <i32>load<u8>(++p);
          let exponentNegative = false;
          if (c == MINUS || c == PLUS) {
            exponentNegative = c == MINUS;
            c = <i32>load<u8>(++p);
          }
          d = c - ZERO;
          if (<u32>d > 9) {
            ok = false;
            break;
          }
          while (<u32>d <= 9) {
            if (exponent < 1000) exponent = exponent * 10 + d;
            d = (c = <i32>load<u8>(++p)) - ZERO;
          }
          if (exponentNegative) exponent = -exponent;
        }
        const power = exponent - fraction;
        // 19 digits or fewer cannot wrap a u64; below 2^53 the integer is an exact double.
        if (digits == 0 || digits > 19 || mantissa >= TWO_TO_53 || power < -22 || power > 22) {
          ok = false;
          break;
        }
        let value = power >= 0 ? <f64>mantissa * unchecked(POWERS[power]) : <f64>mantissa / unchecked(POWERS[-power]);
        store<f64>(out + ((<usize>j * <usize>rowRoom + <usize>row) << 3), negative ? -value : value);
      } else if (c == QUOTE) {
        // Quoted text on one line: its text between the quotes, as the scanner records it.
        fieldStart = ++p;
        kind = QUOTED;
        for (;;) {
          c = <i32>load<u8>(p);
          if (c == QUOTE) {
            if (<i32>load<u8>(p + 1) != QUOTE) break;
            kind = ESCAPED;
            p += 2;
          } else if (c == LF || c == CR) {
            ok = false;
            break;
          } else {
            p++;
          }
        }
        if (!ok) break;
        fieldEnd = p;
        c = <i32>load<u8>(++p); // after the closing quote: the delimiter or the line break must follow
      } else {
        while (c != delimiter && c != LF) {
          if (c == QUOTE || c == CR) {
            ok = false;
            break;
          }
          c = <i32>load<u8>(++p);
        }
        if (!ok) break;
      }
      // After the field: the delimiter, or for the last one the line break.
      if (c != (j < width - 1 ? delimiter : LF)) {
        ok = false;
        break;
      }
      if (starts != 0) {
        const cell = <usize>row * <usize>width + <usize>j;
        store<i32>(starts + (cell << 2), <i32>fieldStart + base);
        store<i32>(ends + (cell << 2), <i32>(kind == PLAIN ? p : fieldEnd) + base);
        store<u8>(kinds + cell, kind);
      }
      p++;
    }
    if (!ok) {
      p = lineStart;
      break;
    }
    row++;
  }
  stopped = <i32>(p - start);
  return row;
}
