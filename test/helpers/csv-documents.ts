/**
 * Generated CSV documents for the differential tests of the fast path: the text a
 * user's file may hold, with what makes parsers differ — quotes (needed, needless, escaped,
 * stray), CRLF, blank lines, a BOM, signs, exponents, long mantissas, subnormals, overflow,
 * spaces around numbers, missing markers, text columns, and now and then a ragged row or a
 * bad value, so that errors are compared too.
 */
import fc from 'fast-check';

const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });

/** A number as a file may spell it. */
export const numberText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map(String) },
  { weight: 4, arbitrary: fc.integer({ min: -1e6, max: 1e6 }).map((n) => (n / 1000).toFixed(3)) },
  {
    weight: 4,
    arbitrary: fc
      .record({
        sign: fc.constantFrom('', '-', '+'),
        int: digits(0, 22),
        frac: fc.option(digits(0, 22)),
        exp: fc.option(fc.record({ e: fc.constantFrom('e', 'E'), sign: fc.constantFrom('', '-', '+'), n: fc.integer({ min: 0, max: 330 }) })),
      })
      .filter(({ int, frac }) => int.length + (frac ?? '').length > 0)
      .map(({ sign, int, frac, exp }) => `${sign}${int}${frac === null ? '' : `.${frac}`}${exp === null ? '' : `${exp.e}${exp.sign}${exp.n}`}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('4.9e-324', '-5e-324', '2.2250738585072014e-308', '2.225073858507201e-308', '1.7976931348623157e308', '0.1', '-0', '1e23', '9007199254740993', '123456789012345678901234567890') },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(' ', '\t', '  '), fc.integer({ min: -99, max: 99 })).map(([s, n]) => `${s}${n}${s}`) },
);

export const missingText = fc.constantFrom('', 'NA', 'N/A', 'NaN', 'nan', 'null', ' NA ');
const textUnit = fc.constantFrom('a', 'b', 'Z', ' ', 'é', '😀', '"', ',', ';', '\t', '|', '\n', '\r\n', 'x');
export const freeText = fc.string({ unit: textUnit, maxLength: 6 });

type Column = 'number' | 'text' | 'mixed';

export interface CsvDocument {
  text: string;
  delimiter: string;
  /** Column count. */
  width: number;
}

interface Cell {
  text: string;
  /** auto: quoted where needed; quoted: always; raw: as it is, even if that breaks the record. */
  style: 'auto' | 'quoted' | 'raw';
}

const cellOf = (kind: Column): fc.Arbitrary<Cell> =>
  fc.record({
    text:
      kind === 'number'
        ? fc.oneof({ weight: 8, arbitrary: numberText }, { weight: 1, arbitrary: missingText })
        : kind === 'text'
          ? fc.oneof({ weight: 4, arbitrary: freeText }, { weight: 1, arbitrary: missingText })
          : fc.oneof(numberText, missingText, freeText),
    style: fc.constantFrom<Cell['style']>('auto', 'auto', 'auto', 'auto', 'quoted', 'raw'),
  });

/**
 * A document: a header (unless `header` is false), rows of cells per column kind; blank lines
 * here and there; with `errors`, sometimes a ragged row or a stray value.
 */
export function csvDocument(options: { errors?: boolean; maxRows?: number } = {}): fc.Arbitrary<CsvDocument> {
  const { errors = true, maxRows = 25 } = options;
  return fc
    .record({
      delimiter: fc.constantFrom(',', '\t', ';', '|'),
      eol: fc.constantFrom('\n', '\r\n'),
      bom: fc.boolean(),
      kinds: fc.array(fc.constantFrom<Column>('number', 'number', 'number', 'text', 'mixed'), { minLength: 1, maxLength: 5 }),
      quoteHeader: fc.boolean(),
      finalEol: fc.boolean(),
    })
    .chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        rows: fc.array(
          fc.oneof(
            { weight: 12, arbitrary: fc.tuple(...shape.kinds.map(cellOf)).map((cells) => ({ cells, blank: false })) },
            { weight: 1, arbitrary: fc.constant({ cells: [] as Cell[], blank: true }) },
            { weight: errors ? 1 : 0, arbitrary: fc.array(cellOf('mixed'), { minLength: 1, maxLength: 6 }).map((cells) => ({ cells, blank: false })) },
          ),
          { maxLength: maxRows },
        ),
      }),
    )
    .map(({ shape, rows }) => {
      const { delimiter, eol } = shape;
      const render = (cell: Cell): string =>
        cell.style === 'raw'
          ? cell.text
          : cell.style === 'quoted' || /["\r\n]/.test(cell.text) || cell.text.includes(delimiter)
            ? `"${cell.text.replaceAll('"', '""')}"`
            : cell.text;
      const header = shape.kinds.map((_, j) => (shape.quoteHeader ? `"x${j + 1}"` : `x${j + 1}`)).join(delimiter);
      const lines = [header, ...rows.map((row) => (row.blank ? '' : row.cells.map(render).join(delimiter)))];
      return {
        text: (shape.bom ? '\ufeff' : '') + lines.join(eol) + (shape.finalEol ? eol : ''),
        delimiter,
        width: shape.kinds.length,
      };
    });
}
