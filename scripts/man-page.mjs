// Build step: write man/bn.1 from the built program (dist/), the page package.json's "man" lists.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { manPage } from '../dist/cli/man-page.js';
import { buildProgram } from '../dist/cli/program.js';

const root = new URL('..', import.meta.url);
const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const sink = new PassThrough().resume();
const program = buildProgram({ stdin: Readable.from([]), stdout: sink, stderr: sink, env: {} });
mkdirSync(new URL('man/', root), { recursive: true });
writeFileSync(new URL('man/bn.1', root), manPage(program, version));
