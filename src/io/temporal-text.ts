/**
 * The text of a typed input's dates, times, timestamps and binary values, for a pass-through
 * cell written as text (SPEC §4: preserved exactly): every digit the file holds, none made up.
 *
 * - A date: `YYYY-MM-DD` (proleptic Gregorian, as ISO 8601 and every database write it).
 * - A timestamp: `YYYY-MM-DDTHH:MM:SS` and as many fraction digits as its unit has (3 for
 *   milliseconds, 6 for microseconds, 9 for nanoseconds), with `Z` when the file says it is UTC;
 *   a JavaScript Date would keep milliseconds only.
 * - A time of day: `HH:MM:SS` and its unit's fraction digits, with `Z` when the file says it is UTC
 *   (a Parquet TIME adjusted to UTC, DuckDB's TIME WITH TIME ZONE).
 * - Binary: its text when it is UTF-8, else each byte outside printable ASCII as `\xHH` (and `\`
 *   as `\\`), as DuckDB writes a BLOB: the same bytes, read back by any tool that reads those.
 *
 * Integer arithmetic on BigInt throughout: a nanosecond timestamp is beyond 2^53.
 */

import type { Temporal, TimeUnit } from './column-types.js';

const DIGITS: Record<TimeUnit, number> = { SECOND: 0, MILLIS: 3, MICROS: 6, NANOS: 9 };
const PER_SECOND: Record<TimeUnit, bigint> = { SECOND: 1n, MILLIS: 1000n, MICROS: 1_000_000n, NANOS: 1_000_000_000n };
const SECONDS_PER_DAY = 86_400n;

/** A typed column's date, time or timestamp (its integer; an interval's 12 bytes) as text. */
export function temporalText(t: Temporal, value: number | bigint | Uint8Array): string {
  if (value instanceof Uint8Array) return intervalText(value);
  if (t.of === 'interval') throw new RangeError('an interval is 12 bytes');
  if (t.unit === 'DAY') return dateText(value);
  if (t.of === 'date') return dateText(floorDiv(BigInt(value), SECONDS_PER_DAY * PER_SECOND[t.unit]));
  if (t.of === 'duration') return durationText(value, t.unit);
  if (t.of === 'time') return `${timeText(value, t.unit)}${t.utc ? 'Z' : ''}`;
  return timestampText(value, t.unit, t.utc);
}

/** Days since 1970-01-01 as `YYYY-MM-DD` (Howard Hinnant's civil_from_days, exact for any int32). */
export function dateText(days: number | bigint): string {
  const z = BigInt(days) + 719_468n;
  const era = (z >= 0n ? z : z - 146_096n) / 146_097n;
  const doe = z - era * 146_097n;
  const yoe = (doe - doe / 1_460n + doe / 36_524n - doe / 146_096n) / 365n;
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
  const mp = (5n * doy + 2n) / 153n;
  const day = doy - (153n * mp + 2n) / 5n + 1n;
  const month = mp < 10n ? mp + 3n : mp - 9n;
  const year = yoe + era * 400n + (month <= 2n ? 1n : 0n);
  return `${yearText(year)}-${two(month)}-${two(day)}`;
}

/** A timestamp of `unit`s since 1970-01-01T00:00:00 as ISO 8601, `Z` when `utc`. */
export function timestampText(value: number | bigint, unit: TimeUnit, utc: boolean): string {
  const perDay = SECONDS_PER_DAY * PER_SECOND[unit];
  const v = BigInt(value);
  const days = floorDiv(v, perDay);
  return `${dateText(days)}T${timeText(v - days * perDay, unit)}${utc ? 'Z' : ''}`;
}

/** A time of day, `unit`s since midnight, as `HH:MM:SS[.fraction]`. */
export function timeText(value: number | bigint, unit: TimeUnit): string {
  return timeOfSeconds(BigInt(value), unit, (seconds) => `${two(seconds / 3600n)}:${two((seconds / 60n) % 60n)}:${two(seconds % 60n)}`);
}

/** `v` units as its whole seconds written by `whole`, then a point and the unit's fraction digits (none for SECOND). */
function timeOfSeconds(v: bigint, unit: TimeUnit, whole: (seconds: bigint) => string): string {
  const per = PER_SECOND[unit];
  const seconds = floorDiv(v, per);
  const fraction = v - seconds * per;
  return DIGITS[unit] === 0 ? whole(seconds) : `${whole(seconds)}.${fraction.toString().padStart(DIGITS[unit], '0')}`;
}

/**
 * Arrow's Duration, a signed count of `unit`s, as an ISO 8601 duration in seconds with the unit's
 * fraction digits: 1500 milliseconds `PT1.500S`, −250 `-PT0.250S` (the sign before it all, as
 * ISO 8601-2 writes a negative duration). A bare count would lose its unit.
 */
export function durationText(value: number | bigint, unit: TimeUnit): string {
  const v = BigInt(value);
  const sign = v < 0n ? '-' : '';
  return `${sign}PT${timeOfSeconds(v < 0n ? -v : v, unit, String)}S`;
}

/**
 * Parquet's INTERVAL (months, days and milliseconds, three little-endian uint32) as an ISO 8601
 * duration, `P1M2DT3.004S`: each part kept apart, as the file keeps them (a month has no fixed length).
 */
export function intervalText(bytes: Uint8Array): string {
  if (bytes.length !== 12) throw new RangeError(`an interval is 12 bytes, not ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, 12);
  const millis = view.getUint32(8, true);
  const seconds = `${Math.floor(millis / 1000)}${millis % 1000 === 0 ? '' : `.${String(millis % 1000).padStart(3, '0').replace(/0+$/, '')}`}`;
  return `P${view.getUint32(0, true)}M${view.getUint32(4, true)}DT${seconds}S`;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Binary as text: its UTF-8 text, or DuckDB's escapes where it is not UTF-8. */
export function bytesText(bytes: Uint8Array): string {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    let text = '';
    for (const b of bytes) {
      if (b === 0x5c) text += '\\\\';
      else if (b >= 0x20 && b < 0x7f) text += String.fromCharCode(b);
      else text += `\\x${b.toString(16).toUpperCase().padStart(2, '0')}`;
    }
    return text;
  }
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

function two(n: bigint): string {
  return n.toString().padStart(2, '0');
}

/** Four digits at least; a year before 1 as ISO 8601's expanded form (-0001). */
function yearText(year: bigint): string {
  return year < 0n ? `-${(-year).toString().padStart(4, '0')}` : year.toString().padStart(4, '0');
}

/**
 * The inverse of temporalText, for a writer of a typed format: the integer a date (days), time
 * or timestamp (its unit's) text says, or undefined for text that is none (bn writes only what
 * temporalText made). A date is days whatever its unit was (Arrow's date64 is written as date32).
 */
export function temporalValue(t: Temporal, text: string): number | bigint | undefined {
  if (t.of === 'date') {
    const m = DATE.exec(text);
    return m ? daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
  }
  const unit = t.unit;
  // Intervals and durations are written as text (./typed-columns.ts).
  if (unit === 'DAY' || t.of === 'interval' || t.of === 'duration') return undefined;
  const per = PER_SECOND[unit];
  const fraction = (digits: string | undefined) => BigInt((digits ?? '').padEnd(DIGITS[unit], '0').slice(0, DIGITS[unit]) || '0');
  if (t.of === 'time') {
    const m = TIME.exec(text);
    if (!m) return undefined;
    const v = BigInt(Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) * per + fraction(m[4]);
    return unit === 'MICROS' || unit === 'NANOS' ? v : Number(v);
  }
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const days = BigInt(daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3])));
  const seconds = days * SECONDS_PER_DAY + BigInt(Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6]));
  return seconds * per + fraction(m[7]);
}

const DATE = /^(-?\d{4,})-(\d\d)-(\d\d)$/;
const TIME = /^(\d\d):(\d\d):(\d\d)(?:\.(\d+))?Z?$/;
const TIMESTAMP = /^(-?\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?Z?$/;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}
