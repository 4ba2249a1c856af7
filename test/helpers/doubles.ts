/** Doubles for the number writers' tests: seeded streams, and doubles from random bits. */
import { seededRandom } from './exact.js';

/** `count` numbers made from a random source seeded with `seed`. */
export function* seededDoubles(seed: number, count: number, make: (random: () => number) => number): Generator<number> {
  const random = seededRandom(seed);
  for (let i = 0; i < count; i++) yield make(random);
}

/** A double from 64 random bits (NaN and the infinities skipped): every exponent alike. */
export function doubleFromBits(random: () => number): number {
  const view = new DataView(new ArrayBuffer(8));
  for (;;) {
    view.setUint32(0, Math.floor(random() * 2 ** 32));
    view.setUint32(4, Math.floor(random() * 2 ** 32));
    const x = view.getFloat64(0);
    if (Number.isFinite(x)) return x;
  }
}
