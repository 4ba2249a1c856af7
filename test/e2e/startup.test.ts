/**
 * Start-up: bin/bn runs the bundle in dist/bundle/ (scripts/bundle.mjs), and what a run loads is
 * what it pays for before reading a byte. A hook given to Node (`--import`, inherited by worker
 * threads) writes down every file the process and its threads load, and at exit the Node modules
 * it loaded (process.moduleLoadList); the bundles are built again here, unwritten, for esbuild's
 * metafile, which says which sources and packages each file of dist/bundle/ holds.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bnProcess, quietProgram, ROOT, type BnResult } from '../helpers/run-bn.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The files hook: a load hook (in Node's hooks thread) that appends each file: URL loaded. */
const FILES_HOOK = path.join(dir, 'files-hook.mjs');
writeFileSync(
  FILES_HOOK,
  `import { register } from 'node:module';
const hooks = \`import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(\${JSON.stringify(process.env.BN_TEST_LOADED)}, url + '\\\\n');
  return next(url, context);
}\`;
register('data:text/javascript,' + encodeURIComponent(hooks));
`,
);

/** The builtins hook, run apart: the hooks thread of register() loads node:worker_threads itself. */
const BUILTINS_HOOK = path.join(dir, 'builtins-hook.mjs');
writeFileSync(
  BUILTINS_HOOK,
  `import { appendFileSync } from 'node:fs';
process.on('exit', () => appendFileSync(process.env.BN_TEST_LOADED, process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => 'node:' + m.slice(13) + '\\n').join('')));
`,
);

interface Loaded {
  result: BnResult;
  /** Files of dist/bundle/ loaded, by name. */
  bundleFiles: string[];
  /** Every file loaded outside dist/bundle/ (bin/bn itself), relative to the repository. */
  otherFiles: string[];
  /** The sources and packages inside the loaded bundle files, relative to the repository. */
  inputs: string[];
  /** Node's own modules loaded by the main thread (node:zlib, …). */
  builtins: string[];
}

let runs = 0;
async function loadedBy(args: string[]): Promise<Loaded> {
  const hooked = async (hook: string) => {
    const out = path.join(dir, `loaded-${runs++}.txt`);
    writeFileSync(out, '');
    const result = await bnProcess(args, { node: ['--import', pathToFileURL(hook).href], env: { BN_TEST_LOADED: out } });
    return { result, lines: readFileSync(out, 'utf8').split('\n').filter(Boolean) };
  };
  const { result, lines } = await hooked(FILES_HOOK);
  const builtins = (await hooked(BUILTINS_HOOK)).lines;
  const files = [...new Set(lines.filter((l) => l.startsWith('file:')).map((u) => path.relative(ROOT, fileURLToPath(u))))];
  const bundleFiles = files.filter((f) => f.startsWith('dist/bundle/')).map((f) => path.basename(f));
  const inputs = bundleFiles.flatMap((f) => {
    const output = outputs[`dist/bundle/${f}`];
    if (!output) throw new Error(`${f} is not what scripts/bundle.mjs builds now: run npm run build`);
    return Object.keys(output.inputs);
  });
  return {
    result,
    bundleFiles,
    otherFiles: files.filter((f) => !f.startsWith('dist/bundle/')),
    inputs: [...new Set(inputs)],
    builtins,
  };
}

let outputs: Metafile['outputs'];
beforeAll(async () => {
  const { BUNDLES } = (await import(pathToFileURL(path.join(ROOT, 'scripts/bundle.mjs')).href)) as { BUNDLES: BuildOptions[] };
  outputs = {};
  for (const options of BUNDLES) Object.assign(outputs, (await build({ ...options, write: false, metafile: true })).metafile!.outputs);
}, 60_000);

const packagesIn = (inputs: string[]) => [...new Set(inputs.filter((i) => i.startsWith('node_modules/')).map((i) => i.split('/').slice(1, i.startsWith('node_modules/@') ? 3 : 2).join('/')))];

describe('start-up', () => {
  it('bn --version loads bin/bn and a few small files of the bundle: no package, no command, no reader, no worker', async () => {
    const { result, bundleFiles, otherFiles, inputs, builtins } = await loadedBy(['--version']);
    expect(result).toEqual({ code: 0, stdout: `${quietProgram().version()}\n`, stderr: '' });
    expect(otherFiles).toEqual(['bin/bn']);
    expect(bundleFiles).toContain('main.js');
    expect(packagesIn(inputs)).toEqual([]);
    expect(inputs.filter((i) => /^src\/(cli\/(commands|program)|engine|pipeline|io\/fast|export)\b/.test(i))).toEqual([]);
    expect(builtins.filter((m) => /^node:(zlib|worker_threads|child_process|crypto)$/.test(m))).toEqual([]);
    const bytes = bundleFiles.reduce((sum, f) => sum + outputs[`dist/bundle/${f}`]!.bytes, 0);
    expect(bytes).toBeLessThan(40_000);
  });

  // The commands' definitions and actions are one module each, so --help loads what the actions
  // import statically too (the engine, the byte scanner, chalk, csv-stringify for `stats --to
  // csv`); the row readers, the progress bar and protobufjs are loaded on use.
  it('bn --help loads commander and the commands, but no row reader, progress bar, protobufjs or worker', async () => {
    const { result, bundleFiles, inputs, builtins } = await loadedBy(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: bn /);
    for (const unwanted of ['csv-parse', '@streamparser/json', 'cli-progress', 'protobufjs']) expect(packagesIn(inputs)).not.toContain(unwanted);
    expect(inputs.filter((i) => /^src\/io\/(csv|json|ndjson)-reader/.test(i))).toEqual([]);
    expect(bundleFiles).not.toContain('block-worker.js');
    expect(builtins).not.toContain('node:zlib');
  });

  it('a bn error is still one line, no stack trace', async () => {
    const { result } = await loadedBy(['stats', path.join(dir, 'absent.csv')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^bn: .*absent\.csv: cannot read: no such file\n$/);
  });
});

describe('the worker thread of -j', () => {
  it('is one file of the bundle, with no import of its own but Node modules', () => {
    const worker = outputs['dist/bundle/block-worker.js']!;
    expect(worker.imports.filter((i) => !i.external)).toEqual([]);
    expect(Object.keys(worker.inputs)).toContain('src/pipeline/fast/block-worker.ts');
  });

  it('runs from the bundle: -j 2 on a file of many blocks loads dist/bundle/block-worker.js and prints what -j 1 does', async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => `${((i * 7919) % 10007) / 101},${-i / 3},t${i % 5}`);
    const file = path.join(dir, 'blocks.csv');
    writeFileSync(file, `x,y,tag\n${rows.join('\n')}\n`);
    const two = await loadedBy(['normalize', '-j', '2', file]);
    expect(two.bundleFiles).toContain('block-worker.js');
    expect(two.otherFiles).toEqual(['bin/bn']); // nothing of dist/ outside the bundle, no package file
    const one = await bnProcess(['normalize', '-j', '1', file]);
    expect(one.code).toBe(0);
    expect(two.result).toEqual(one);
    const stats = await bnProcess(['stats', '--to', 'json', '-j', '2', file], { env: { BN_JOBS_BLOCK: '65536' } });
    expect(stats).toEqual(await bnProcess(['stats', '--to', 'json', '-j', '1', file]));
  });
});
