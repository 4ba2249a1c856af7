/** The WebAssembly modules bn carries (the *-wasm.ts beside their users) are their sources (wasm/*.ts) compiled: neither was changed without the other. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a build script, in JavaScript
import { compile, moduleText, MODULES } from '../../../scripts/build-wasm.mjs';

describe('the committed WebAssembly', () => {
  const modules = MODULES as { source: string; target: string }[];
  it.each(modules.map((m) => m.source))('%s, compiled, is what is committed (npm run build:wasm writes it again)', async (source) => {
    const module = modules.find((m) => m.source === source)!;
    const committed = readFileSync(new URL(`../../../${module.target}`, import.meta.url), 'utf8');
    expect(moduleText(module, await compile(module))).toBe(committed);
  }, 60_000);
});
