import { describe, expect, it } from 'vitest';
import { BnError } from '../../src/errors.js';
import { affineParams, parseAffineSpec, resolveAffine } from '../../src/pipeline/affine.js';

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
    ['abc', /^--gamma: not a finite number: "abc"$/],
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

describe('affineParams: a power of two for features of tiny values only', () => {
  const ones = (n: number) => new Float64Array(n).fill(1);
  it('features of ordinary size (and a constant one, and one of tiny mean but ordinary spread) get no prescale: the same constants as before', () => {
    const mean = Float64Array.of(1e9, 0, 1e-300, 5);
    const p = affineParams(mean, [4, 0, 1, 1e-30], 0, ones(4), new Float64Array(4));
    expect(p.prescale).toBeUndefined();
    expect([...p.scale]).toEqual([0.5, 0, 1, 1e15]);
    expect(p.mean).toBe(mean);
  });

  it('a feature whose mean and spread are below 2^−900 is taken in units of 2^−k: mean·2^k, scale/2^k, its low part rounded once at that scale', () => {
    const lowTimes = (f: number, k: number) => (f === 1 ? 3 * 2 ** (k - 1100) : NaN);
    // σ² = 2^−2000: below any double, so as an exact ratio (as the engine's variances are).
    const p = affineParams(Float64Array.of(2, 2 ** -1000), [1, { num: 1n, den: 1n, exp: -2000 }], 0, ones(2), new Float64Array(2), Float64Array.of(0, 2 ** -1074), 0, lowTimes);
    expect([...p.prescale!]).toEqual([1, 2 ** 1000]);
    expect([...p.mean]).toEqual([2, 1]);
    // σ = 2^−1000, so scale = 2^1000 (beyond nothing here, but 1/σ for σ < 2^−1024 would be): 1 in units of 2^−1000.
    expect([...p.scale]).toEqual([1, 1]);
    // Not meanLow·2^k (2^−74): the exact sums' low part at that scale (3·2^−100).
    expect(p.meanLow[1]).toBe(3 * 2 ** -100);
    expect(p.meanLow[0]).toBe(0);
  });

  it('σ below 1e−308 (γ/σ beyond float64 unscaled): a finite scale, and at most 2^1023', () => {
    const p = affineParams(Float64Array.of(0), [{ num: 1n, den: 1n, exp: -2148 }], 0, ones(1), new Float64Array(1));
    expect(p.prescale![0]).toBe(2 ** 1023);
    expect(p.scale[0]).toBe(2 ** 51);
  });
});

describe('names with commas or an = in --gamma/--beta: in double quotes, as in a CSV header', () => {
  it('"a,b"=2 and "x=y"=3 name those features; "" is a quote', () => {
    const names = ['a,b', 'x=y', 'say "hi"'];
    const spec = parseAffineSpec('--gamma', '"a,b"=2, "x=y"=3,"say ""hi"""=4');
    expect([...resolveAffine('--gamma', spec, names, 1)]).toEqual([2, 3, 4]);
  });
});

describe('quotes in --gamma/--beta lists', () => {
  it('a quote that is not closed is an error; a quote inside a name (not at its start) is a character of it', () => {
    expect(() => parseAffineSpec('--gamma', '"a,b=2')).toThrow(/--gamma: unclosed quote/);
    expect(() => parseAffineSpec('--gamma', '"a,b"x=2')).toThrow(/--gamma: text after the closing quote of "a,b": "x"/);
    const spec = parseAffineSpec('--gamma', 'a"=2,b=3');
    expect([...resolveAffine('--gamma', spec, ['a"', 'b'], 1)]).toEqual([2, 3]);
  });
});
