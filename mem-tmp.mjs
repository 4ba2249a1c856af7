import { run } from './dist/cli/run.js';
import { Writable, PassThrough } from 'node:stream';
const sink = new Writable({ write(c, e, cb) { cb(); } });
let peak = 0; const t = setInterval(() => { const m = process.memoryUsage(); if (m.rss > peak) { peak = m.rss; process.stderr.write(`rss ${(m.rss/1e6).toFixed(0)} heapUsed ${(m.heapUsed/1e6).toFixed(0)} heapTotal ${(m.heapTotal/1e6).toFixed(0)} ext ${(m.external/1e6).toFixed(0)} ab ${(m.arrayBuffers/1e6).toFixed(0)}\n`); } }, 20);
const code = await run(process.argv.slice(2), { stdin: new PassThrough(), stdout: sink, stderr: process.stderr, env: {} });
clearInterval(t); console.error('code', code);
