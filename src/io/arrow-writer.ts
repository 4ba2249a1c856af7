/**
 * Rows to Arrow IPC with apache-arrow: the file format (`.arrow`, `.feather`) or the stream
 * format (`.arrows`, and standard output, where a reader may start before the end), a record
 * batch every TypedColumns.limit rows, written as it is made. Column types: ./typed-columns.ts.
 */
import {
  AsyncByteQueue, Bool, Data, DataType, DateDay, Decimal, Field, Float16, Float32, Float64, Int16, Int32, Int64, Int8, makeData, RecordBatch,
  RecordBatchFileWriter, RecordBatchStreamWriter, Schema, Struct, Time, Timestamp, TimeUnit, Uint16, Uint32, Uint64, Uint8, Utf8, vectorFromArray,
} from 'apache-arrow';
import type { ColumnType } from './column-types.js';
import type { OutputWriter } from './output-writer.js';
import type { TableSink } from './table-sink.js';
import { gathererOf, TypedColumns, type ColumnValues } from './typed-columns.js';
import { numberRounder } from './format-number.js';

export type ArrowContainer = 'file' | 'stream';

/** apache-arrow's queue of a writer's bytes, counting what it was given. */
class CountedBytes extends AsyncByteQueue {
  queued = 0;

  override write(value: Uint8Array): void {
    this.queued += value.byteLength;
    super.write(value);
  }
}

/** The Arrow type of bn's column type. */
function arrowType(type: ColumnType): DataType {
  switch (type.kind) {
    case 'float':
      return type.bits === 64 ? new Float64() : type.bits === 32 ? new Float32() : new Float16();
    case 'int': {
      const signed = { 8: Int8, 16: Int16, 32: Int32, 64: Int64 } as const;
      const unsigned = { 8: Uint8, 16: Uint16, 32: Uint32, 64: Uint64 } as const;
      return new (type.signed ? signed : unsigned)[type.bits]();
    }
    case 'decimal':
      return new Decimal(type.scale, type.precision, type.precision <= 38 ? 128 : 256);
    case 'bool':
      return new Bool();
    case 'other': {
      // A date, time or timestamp (./typed-columns.ts keeps no other, and none of seconds).
      const t = type.temporal;
      if (t?.of === 'date') return new DateDay();
      if (t && t.unit !== 'DAY' && (t.of === 'timestamp' || t.of === 'time')) {
        const unit = { SECOND: TimeUnit.SECOND, MILLIS: TimeUnit.MILLISECOND, MICROS: TimeUnit.MICROSECOND, NANOS: TimeUnit.NANOSECOND }[t.unit];
        // A UTC instant as Arrow says one: with a time zone, the file's (an Arrow input's) or UTC.
        return t.of === 'timestamp' ? new Timestamp(unit, t.utc ? (t.zone ?? 'UTC') : null) : new Time(unit, unit === TimeUnit.MILLISECOND ? 32 : 64);
      }
      return new Utf8();
    }
    default:
      return new Utf8();
  }
}

/** A date, time or timestamp column: its integers as they are (apache-arrow's builders take milliseconds, a float). */
function integerData(type: DataType, values: Exclude<ColumnValues, Float64Array>, wide: boolean): Data {
  const data = wide ? new BigInt64Array(values.length) : new Int32Array(values.length);
  const { valid, nulls } = eachValid(values, (value): value is number | bigint => typeof value === 'bigint' || typeof value === 'number', (value, i) => {
    data[i] = (wide ? BigInt(value) : Number(value)) as never;
  });
  return makeData({ type: type as DateDay, length: values.length, nullCount: nulls, nullBitmap: valid, data: data as Int32Array });
}

/**
 * Calls `put` with each value that `isValue` takes (the others are nulls); returns the validity
 * bitmap (a bit set for each value, least significant first) and the count of nulls.
 */
function eachValid<T extends Exclude<ColumnValues, Float64Array>[number]>(
  values: Exclude<ColumnValues, Float64Array>,
  isValue: (value: Exclude<ColumnValues, Float64Array>[number]) => value is T,
  put: (value: T, i: number) => void,
): { valid: Uint8Array; nulls: number } {
  const valid = new Uint8Array(Math.ceil(values.length / 8));
  let nulls = 0;
  values.forEach((value, i) => {
    if (!isValue(value)) {
      nulls++;
      return;
    }
    valid[i >> 3]! |= 1 << (i & 7);
    put(value, i);
  });
  return { valid, nulls };
}

/** A decimal column: each unscaled integer as little-endian 32-bit words, two's complement. */
function decimalData(type: Decimal, values: Exclude<ColumnValues, Float64Array>): Data {
  const width = type.bitWidth / 32;
  const words = new Uint32Array(values.length * width);
  const { valid, nulls } = eachValid(values, (value): value is bigint => typeof value === 'bigint', (value, i) => {
    let x = BigInt.asUintN(type.bitWidth, value);
    for (let k = 0; k < width; k++, x >>= 32n) words[i * width + k] = Number(x & 0xffffffffn);
  });
  return makeData({ type, length: values.length, nullCount: nulls, nullBitmap: valid, data: words });
}

function columnData(type: DataType, values: ColumnValues): Data {
  // A feature's doubles with no null: the array is the column's data as it is.
  if (values instanceof Float64Array) return makeData({ type: type as Float64, length: values.length, nullCount: 0, data: values });
  if (DataType.isDecimal(type)) return decimalData(type, values);
  if (DataType.isDate(type)) return integerData(type, values, false);
  if (DataType.isTimestamp(type) || DataType.isTime(type)) return integerData(type, values, DataType.isTimestamp(type) || type.bitWidth === 64);
  return vectorFromArray(values as never[], type).data[0]!;
}

export function arrowSink(out: OutputWriter, options: { roundNumber?: (x: number) => number; container: ArrowContainer }): TableSink {
  let columns: TypedColumns | undefined;
  let schema: Schema | undefined;
  const writer = options.container === 'file' ? new RecordBatchFileWriter() : new RecordBatchStreamWriter();
  const queue = new CountedBytes();
  writer.reset(queue);
  // The writer's bytes, handed to the output as they come (its back-pressure included).
  let taken = 0;
  let pumped = false;
  let wake: (() => void) | undefined;
  const pump = (async () => {
    for await (const bytes of queue) {
      await out.write(bytes);
      taken += bytes.byteLength;
      wake?.();
    }
  })();
  // Not awaited until the end: its failure (the output closed) is kept until then.
  pump.catch(() => {}).finally(() => {
    pumped = true;
    wake?.();
  });

  let batches = 0;
  const writeBatch = async (values: ColumnValues[]) => {
    // The output failed (a full disk) and the pump stopped, closing the writer's queue: its error,
    // not apache-arrow's "AsyncQueue is closed".
    if (pumped) await pump;
    batches++;
    const data = values.map((column, j) => columnData(schema!.fields[j]!.type as DataType, column));
    writer.write(new RecordBatch(schema!, makeData({ type: new Struct(schema!.fields), length: values[0]?.length ?? 0, nullCount: 0, children: data })));
    // The next batch is made once the output has taken this one's bytes: a reader faster than the
    // output (Parquet's) queued them all in memory, 60 MB more at the peak of the bench's copy.
    while (!pumped && taken < queue.queued) await new Promise<void>((resolve) => (wake = resolve));
  };
  const gatherer = gathererOf(() => columns, writeBatch);

  return {
    async start(layout) {
      columns = new TypedColumns(layout, options.roundNumber ?? numberRounder());
      schema = new Schema(layout.columns.map((name, j) => new Field(name, arrowType(columns!.types[j]!), true)));
    },
    async rows(rows) {
      columns!.add(rows);
      await gatherer.writeReady();
    },
    gatherer,
    async end() {
      await gatherer.writeReady();
      // The rows after the last full batch; with none, an empty one if no batch was written (a table with no rows still has its schema).
      if (columns && schema && (columns.rows > 0 || batches === 0)) await writeBatch(columns.take());
      if (pumped) await pump;
      writer.finish();
      await pump;
      await out.flush();
    },
  };
}
