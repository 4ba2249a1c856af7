// Types of the one module of hyparquet-compressors bn imports (its package declares only its
// index, which loads a WebAssembly Snappy decoder bn does not use).
declare module 'hyparquet-compressors/src/lz4.js' {
  export function decompressLz4(input: Uint8Array, outputLength: number): Uint8Array;
  export function decompressLz4Raw(input: Uint8Array, outputLength: number): Uint8Array;
}
