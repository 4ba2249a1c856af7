/**
 * The common line of a numeric CSV, found and parsed in one walk over its bytes: `-0.1234567,
 * 1.25,abc,42` and the like. CsvScanner then parseDecimalBytes visit every byte twice, with a
 * call and a record entry per field between; this does both at once, for the lines it can take,
 * and says no to every other (the caller hands those to CsvScanner). Measured on 5 million
 * numbers: about 120 ms against 300–350 ms for scanner then parser.
 *
 * A line it takes, and exactly as CsvScanner + CellValues would read it:
 * - ends with an LF (the file's record delimiter: CRLF files are not taken) or the end of the bytes;
 * - has exactly `width` fields, none with a quote or a CR (which the scanner marks as special);
 * - each feature field is `[+-]digits[.digits][(e|E)[+-]digits]` (no spaces) whose digits make
 *   an integer below 2^53 and whose power of ten is within ±22: parseDecimalBytes's Clinger case,
 *   computed with the same operations on the same integer and power, so the same double.
 *   Anything else in a feature field — empty or a missing marker, more digits, a larger
 *   exponent, text — makes it a line for the scanner.
 */
import { FieldKind, type CsvRecord } from './csv-scanner.js';
import { DOT, EXACT_POWERS_OF_TEN, LOWER_E, MINUS, PLUS, TWO_TO_53, UPPER_E, ZERO } from './decimal.js';

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/** Characters of a number: as the delimiter, `1.5` would be two fields to the scanner. */
const NUMBER_BYTES = new Set([...'0123456789+-.'].map((c) => c.charCodeAt(0)));

export class NumericLines {
  /** 1 where column j is a feature. */
  private readonly isFeature: Uint8Array;

  /** A reader for these columns, or null when the delimiter can be part of a number. */
  static for(width: number, delimiter: string, features: readonly number[]): NumericLines | null {
    const code = delimiter.charCodeAt(0);
    return NUMBER_BYTES.has(code) ? null : new NumericLines(width, code, features);
  }

  private constructor(
    private readonly width: number,
    private readonly delimiter: number,
    features: readonly number[],
  ) {
    this.isFeature = new Uint8Array(width);
    for (const j of features) this.isFeature[j] = 1;
  }

  /**
   * Reads the line at bytes[pos, end): when it can, fills `record` (its fields, all Plain, and
   * its buffer) and `values` (values[j] for each feature column j) and returns where the next
   * line starts; otherwise returns −1 and `record` and `values` hold nothing of use.
   */
  read(bytes: Buffer, pos: number, end: number, record: CsvRecord, values: Float64Array): number {
    const { width, delimiter, isFeature } = this;
    record.length = 0;
    // An empty line is blank to the scanner (skipped), not a record of one empty field.
    if (pos < end && bytes[pos] === LF) return -1;
    let p = pos;
    for (let j = 0; j < width; j++) {
      const start = p;
      if (isFeature[j] === 1) {
        let c = p < end ? bytes[p]! : LF;
        let negative = false;
        if (c === MINUS || c === PLUS) {
          negative = c === MINUS;
          c = ++p < end ? bytes[p]! : LF;
        }
        let mantissa = 0;
        let digits = 0;
        let d = c - ZERO;
        while (d >= 0 && d <= 9) {
          mantissa = mantissa * 10 + d;
          digits++;
          c = ++p < end ? bytes[p]! : LF;
          d = c - ZERO;
        }
        let fraction = 0;
        if (c === DOT) {
          c = ++p < end ? bytes[p]! : LF;
          d = c - ZERO;
          while (d >= 0 && d <= 9) {
            mantissa = mantissa * 10 + d;
            fraction++;
            c = ++p < end ? bytes[p]! : LF;
            d = c - ZERO;
          }
        }
        digits += fraction;
        let exponent = 0;
        if (c === LOWER_E || c === UPPER_E) {
          c = ++p < end ? bytes[p]! : LF;
          let exponentNegative = false;
          if (c === MINUS || c === PLUS) {
            exponentNegative = c === MINUS;
            c = ++p < end ? bytes[p]! : LF;
          }
          d = c - ZERO;
          if (!(d >= 0 && d <= 9)) return -1;
          while (d >= 0 && d <= 9) {
            if (exponent < 1000) exponent = exponent * 10 + d;
            c = ++p < end ? bytes[p]! : LF;
            d = c - ZERO;
          }
          if (exponentNegative) exponent = -exponent;
        }
        // parseDecimalBytes's Clinger case, and its very operations; the rest is the scanner's.
        const power = exponent - fraction;
        if (digits === 0 || mantissa >= TWO_TO_53 || power < -22 || power > 22) return -1;
        const value = power >= 0 ? mantissa * EXACT_POWERS_OF_TEN[power]! : mantissa / EXACT_POWERS_OF_TEN[-power]!;
        values[j] = negative ? -value : value;
      } else {
        // Any other field: its bytes, up to the delimiter or the line break.
        while (p < end) {
          const c = bytes[p]!;
          if (c === delimiter || c === LF) break;
          if (c === QUOTE || c === CR) return -1;
          p++;
        }
      }
      record.add(start, p, FieldKind.Plain);
      // After the field: the delimiter, or for the last one the line break (or the end).
      if (j < width - 1) {
        if (p >= end || bytes[p] !== delimiter) return -1;
        p++;
      } else if (p < end) {
        if (bytes[p] !== LF) return -1;
        p++;
      }
    }
    record.buffer = bytes;
    return p;
  }
}
