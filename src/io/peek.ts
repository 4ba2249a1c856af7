/**
 * Look at the first bytes of a stream without losing them: standard input can be read only once,
 * so what was read to decide its format is replayed ahead of the rest.
 */
import { Readable } from 'node:stream';

/**
 * Read `input` until `enough(head)` says so or it ends (`ended`); the returned stream yields every
 * byte of the input, the ones read here included.
 */
export async function peek(input: Readable, enough: (head: readonly Buffer[]) => boolean): Promise<{ head: Buffer[]; ended: boolean; input: Readable }> {
  const iterator = (input as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let ended = false;
  while (!enough(head)) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    head.push(next.value);
  }
  async function* replay(): AsyncGenerator<Buffer> {
    try {
      yield* head;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    } finally {
      await iterator.return?.(); // a reader that stops early releases the input
    }
  }
  return { head, ended, input: Readable.from(replay(), { objectMode: false }) };
}

/** At least `n` bytes read (or the end). */
export const atLeast = (n: number) => (head: readonly Buffer[]) => head.reduce((sum, b) => sum + b.length, 0) >= n;
