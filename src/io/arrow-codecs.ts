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

compressionRegistry.set(CompressionType.LZ4_FRAME, { decode: lz4Frames });
compressionRegistry.set(CompressionType.ZSTD, { decode: (data) => zstdDecompress(data) });
