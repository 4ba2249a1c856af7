/**
 * An instance of one of bn's WebAssembly modules (the *-wasm.ts beside their users, compiled from wasm/*.ts): each
 * module compiled once a thread, when first needed; each instance with a memory of its own.
 */
import { Buffer } from 'node:buffer';

/** What bn uses of the WebAssembly API (Node's types for it come with the DOM's, which bn does not load). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: object };
}
const { Module, Instance } = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** An instance's memory, as the exports show it. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

const PAGE = 64 << 10;

const compiled = new Map<string, object>();

/** A new instance of the module whose bytes are `base64`, with `imports` (its functions' `env`). */
export function instantiate<Exports extends { memory: WasmMemory }>(base64: string, imports: Record<string, unknown> = {}): Exports {
  let module = compiled.get(base64);
  if (module === undefined) compiled.set(base64, (module = new Module(Buffer.from(base64, 'base64'))));
  return new Instance(module, { env: imports }).exports as Exports;
}

/** Grows `memory` to at least `bytes` (views made before are detached: make them after). */
export function growTo(memory: WasmMemory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / PAGE));
}
