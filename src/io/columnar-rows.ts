/**
 * A columnar reader (./columnar.ts) as a row reader (TableSource, ./table.ts): what the library's
 * `openSource` hands out for every format. bn's own data path reads blocks without building rows
 * (../pipeline/column-batches.ts); this is for a caller that wants rows.
 */
import type { ColumnarSource } from './columnar.js';
import type { Format, Row, TableSource } from './table.js';

export function columnarRows(open: () => Promise<ColumnarSource & { close?(): void | Promise<void> }>, label: string, format: Format): TableSource {
  const columns: string[] = [];
  let types: ColumnarSource['types'] = [];
  return {
    columns,
    label,
    keyed: true,
    format,
    get types() {
      return types;
    },
    async *chunks(): AsyncGenerator<Row[]> {
      const source = await open();
      columns.push(...source.columns);
      types = source.types;
      let record = 0;
      try {
        for await (const block of source.blocks()) {
          const rows: Row[] = [];
          for (let i = 0; i < block.rows; i++) rows.push({ cells: columns.map((_, j) => block.cell(i, j)), line: 0, record: record++ });
          yield rows;
        }
      } finally {
        await source.close?.();
      }
    },
  };
}
