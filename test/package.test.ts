/**
 * The npm package as a user gets it. The repository is copied to a temporary folder and packed
 * there (prepack builds dist/ in the copy, not under the other tests running from this one),
 * the tarball is checked (its files, publint), installed globally into a temporary prefix with
 * install scripts off, and the installed `bn` runs from an empty folder; a TypeScript project
 * with no @types/node of its own compiles against the installed declarations.
 *
 * It needs the dependencies in npm's cache (or the registry): `npm ci` has put them there.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { publint } from 'publint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/run-bn.js';

const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  files: string[];
  bin: Record<string, string>;
  scripts: Record<string, string>;
  engines: { node: string };
};

const work = mkdtempSync(path.join(os.tmpdir(), 'bn-package-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const prefix = path.join(work, 'prefix');
const empty = path.join(work, 'empty');
mkdirSync(empty);

/** npm's own variables of the `npm test` running us would steer the npm we run (its prefix, its package). */
const env = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^npm_(package_|lifecycle_|config_(local_|global_)?prefix$)/i.test(key)),
);

function run(command: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}): SpawnSyncReturns<string> {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...env, NO_COLOR: '1', ...extraEnv } });
  if (r.error) throw r.error;
  return r;
}

function ok(r: SpawnSyncReturns<string>): string {
  expect(r.stderr + `\n(status ${r.status})`).toMatch(/\(status 0\)$/);
  return r.stdout;
}

let tarball: string;
let files: string[];

beforeAll(() => {
  // The copy: what a clone holds (node_modules linked, not copied).
  const copy = path.join(work, 'repo');
  mkdirSync(copy);
  for (const entry of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'LICENSE', 'README.md', 'bin', 'src', 'scripts']) {
    if (existsSync(path.join(ROOT, entry))) cpSync(path.join(ROOT, entry), path.join(copy, entry), { recursive: true });
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
  const packed = JSON.parse(ok(run('npm', ['pack', '--json', '--pack-destination', work], copy))) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = path.join(work, packed[0]!.filename);
  files = packed[0]!.files.map((f) => f.path);
  ok(run('npm', ['install', '--global', '--prefix', prefix, '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', tarball], work));
}, 180_000);

const bn = (args: string[], extraEnv: Record<string, string> = {}) => run(path.join(prefix, 'bin', 'bn'), args, empty, extraEnv);

describe('the tarball', () => {
  it('is named for the package and holds the built code, the license and the sources the maps point at', () => {
    expect(path.basename(tarball)).toBe(`${manifest.name}-${manifest.version}.tgz`);
    for (const file of ['package.json', 'LICENSE', 'README.md', 'bin/bn', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/run.js', 'man/bn.1']) expect(files).toContain(file);
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('fixtures/'))).toEqual([]);
    const maps = files.filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    const installed = path.join(prefix, 'lib', 'node_modules', manifest.name);
    const broken = maps.flatMap((map) => {
      const { sources } = JSON.parse(readFileSync(path.join(installed, map), 'utf8')) as { sources: string[] };
      return sources.map((s) => path.posix.join(path.posix.dirname(map), s)).filter((s) => !files.includes(s));
    });
    expect(broken).toEqual([]);
  });

  it('runs nothing when installed: no install script, dist/ built by prepack', () => {
    const packedManifest = JSON.parse(readFileSync(path.join(prefix, 'lib', 'node_modules', manifest.name, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(packedManifest.scripts[hook], hook).toBeUndefined();
    expect(manifest.scripts.prepack).toMatch(/npm run build/);
  });

  it('engines names the first Node that runs its executable: an extensionless ES module (bin/bn) needs 20.10', () => {
    expect(path.extname(manifest.bin.bn!)).toBe('');
    const [major, minor] = manifest.engines.node.replace(/^>=/, '').split('.').map(Number);
    expect(major! > 20 || (major === 20 && minor! >= 10)).toBe(true);
  });

  it('passes publint (exports, types, files)', async () => {
    const bytes = readFileSync(tarball);
    const { messages } = await publint({ pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer }, strict: true });
    expect(messages).toEqual([]);
  });
});

describe('installed globally with --ignore-scripts', () => {
  it('bn --version, from an empty folder', () => {
    expect(ok(bn(['--version']))).toMatch(new RegExp(`^bn ${manifest.version.replace(/\./g, '\\.')}\\b.*Node v\\d+`));
  });

  it('bn stats on a file of its own', () => {
    writeFileSync(path.join(empty, 'seed.csv'), 'x1,x2\n1,2\n3,4\n5,6\n');
    const out = ok(bn(['stats', 'seed.csv', '--to', 'json']));
    expect(JSON.parse(out)).toMatchObject({ features: ['x1', 'x2'], rows: 3, mean: [3, 4] });
  });

  it('bn completion bash prints a script bash reads', () => {
    const script = ok(bn(['completion', 'bash']));
    expect(script).toContain('complete -F _bn_complete bn');
    expect(spawnSync('bash', ['-n'], { input: script }).status).toBe(0);
  });

  it('man bn finds the page (installed under the prefix)', () => {
    const page = readFileSync(path.join(prefix, 'share', 'man', 'man1', 'bn.1'), 'utf8');
    expect(page).toMatch(/^\.TH BN 1 "" "bn \d+\.\d+\.\d+"/);
    expect(page).toContain('.SS "bn stats ');
  });

  it('a TypeScript project without @types/node compiles against the declarations', () => {
    const project = path.join(work, 'ts-user');
    mkdirSync(path.join(project, 'node_modules'), { recursive: true });
    symlinkSync(path.join(prefix, 'lib', 'node_modules', manifest.name), path.join(project, 'node_modules', manifest.name));
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(
      path.join(project, 'index.ts'),
      `import { BnError, PRESETS, run, type DatasetStats, type StatsFile } from '${manifest.name}';\n` +
        `const e: BnError = new BnError('BN_USAGE', 'x');\n` +
        `const s: Pick<DatasetStats, 'rows'> = { rows: 1 };\n` +
        `const f: Pick<StatsFile, 'eps'> = { eps: PRESETS.torch.epsilon };\n` +
        `export const all = [e.exitCode, s.rows, f.eps, typeof run];\n`,
    );
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    // Strict, and stricter: exactOptionalPropertyTypes, which many projects set, checks the declarations' optional properties.
    for (const exactOptionalPropertyTypes of [false, true]) {
      const compilerOptions = { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, exactOptionalPropertyTypes, noEmit: true, skipLibCheck: false, types: [] };
      writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions }));
      const r = run(process.execPath, [tsc, '-p', project], project);
      expect(r.stdout + r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
  }, 90_000);
});
