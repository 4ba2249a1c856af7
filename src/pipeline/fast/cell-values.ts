/**
 * The value of a feature cell straight from the bytes of a scanned CSV record, exactly as
 * FeaturePlan.value gives it from the cell's text (tests compare the two): parseDecimalBytes
 * where the cell is plain digits, and the text path (decode, then FeaturePlan) for everything
 * else — missing markers, invalid values, overflow, escaped quotes — which also makes the error.
 */
import type { ErrorLocation } from '../../errors.js';
import type { Row } from '../../io/table.js';
import { FieldKind, type CsvFields } from '../../io/fast/csv-scanner.js';
import { parseDecimalBytes } from '../../io/fast/decimal.js';
import { classifyNumber } from '../../io/numbers.js';
import type { FeaturePlan } from '../feature-plan.js';

/**
 * The values of the missing-value markers that are themselves numbers (`--na-values -999`):
 * a cell that parses to one of them must be looked at as text ("-999" is missing, "-999.0" is
 * not). Null when no marker is a number, the usual case: then no number is ever looked at twice.
 */
export function numericMarkers(naValues: readonly string[]): Set<number> | null {
  const values = new Set<number>();
  for (const marker of naValues) {
    const parsed = classifyNumber(marker);
    if (parsed.kind === 'number') values.add(parsed.value);
  }
  return values.size > 0 ? values : null;
}

export class CellValues {
  /** A row for FeaturePlan's messages: only the line counts for CSV. */
  private readonly row: Row = { cells: [], line: 0 };

  constructor(
    private readonly plan: FeaturePlan,
    private readonly markers: Set<number> | null,
  ) {}

  /** Some missing marker is a number: then a parsed number may be a marker (NumericLines cannot tell). */
  get hasNumericMarkers(): boolean {
    return this.markers !== null;
  }

  /** Field j of `record` as a feature value: a finite number, or NaN when missing. Throws on anything else. */
  value(record: CsvFields, j: number): number {
    const x = record.kind(j) <= FieldKind.Quoted ? parseDecimalBytes(record.buffer, record.start(j), record.end(j)) : Number.NaN;
    // NaN (not plain digits) and ±Infinity (overflow) go the text way, as do numeric markers.
    if (x - x === 0 && (this.markers === null || !this.markers.has(x))) return x;
    return this.fromText(record, j);
  }

  /** Where field j of `record` is, for a message: as FeaturePlan names it. */
  where(record: CsvFields, j: number): ErrorLocation {
    this.row.line = record.line;
    return this.plan.where(j, this.row);
  }

  private fromText(record: CsvFields, j: number): number {
    this.row.line = record.line;
    return this.plan.value(record.text(j), j, this.row);
  }
}
