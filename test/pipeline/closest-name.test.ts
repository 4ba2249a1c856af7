import { describe, expect, it } from 'vitest';
import { closestName, didYouMean } from '../../src/pipeline/closest-name.js';

const NAMES = ['id', 'price', 'quantity', 'sepal_length', 'sepal_width', 'x1', 'x2'];

describe('closestName', () => {
  it.each([
    ['Price', 'price'], // another case
    ['ID', 'id'],
    ['prise', 'price'], // one substitution
    ['quantiy', 'quantity'], // one deletion
    ['pirce', 'price'], // two neighbours swapped: one edit
    ['sepal_lenght', 'sepal_length'],
    ['sepal-width', 'sepal_width'],
    ['x3', undefined], // short names: only another case counts (x3 is not a typo of x1)
    ['weight', undefined], // nothing close
    ['pr', undefined],
  ])('%j → %j', (wanted, expected) => {
    expect(closestName(wanted, NAMES)).toBe(expected);
  });

  it('says which guess is for which name when there are several', () => {
    expect(didYouMean(['Price'], NAMES)).toBe('did you mean "price"?');
    expect(didYouMean(['Price', 'nothing', 'ID'], NAMES)).toBe('did you mean "price" for "Price", "id" for "ID"?');
    expect(didYouMean(['nothing'], NAMES)).toBe('');
  });
});
