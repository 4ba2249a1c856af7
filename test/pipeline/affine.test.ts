import { describe, expect, it } from 'vitest';
import { BnError } from '../../src/errors.js';
import { parseAffineSpec, resolveAffine } from '../../src/pipeline/affine.js';

const features = ['x1', 'x2', 'x3'];
const resolve = (text: string, fallback = 1) => [...resolveAffine('--gamma', parseAffineSpec('--gamma', text), features, fallback)];

describe('--gamma/--beta SPEC forms', () => {
  it.each([
    ['2', [2, 2, 2]],
    ['-0.5', [-0.5, -0.5, -0.5]],
    ['1,2,3', [1, 2, 3]],
    [' 1 , 2e0 , .5 ', [1, 2, 0.5]],
    ['x2=4', [1, 4, 1]],
    ['x3=0,x1=-1', [-1, 1, 0]],
  ])('%j gives %j', (text, expected) => {
    expect(resolve(text)).toEqual(expected);
  });

  it('absent spec gives the default for every feature', () => {
    expect([...resolveAffine('--beta', undefined, features, 0)]).toEqual([0, 0, 0]);
  });

  it.each([
    ['abc', /not a finite number "abc"/],
    ['Infinity', /not a finite number/],
    ['1,,2', /not a finite number ""/],
    ['=2', /expected name=value pairs/],
    ['x1=1,2', /expected name=value pairs/],
    ['x1=1,x1=2', /feature "x1" named twice/],
  ])('%j is a usage error at parse time', (text, pattern) => {
    const err = (() => {
      try {
        parseAffineSpec('--gamma', text);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(BnError);
    expect((err as BnError).code).toBe('BN_BAD_OPTION');
    expect((err as BnError).exitCode).toBe(2);
    expect((err as BnError).message).toMatch(pattern);
  });

  it.each([
    ['1,2', /2 values for 3 features \(x1, x2, x3\)/],
    ['1,2,3,4', /4 values for 3 features/],
    ['y=1,z=2', /no feature named "y", "z" \(features: x1, x2, x3\)$/],
    ['X2=2', /no feature named "X2" \(did you mean "x2"\? features: x1, x2, x3\)$/],
  ])('%j does not fit the features', (text, pattern) => {
    expect(() => resolve(text)).toThrow(pattern);
  });
});
