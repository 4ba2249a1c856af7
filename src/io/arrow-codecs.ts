/**
 * The codecs of compressed Arrow IPC record batches, registered with apache-arrow, which reads
 * a compressed batch only through a codec registered with it and ships none: pyarrow's Feather
 * (pandas' `to_feather`) compresses with LZ4 by default, and Polars or pyarrow write ZSTD when
 * asked. LZ4_FRAME through ./lz4.ts (it says why not a library), ZSTD through node:zlib or fzstd
 * (./zstd-sync.ts). Reading only: bn writes Arrow uncompressed.
 */
import { compressionRegistry, CompressionType } from 'apache-arrow';
import { lz4Frames } from './lz4.js';
import { zstdDecompress } from './zstd-sync.js';

compressionRegistry.set(CompressionType.LZ4_FRAME, { decode: (data) => lz4Frames(data, uncompressedLength(data)) });
compressionRegistry.set(CompressionType.ZSTD, {
  decode: (data) => {
    const length = uncompressedLength(data);
    const bytes = zstdDecompress(data, length);
    if (length !== undefined && bytes.length !== length) throw new Error(`zstd: ${bytes.length} bytes where ${length} were expected`);
    return bytes;
  },
});

/** Buffers larger than this are not believed (Arrow's own readers allocate no more than 2 GiB for one). */
const LARGEST_BUFFER = 2 ** 31 - 1;

/**
 * The length a compressed buffer says it decompresses to. Arrow writes it as an int64 before
 * the compressed bytes, and apache-arrow hands the codec the bytes after it, a view of the same
 * memory: read there (undefined when the view starts too early to have one, or it is not a
 * length), so that a buffer is made at its length, and a frame that decodes to another fails.
 */
function uncompressedLength(data: Uint8Array): number | undefined {
  if (data.byteOffset < 8) return undefined;
  const length = new DataView(data.buffer, data.byteOffset - 8, 8).getBigInt64(0, true);
  return length >= 0n && length <= BigInt(LARGEST_BUFFER) ? Number(length) : undefined;
}
