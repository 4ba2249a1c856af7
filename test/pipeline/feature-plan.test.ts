import { describe, expect, it } from 'vitest';
import { BnError } from '../../src/errors.js';
import { missingTest } from '../../src/io/missing.js';
import { FeaturePlan } from '../../src/pipeline/feature-plan.js';
import { bindSelection, fixedColumns, parseSelection } from '../../src/pipeline/select.js';

const row = (cells: (string | number | null | undefined)[], line = 2) => ({ cells, line });

describe('FeaturePlan: a column is a feature when its first non-missing value is a number', () => {
  it('decides each column on its first non-missing value', () => {
    const plan = new FeaturePlan(['a', 'b', 'c', 'd'], missingTest(), 'f.csv');
    plan.observe(row(['1', '', 'x', 'NA']));
    expect([plan.isFeature(0), plan.isFeature(2)]).toEqual([true, false]);
    plan.observe(row(['y', '2.5', '3', '']));
    // a stays a feature (its later text is an error when parsed); b decided now; c stays text.
    expect(plan.featureIndices()).toEqual([0, 1]);
    plan.freeze();
    expect(plan.isFeature(3)).toBe(false); // never saw a value
  });

  it('treats 1e999 as written-as-a-number: the column is a feature and the cell an error', () => {
    const plan = new FeaturePlan(['a'], missingTest(), 'f.csv');
    plan.observe(row(['1e999']));
    expect(plan.isFeature(0)).toBe(true);
    const err = (() => {
      try {
        plan.value('1e999', 0, row(['1e999'], 7));
      } catch (e) {
        return e as BnError;
      }
    })();
    expect(err?.code).toBe('BN_NOT_FINITE');
    expect(err?.describe()).toBe('f.csv:7:1 (column "a"): number out of float64 range: "1e999"');
  });

  it('uses --select as given', () => {
    const plan = new FeaturePlan(['a', 'b'], missingTest(), 'f.csv', fixedColumns([1]));
    plan.observe(row(['1', 'x']));
    expect(plan.featureIndices()).toEqual([1]);
  });

  it.each([
    ['', Number.NaN], ['NA', Number.NaN], ['N/A', Number.NaN], ['nan', Number.NaN], ['null', Number.NaN],
    [null, Number.NaN], [undefined, Number.NaN], ['3.5', 3.5], [' -2 ', -2], [7, 7],
  ])('value(%j) is %d', (cell, expected) => {
    const plan = new FeaturePlan(['a'], missingTest(), 'f.csv', fixedColumns([0]));
    expect(plan.value(cell, 0, row([cell]))).toBe(expected);
  });

  it('--na-values replaces the markers but the empty cell stays missing', () => {
    const plan = new FeaturePlan(['a'], missingTest(['-999']), 'f.csv', fixedColumns([0]));
    expect(plan.value('-999', 0, row(['-999']))).toBeNaN();
    expect(plan.value('', 0, row(['']))).toBeNaN();
    expect(() => plan.value('NA', 0, row(['NA']))).toThrow(BnError);
  });

  it('reports invalid cells with code, file, line, field and column name', () => {
    const plan = new FeaturePlan(['a', 'weight'], missingTest(), 'data.csv', fixedColumns([1]));
    try {
      plan.value('63-67', 1, row(['1', '63-67'], 2434));
      expect.unreachable();
    } catch (e) {
      const err = e as BnError;
      expect(err.code).toBe('BN_NOT_A_NUMBER');
      expect(err.exitCode).toBe(1);
      expect(err.location).toEqual({ file: 'data.csv', line: 2434, column: 2, name: 'weight' });
      expect(err.describe()).toBe('data.csv:2434:2 (column "weight"): not a number: "63-67"');
    }
  });

  it('names the record for JSON rows', () => {
    const plan = new FeaturePlan(['w'], missingTest(), 'd.json', fixedColumns([0]));
    expect(() => plan.value(true, 0, { cells: [true], line: 0, record: 17 })).toThrow(/^not a number: true$/);
    try {
      plan.value('x', 0, { cells: ['x'], line: 0, record: 17 });
    } catch (e) {
      expect((e as BnError).describe()).toBe('d.json[17] (column "w"): not a number: "x"');
    }
  });
});

describe('FeaturePlan with --select and a growing column list', () => {
  const plan = (list: string, columns: string[]) =>
    new FeaturePlan(columns, missingTest(), 'd.json', bindSelection(parseSelection(list), columns));

  it('named columns are features; regex matches are decided by their first value', () => {
    const p = plan('id,/^x/', ['id', 'x1', 'x2', 'y']);
    p.observe(row(['1', '2', 'text', '3']));
    expect(p.featureIndices()).toEqual([0, 1]);
  });

  it('a column that appears later gets its role when it first appears', () => {
    const columns = ['a'];
    const p = plan('!skip', columns);
    p.observe(row(['1']));
    columns.push('w', 'skip');
    p.observe({ cells: ['2', '5', '7'], line: 0, record: 500, keys: [0, 1, 2] });
    expect(p.featureIndices()).toEqual([0, 1]);
    p.freeze();
    columns.push('after');
    p.observe({ cells: ['3', '5', '7', '9'], line: 0, record: 501, keys: [0, 1, 2, 3] });
    expect(p.isFeature(3)).toBe(false); // first seen after the freeze
  });

  it('a selected name that never appears is an error when the plan is frozen', () => {
    const p = plan('a,late', ['a']);
    p.observe(row(['1']));
    expect(() => p.freeze()).toThrow(/^--select: no column "late" \(1 column: "a"\)$/);
  });

  it('an NDJSON object is located by line and column name, without a field position', () => {
    const p = new FeaturePlan(['a', 'w'], missingTest(), 'd.ndjson', fixedColumns([1]));
    expect(() => p.value('x', 1, { cells: [1, 'x'], line: 4, keys: [1, 0] })).toThrow(BnError);
    try {
      p.value('x', 1, { cells: [1, 'x'], line: 4, keys: [1, 0] });
    } catch (e) {
      expect((e as BnError).location).toEqual({ file: 'd.ndjson', line: 4, name: 'w' });
    }
  });

  it('a parsed JSON Infinity (1e999 in the file) is out of range', () => {
    const p = new FeaturePlan(['a'], missingTest(), 'd.json', fixedColumns([0]));
    expect(() => p.value(Infinity, 0, { cells: [Infinity], line: 0, record: 3 })).toThrow(/^number out of float64 range: a JSON number beyond 1\.8e308$/);
    expect(() => p.value(-Infinity, 0, { cells: [-Infinity], line: 0, record: 3 })).toThrow(/^number out of float64 range: a JSON number beyond -1\.8e308$/);
  });
});
