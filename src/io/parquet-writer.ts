/**
 * Rows to Parquet with hyparquet-writer: a row group every TypedColumns.limit rows, written to
 * the output as it is made (memory bounded by a row group), the footer at the end. Column types:
 * ./typed-columns.ts. Snappy compression, Parquet's usual default.
 */
import { ByteWriter, ParquetWriter, type SchemaElement } from 'hyparquet-writer';
import type { ColumnType } from './column-types.js';
import type { OutputWriter } from './output-writer.js';
import type { TableSink } from './table-sink.js';
import { gathererOf, TypedColumns, type ColumnValues } from './typed-columns.js';
import { numberRounder } from './format-number.js';

/** A Parquet column of bn's type: nullable, annotated so that readers see the same type. */
function schemaElement(name: string, type: ColumnType): SchemaElement {
  const column = { name, repetition_type: 'OPTIONAL' } as const;
  switch (type.kind) {
    case 'float':
      return { ...column, type: type.bits === 64 ? 'DOUBLE' : 'FLOAT' };
    case 'int':
      if (type.bits === 64) return { ...column, type: 'INT64', ...(type.signed ? {} : { converted_type: 'UINT_64' }) };
      // The converted type, which every reader knows (hyparquet-writer's INTEGER logical type is not read by DuckDB).
      if (type.bits === 32 && type.signed) return { ...column, type: 'INT32' };
      return { ...column, type: 'INT32', converted_type: `${type.signed ? 'INT' : 'UINT'}_${type.bits}` as 'INT_8' };
    case 'decimal': {
      const decimal = { converted_type: 'DECIMAL', precision: type.precision, scale: type.scale, logical_type: { type: 'DECIMAL', precision: type.precision, scale: type.scale } } as const;
      if (type.precision <= 9) return { ...column, type: 'INT32', ...decimal };
      if (type.precision <= 18) return { ...column, type: 'INT64', ...decimal };
      // The fewest bytes whose two's complement holds `precision` digits.
      return { ...column, type: 'FIXED_LEN_BYTE_ARRAY', type_length: Math.ceil((type.precision * Math.log2(10) + 1) / 8), ...decimal };
    }
    case 'bool':
      return { ...column, type: 'BOOLEAN' };
    case 'other': {
      const t = type.temporal;
      if (t?.of === 'date') return { ...column, type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } };
      if ((t?.of === 'timestamp' || t?.of === 'time') && t.unit !== 'DAY' && t.unit !== 'SECOND') {
        const unit = t.unit;
        const logical_type = { type: t.of === 'time' ? 'TIME' : 'TIMESTAMP', isAdjustedToUTC: t.utc, unit } as const;
        // The older annotation too, which every reader knows, where there is one (it means UTC).
        const converted = t.utc && unit !== 'NANOS' ? { converted_type: `${t.of === 'time' ? 'TIME' : 'TIMESTAMP'}_${unit}` as 'TIME_MILLIS' } : {};
        return { ...column, type: t.of === 'time' && unit === 'MILLIS' ? 'INT32' : 'INT64', logical_type, ...converted };
      }
      return { ...column, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
    }
    default:
      return { ...column, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
  }
}

/** hyparquet-writer's byte buffer, emptied into `out` after each row group and at the end. */
class OutputBytes extends ByteWriter {
  constructor(private readonly out: OutputWriter) {
    super(1 << 20);
  }

  async flush(): Promise<void> {
    const bytes = this.getBytes();
    // Written through before the buffer is reused.
    if (bytes.length > 0) await this.out.writeThrough(bytes);
    this.index = 0;
  }

  override finish(): Promise<void> {
    return this.flush();
  }
}

export function parquetSink(out: OutputWriter, options: { roundNumber?: (x: number) => number }): TableSink {
  let columns: TypedColumns | undefined;
  let writer: ParquetWriter | undefined;
  let names: readonly string[] = [];

  const writeGroup = async (data: ColumnValues[]) => {
    // The values are of each column's type already (./typed-columns.ts); the schema says which.
    const written = writer!.write({ columnData: names.map((name, j) => ({ name, data: data[j]! as never })), rowGroupSize: data[0]!.length });
    // hyparquet-writer has copied the group's values (a slice) before it returns.
    columns!.reuse(data);
    await written;
  };
  const gatherer = gathererOf(() => columns, writeGroup);

  return {
    async start(layout) {
      columns = new TypedColumns(layout, options.roundNumber ?? numberRounder());
      names = layout.columns;
      const schema: SchemaElement[] = [{ name: 'root', num_children: names.length }, ...names.map((name, j) => schemaElement(name, columns!.types[j]!))];
      writer = new ParquetWriter({ writer: new OutputBytes(out), schema, createdBy: 'bn (hyparquet-writer)' });
    },
    async rows(rows) {
      columns!.add(rows);
      await gatherer.writeReady();
    },
    gatherer,
    async end() {
      await gatherer.writeReady();
      if (columns && columns.rows > 0) await writeGroup(columns.take());
      await writer?.finish();
      await out.flush();
    },
  };
}
