/**
 * Dates, times and timestamps of typed inputs as text: against JavaScript's Date (its own
 * calendar code) where Date can say it, and exact digits where it cannot (beyond milliseconds).
 */
import { describe, expect, it } from 'vitest';
import { bytesText, dateText, durationText, intervalText, temporalText, temporalValue, timestampText, timeText } from '../../src/io/temporal-text.js';

describe('dateText', () => {
  it('agrees with Date for every 97th day from 100,000 days before 1970 to 100,000 after, and at the edges of Date\'s years', () => {
    for (let days = -100_000; days <= 100_000; days += 97) {
      expect(dateText(days), String(days)).toBe(new Date(days * 86_400_000).toISOString().slice(0, 10));
    }
    expect(dateText(0)).toBe('1970-01-01');
    expect(dateText(-1)).toBe('1969-12-31');
    expect(dateText(11_016)).toBe('2000-02-29');
    expect(dateText(-719_162)).toBe('0001-01-01');
    expect(dateText(2_932_896)).toBe('9999-12-31');
  });
});

describe('timestampText and timeText', () => {
  it('keeps every digit of its unit, before 1970 too (floor, not truncation)', () => {
    expect(timestampText(1_577_836_800_123_456n, 'MICROS', false)).toBe('2020-01-01T00:00:00.123456');
    expect(timestampText(1_577_836_800_123_456_789n, 'NANOS', true)).toBe('2020-01-01T00:00:00.123456789Z');
    expect(timestampText(-1n, 'NANOS', true)).toBe('1969-12-31T23:59:59.999999999Z');
    expect(timestampText(-1, 'MILLIS', false)).toBe('1969-12-31T23:59:59.999');
    expect(timestampText(86_399, 'SECOND', false)).toBe('1970-01-01T23:59:59');
  });

  it('agrees with Date at millisecond precision on 2,000 spread instants', () => {
    for (let k = -1000; k < 1000; k++) {
      const ms = k * 7_919_555_333 + 17;
      expect(timestampText(ms, 'MILLIS', true)).toBe(new Date(ms).toISOString());
      expect(timestampText(BigInt(ms) * 1000n + 5n, 'MICROS', true)).toBe(new Date(ms).toISOString().replace('Z', '005Z'));
    }
  });

  it('a time of day in each unit', () => {
    expect(timeText(45_296_789_012n, 'MICROS')).toBe('12:34:56.789012');
    expect(timeText(45_296_789, 'MILLIS')).toBe('12:34:56.789');
    expect(timeText(45_296, 'SECOND')).toBe('12:34:56');
    expect(timeText(1n, 'NANOS')).toBe('00:00:00.000000001');
  });

  it('temporalText: a date counted in milliseconds is its day', () => {
    expect(temporalText({ of: 'date', unit: 'MILLIS', utc: false }, -86_400_000n)).toBe('1969-12-31');
    expect(temporalText({ of: 'date', unit: 'MILLIS', utc: false }, -1n)).toBe('1969-12-31');
    expect(temporalText({ of: 'date', unit: 'DAY', utc: false }, 18_262)).toBe('2020-01-01');
  });
});

describe('bytesText', () => {
  it('UTF-8 as its text; anything else escaped byte by byte as DuckDB writes a BLOB (a backslash doubled)', () => {
    expect(bytesText(Buffer.from('héllo'))).toBe('héllo');
    expect(bytesText(Uint8Array.of(0x00, 0xff, 0x41, 0x5c))).toBe('\\x00\\xFFA\\\\');
    expect(bytesText(Uint8Array.of(0xc3))).toBe('\\xC3');
  });
});

describe('durationText', () => {
  it('a signed count of units as ISO 8601 seconds with the unit\'s fraction digits, against the count written out by hand', () => {
    expect(durationText(1500n, 'MILLIS')).toBe('PT1.500S');
    expect(durationText(-250n, 'MILLIS')).toBe('-PT0.250S');
    expect(durationText(0n, 'SECOND')).toBe('PT0S');
    expect(durationText(-86_400, 'SECOND')).toBe('-PT86400S');
    expect(durationText(1n, 'NANOS')).toBe('PT0.000000001S');
    expect(durationText(-(2n ** 63n), 'NANOS')).toBe('-PT9223372036.854775808S');
    const per = { SECOND: 1n, MILLIS: 1000n, MICROS: 1_000_000n, NANOS: 1_000_000_000n } as const;
    for (const unit of ['SECOND', 'MILLIS', 'MICROS', 'NANOS'] as const) {
      for (let k = -300; k <= 300; k++) {
        const v = BigInt(k) * 987_654_321_123n + BigInt(k % 7);
        // The digits of |v| with a point `digits` from the end: the same number, written another way.
        const digits = per[unit].toString().length - 1;
        const abs = (v < 0n ? -v : v).toString().padStart(digits + 1, '0');
        const seconds = digits === 0 ? abs : `${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
        expect(durationText(v, unit)).toBe(`${v < 0n ? '-' : ''}PT${seconds}S`);
      }
    }
  });
});

describe('intervalText', () => {
  it('months, days and milliseconds as an ISO 8601 duration, each part as the file keeps it', () => {
    const interval = (months: number, days: number, millis: number) => {
      const bytes = new Uint8Array(12);
      const view = new DataView(bytes.buffer);
      view.setUint32(0, months, true);
      view.setUint32(4, days, true);
      view.setUint32(8, millis, true);
      return bytes;
    };
    expect(intervalText(interval(0, 0, 0))).toBe('P0M0DT0S');
    expect(intervalText(interval(1, 2, 3004))).toBe('P1M2DT3.004S');
    expect(intervalText(interval(14, 0, 500))).toBe('P14M0DT0.5S');
    expect(intervalText(interval(0, 40, 86_400_000))).toBe('P0M40DT86400S');
    expect(() => intervalText(new Uint8Array(8))).toThrow(/12 bytes/);
  });
});

describe('temporalValue: the inverse of temporalText, for the writers of typed formats', () => {
  it('gives back every integer temporalText wrote, in every unit, before 1970 too', () => {
    const units = ['SECOND', 'MILLIS', 'MICROS', 'NANOS'] as const;
    for (let k = -500; k <= 500; k++) {
      const days = k * 7919;
      expect(temporalValue({ of: 'date', unit: 'DAY', utc: false }, dateText(days))).toBe(days);
      for (const unit of units) {
        const v = BigInt(k) * 123_456_789_012_345n + 17n;
        for (const utc of [false, true]) expect(temporalValue({ of: 'timestamp', unit, utc }, timestampText(v, unit, utc))).toBe(v);
        const day = 86_400n * { SECOND: 1n, MILLIS: 1000n, MICROS: 1_000_000n, NANOS: 1_000_000_000n }[unit];
        const ofDay = ((v % day) + day) % day;
        for (const utc of [false, true]) {
          const t = { of: 'time', unit, utc } as const;
          const text = temporalText(t, unit === 'MICROS' || unit === 'NANOS' ? ofDay : Number(ofDay));
          expect(text.endsWith('Z')).toBe(utc);
          expect(BigInt(temporalValue(t, text)!)).toBe(ofDay);
        }
      }
    }
  });

  it('text that is none of them: undefined', () => {
    expect(temporalValue({ of: 'date', unit: 'DAY', utc: false }, 'yesterday')).toBeUndefined();
    expect(temporalValue({ of: 'timestamp', unit: 'MICROS', utc: false }, '2020-01-01 00:00:00')).toBeUndefined();
  });
});
