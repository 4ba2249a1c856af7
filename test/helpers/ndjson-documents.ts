/**
 * Generated NDJSON for differential tests (the byte reader against JSON.parse, -j N against -j 1):
 * mostly flat objects with the keys of the first line, and now and then anything else — keys
 * in another order or first seen later, escapes, nesting, arrays, bad syntax, numbers JSON
 * refuses or that overflow, blank lines, a BOM, CRLF, a last line without a break.
 */
import fc from 'fast-check';

const KEYS = ['a', 'b', 'f 3', 'x_long_name', 'é', 'q"t', '__proto__'];

/** A number in one of JSON's notations, or a near miss that JSON refuses (01, 1., .5, +1, 1e). */
export const numberText = fc.oneof(
  fc.integer({ min: -1e6, max: 1e6 }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => JSON.stringify(x)),
  fc
    .record({
      sign: fc.constantFrom('', '-'),
      int: fc.oneof(fc.constant('0'), fc.stringMatching(/^[1-9][0-9]{0,20}$/)),
      frac: fc.oneof(fc.constant(''), fc.stringMatching(/^\.[0-9]{1,20}$/)),
      exp: fc.oneof(fc.constant(''), fc.stringMatching(/^[eE][+-]?[0-9]{1,3}$/)),
    })
    .map(({ sign, int, frac, exp }) => sign + int + frac + exp),
  fc.constantFrom('-0', '0', '-0.0', '1e999', '-1e999', '1e-400', '4.9e-324', '9007199254740993', '123456789012345678901234567890', '0.1e1'),
  fc.constantFrom('01', '1.', '.5', '+1', '1e', '-', '1e+', '0x10', 'NaN', 'Infinity', '1.5.2'),
);

/** A string value: numeric-looking, a missing marker, escapes, beyond ASCII, a raw tab (invalid). */
const stringText = fc.oneof(
  fc.stringMatching(/^[ -!#-[\]-~]{0,8}$/).map((s) => `"${s}"`),
  fc.constantFrom('""', '"12"', '"1e5"', '" 3 "', '"NA"', '"-0"', '"1e999"', '"a\\"b"', '"\\u0041"', '"é"', '"tab\there"', '"\\n"'),
);

const valueText = fc.oneof(
  { weight: 6, arbitrary: numberText },
  { weight: 2, arbitrary: stringText },
  { weight: 1, arbitrary: fc.constantFrom('null', 'true', 'false', 'nul', 'True', '[1]', '{"n":1}', '[]') },
);

const blank = fc.constantFrom('', '', '', ' ', '\t', ' \t ');

/** A line: mostly a flat object with the keys of the first line, sometimes anything else. */
function lineText(keys: string[]) {
  const object = (pairs: [string, string][], space: string, colon: string) =>
    `${space}{${space}${pairs.map(([k, v]) => `${JSON.stringify(k)}${colon}${space}${v}`).join(`${space},${space}`)}${space}}${space}`;
  const flat = fc
    .record({ values: fc.array(valueText, { minLength: keys.length, maxLength: keys.length }), space: blank, colon: fc.constantFrom(':', ':', ' :') })
    .map(({ values, space, colon }) => object(keys.map((k, i) => [k, values[i]!]), space, colon));
  const reshaped = fc
    .record({
      values: fc.array(valueText, { minLength: 1, maxLength: keys.length + 1 }),
      keys: fc.array(fc.constantFrom(...KEYS), { minLength: 0, maxLength: keys.length + 1 }),
    })
    .map(({ values, keys: shuffled }) => object(shuffled.map((k, i) => [k, values[i % values.length]!]), '', ':'));
  return fc.oneof(
    { weight: 12, arbitrary: flat },
    { weight: 2, arbitrary: reshaped },
    { weight: 1, arbitrary: blank },
    { weight: 1, arbitrary: fc.constantFrom('{"a":1', 'garbage', '[1,2]', '"text"', '{"a":1}}', '{"a":1,}', '{"\\u0061":1}', '{"a":1} x') },
  );
}

export const document = fc
  .uniqueArray(fc.constantFrom(...KEYS), { minLength: 1, maxLength: 5 })
  .chain((keys) =>
    fc.record({
      lines: fc.array(lineText(keys), { minLength: 1, maxLength: 30 }),
      first: lineText(keys),
      bom: fc.boolean(),
      crlf: fc.boolean(),
      finalBreak: fc.boolean(),
    }),
  )
  .map(({ lines, first, bom, crlf, finalBreak }) => {
    const eol = crlf ? '\r\n' : '\n';
    return (bom ? '\ufeff' : '') + [first, ...lines].join(eol) + (finalBreak ? eol : '');
  });
