import type { Row } from './table.js';

/** Where normalized rows go: one per output format. Feature cells are numbers by now. */
export interface TableSink {
  start(columns: readonly string[]): Promise<void>;
  rows(rows: readonly Row[]): Promise<void>;
  end(): Promise<void>;
}
