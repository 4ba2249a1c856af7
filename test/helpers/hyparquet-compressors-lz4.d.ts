// Types of the module of hyparquet-compressors (a devDependency) that test/io/lz4.test.ts holds
// bn's LZ4 decoder to: its package declares only its index.
declare module 'hyparquet-compressors/src/lz4.js' {
  export function decompressLz4(input: Uint8Array, outputLength: number): Uint8Array;
  export function decompressLz4Raw(input: Uint8Array, outputLength: number): Uint8Array;
}
