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
  while (row < rowRoom && p < end) {
    const lineStart = p;
    let ok = load<u8>(p) != LF; // an empty line is blank to the scanner, not a record
    for (let j = 0; ok && j < width; j++) {
      let fieldStart = p;
      let fieldEnd: usize = 0;
      let kind = PLAIN;
      let c = <i32>load<u8>(p);
      if (load<u8>(isFeature + <usize>j) != 0) {
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
