// Build step: bundle what bin/bn runs into dist/bundle/ with esbuild, after tsc has checked the
// types and written dist/ (the library and its declarations, which stay one file per module).
//
// Why: Node loads an ES module graph file by file (resolve, read, parse, link), and bn's CLI is
// about 150 modules of its own and of its packages. One file for what every run needs, and a
// chunk for each part loaded on demand (commander and the commands, each format's reader and
// writer, cli-progress, protobufjs), makes `bn --version` cost little more than `node -e 0`.
//
//   main.js          bin/bn's import: early workers, run(), the exit paths (src/cli/main.ts)
//   block-worker.js  the -j worker thread, one file: worker-pool.ts starts it from beside itself
//   *-HASH.js        code shared or loaded on demand (esbuild's code splitting)
//
// No source maps: their sources would be the packages' files, which the npm package does not
// hold. Whitespace and syntax are minified (less to parse at each start); names are kept, so
// that a stack trace (BN_DEBUG=1) still names bn's functions.
import { build } from 'esbuild';
import { realpathSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const OUTDIR = `${root}dist/bundle`;

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outdir: OUTDIR,
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
};

/** esbuild's options for each bundle (test/e2e/startup.test.ts builds them again, unwritten, for their metafile). */
export const BUNDLES = [
  {
    ...common,
    entryPoints: { main: 'src/cli/main.ts' },
    splitting: true,
    chunkNames: '[name]-[hash]',
    // commander, cli-progress and protobufjs are CommonJS and require() Node's modules: an ES
    // module has no `require`, so each output file makes one (esbuild's shim calls it).
    banner: { js: "import { createRequire as __bnCreateRequire } from 'node:module'; const require = __bnCreateRequire(import.meta.url);" },
  },
  { ...common, entryPoints: { 'block-worker': 'src/pipeline/fast/block-worker.ts' } },
  // Parquet's row-group worker (-j N on a Parquet file): found beside the chunk that starts it.
  { ...common, entryPoints: { 'row-group-worker': 'src/pipeline/row-group-worker.ts' } },
];

// Run as a script (npm run build), not imported (the test): real paths, since a clone may sit behind a symbolic link.
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  rmSync(OUTDIR, { recursive: true, force: true }); // chunk names change with their contents
  for (const options of BUNDLES) await build(options);
}
