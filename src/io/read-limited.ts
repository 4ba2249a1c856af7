/**
 * A whole input read into memory, up to a size: for what bn must hold whole (a stats file), where
 * `/dev/zero` or a data file given by mistake would otherwise fill the memory.
 */
import type { BnError } from '../errors.js';

/** Every byte of `source`, or `tooLarge()` thrown once more than `limit` bytes have come (read errors pass through). */
export async function readLimited(source: AsyncIterable<Buffer | string>, limit: number, tooLarge: () => BnError): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    size += bytes.length;
    if (size > limit) throw tooLarge();
    parts.push(bytes);
  }
  return Buffer.concat(parts);
}
