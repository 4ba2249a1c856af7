/**
 * The shape of the code, checked: no import cycle in src/ (runtime imports; `import type` is
 * erased), and a worker thread of -j loads only what it runs (each module a worker imports is
 * loaded and compiled in every worker, which costs start-up time and memory).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/run-bn.js';

const SRC = path.join(ROOT, 'src');

/** The runtime imports of a module: relative ones as absolute .ts paths, the rest as written. */
function importsOf(file: string): { local: string[]; packages: string[] } {
  const text = readFileSync(file, 'utf8');
  const local: string[] = [];
  const packages: string[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) {
    if (m[2] !== undefined) continue; // `import type`: nothing at run time
    const spec = m[3]!;
    if (spec.startsWith('.')) local.push(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
    else packages.push(spec);
  }
  return { local, packages };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

function closure(start: string): { modules: Set<string>; packages: Set<string> } {
  const modules = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (modules.has(file)) return;
    modules.add(file);
    const { local, packages: used } = importsOf(file);
    for (const p of used) packages.add(p);
    for (const f of local) visit(f);
  };
  visit(start);
  return { modules, packages };
}

describe('architecture', () => {
  it('has no runtime import cycle in src/', () => {
    const files = sourceFiles(SRC);
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].map((f) => path.relative(SRC, f)).join(' → '));
        return;
      }
      state.set(file, 'visiting');
      for (const next of importsOf(file).local) visit(next, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('a worker thread loads the scanner, the batcher, the transform, the CSV writer, the NDJSON line reader and the exact sums, and nothing of the CLI, the stats file or the rest of the engine', () => {
    const { modules, packages } = closure(path.join(SRC, 'pipeline/fast/block-worker.ts'));
    const names = [...modules].map((f) => path.relative(SRC, f));
    expect(names).toContain('io/fast/csv-scanner.ts');
    expect(names).toContain('pipeline/fast/csv-batcher.ts');
    expect(names).toContain('pipeline/transform-batch.ts');
    expect(names).toContain('pipeline/fast/write-csv-records.ts');
    expect(names).toContain('engine/exact-sum.ts');
    expect(names).toContain('io/ndjson-lines.ts');
    expect(names).toContain('io/fast/numeric-block.ts');
    expect(names).toContain('io/fast/number-rows.ts');
    // A line JSON.parse refuses goes back to the main thread, which loads the parser that says why.
    for (const unwanted of [/^cli\//, /^export\//, /^stats-file/, /^engine\/(batch-norm|running-stats)/, /worker-pool/, /parallel/, /csv-writer/, /normalize/, /compute-stats/, /json-reader/, /ndjson-parse/]) {
      expect(names.filter((n) => unwanted.test(n)), String(unwanted)).toEqual([]);
    }
    // Only Node's own modules: no package (csv-stringify, commander, …) is loaded by a worker.
    expect([...packages].filter((p) => !p.startsWith('node:'))).toEqual([]);
    expect(modules.size).toBeLessThanOrEqual(43); // 27: select.ts names the column probably meant (closest-name.ts); 33: NDJSON blocks (its line reader, records, task); 34: the exact sums' double-double approximation (double-double.ts); 36: numeric lines read many at a time by WebAssembly (numeric-block.ts and its module's bytes); 39: rows of numbers written by WebAssembly (number-rows.ts, its module's bytes, and wasm-instance.ts, which both instantiate through); 41: the exact sums' chunk loops by WebAssembly (engine/chunk-sums.ts and its module's bytes); 42: readRange in a module of its own (file-ranges.ts), shared with the main thread's reading in order; 43: json-number.ts (a JSON number whose double loses digits keeps its text, in the flat-line reader too)
  });

  it.each(['cli/program.ts', 'index.ts'])('%s loads protobufjs only when an ONNX model is written (a dynamic import), so the rest does not pay for it', (entry) => {
    const { modules, packages } = closure(path.join(SRC, entry));
    expect([...modules].map((f) => path.relative(SRC, f))).toContain('export/index.ts');
    expect([...modules].map((f) => path.relative(SRC, f))).not.toContain('export/onnx-model.ts');
    expect([...packages]).not.toContain('protobufjs');
    expect(closure(path.join(SRC, 'export/onnx-model.ts')).packages).toContain('protobufjs');
  });
});
