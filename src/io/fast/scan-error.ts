/** A CsvScanner's error (or a read error of its input) as bn's error, on the line where its record starts. */
import { BnError, readError } from '../../errors.js';
import { CsvSyntaxError } from './csv-scanner.js';

export function translateError(err: unknown, label: string): unknown {
  if (err instanceof BnError) return err;
  if (err instanceof CsvSyntaxError) {
    const column = err.code === 'CSV_TEXT_AFTER_QUOTE' ? err.field : undefined;
    return new BnError('BN_MALFORMED_CSV', `malformed CSV: ${err.message}`, { file: label, line: err.line, column });
  }
  return readError(err, label);
}
